// Every change of a job's state is one Lua script, so that a client, a worker and a worker that lost its lock never
// interleave half-done updates. A worker's writes name its attempt: those of an attempt that was superseded (its
// worker was presumed dead and the job handed to another) are refused.

/**
 * Appends a secondary status transition (closing the previous one) to the transitions of job hash KEYS[1], kept at
 * KEYS[2]; the first, Pending, is not stored: the job's creation implies it.
 */
const APPEND_TRANSITION = `
local function append_transition(key, status, message, now_iso)
  local stored = redis.call('GET', KEYS[2])
  local transitions = stored and cjson.decode(stored) or {}
  local last = transitions[#transitions]
  if last and last.status == status then
    last.statusMessage = message
  else
    if last and not last.endTime then last.endTime = now_iso end
    transitions[#transitions + 1] = { status = status, startTime = now_iso, statusMessage = message }
  end
  redis.call('SET', KEYS[2], cjson.encode(transitions))
  redis.call('HSET', key, 'secondary', status)
end
local function is_terminal(status)
  return status == 'Completed' or status == 'Failed' or status == 'Stopped'
end
`;

/** KEYS: job, jobs, spec. ARGV: name, spec JSON, pool, now ms, now ISO, instance type. Returns 1, or 0 when the name is taken. */
export const CREATE_JOB = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'status', 'InProgress', 'secondary', 'Pending', 'created', ARGV[4], 'createdIso', ARGV[5],
  'modified', ARGV[4], 'attempts', 0, 'pool', ARGV[3], 'instance', ARGV[6], 'billable', 0, 'cost', 0)
redis.call('SET', KEYS[3], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
return 1
`;

/**
 * KEYS: job, transitions. ARGV: attempt id, worker, now ms, now ISO. Starts an attempt unless the job is over or its stop was
 * requested (then it is Stopped here). Returns {'started', attempts} | {'terminal', status} | {'stopped'} | {'missing'}.
 */
export const START_ATTEMPT = `${APPEND_TRANSITION}
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return { 'missing' } end
if is_terminal(status) then return { 'terminal', status } end
if redis.call('HGET', KEYS[1], 'stop') == '1' then
  redis.call('HSET', KEYS[1], 'status', 'Stopped', 'ended', ARGV[3], 'modified', ARGV[3], 'stopReason', 'StopRequested')
  redis.call('HDEL', KEYS[1], 'attempt', 'worker')
  append_transition(KEYS[1], 'Stopped', 'Stopped before it started', ARGV[4])
  return { 'stopped' }
end
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('HSET', KEYS[1], 'attempt', ARGV[1], 'worker', ARGV[2], 'modified', ARGV[3])
if not redis.call('HGET', KEYS[1], 'started') then redis.call('HSET', KEYS[1], 'started', ARGV[3]) end
append_transition(KEYS[1], 'Starting', 'Attempt ' .. attempts .. ' on ' .. ARGV[2], ARGV[4])
return { 'started', tostring(attempts) }
`;

/** KEYS: job, transitions. ARGV: attempt id, secondary status, message, now ms, now ISO. Returns 1, or 0 for a superseded attempt. */
export const TRANSITION = `${APPEND_TRANSITION}
if redis.call('HGET', KEYS[1], 'attempt') ~= ARGV[1] then return 0 end
if is_terminal(redis.call('HGET', KEYS[1], 'status')) then return 0 end
append_transition(KEYS[1], ARGV[2], ARGV[3], ARGV[5])
redis.call('HSET', KEYS[1], 'modified', ARGV[4])
return 1
`;

/**
 * KEYS: job, transitions. ARGV: attempt id ('*': whichever), outcome ('retry' | 'requeue' | status), secondary status, message,
 * now ms, now ISO, billable seconds, cost, fields JSON (written as they are). Ends the attempt: adds its usage; a
 * final outcome sets the job's status. Returns 1, or 0 when the attempt was superseded or the job is over.
 */
export const END_ATTEMPT = `${APPEND_TRANSITION}
local status = redis.call('HGET', KEYS[1], 'status')
if not status or is_terminal(status) then return 0 end
if ARGV[1] ~= '*' and redis.call('HGET', KEYS[1], 'attempt') ~= ARGV[1] then return 0 end
redis.call('HINCRBYFLOAT', KEYS[1], 'billable', ARGV[7])
redis.call('HINCRBYFLOAT', KEYS[1], 'cost', ARGV[8])
for field, value in pairs(cjson.decode(ARGV[9])) do redis.call('HSET', KEYS[1], field, value) end
redis.call('HDEL', KEYS[1], 'attempt', 'worker', 'progress')
redis.call('HSET', KEYS[1], 'modified', ARGV[5])
if ARGV[2] ~= 'retry' and ARGV[2] ~= 'requeue' then
  redis.call('HSET', KEYS[1], 'status', ARGV[2], 'ended', ARGV[5])
end
append_transition(KEYS[1], ARGV[3], ARGV[4], ARGV[6])
return 1
`;

/** KEYS: job. ARGV: attempt id, field, value. Sets a field of the current attempt (its progress, its hosts). */
export const SET_ATTEMPT_FIELD = `
if redis.call('HGET', KEYS[1], 'attempt') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
return 1
`;

/** KEYS: job, transitions. ARGV: now ms, now ISO. Returns the job's status after the request, or 'missing'. */
export const REQUEST_STOP = `${APPEND_TRANSITION}
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'missing' end
if is_terminal(status) then return status end
redis.call('HSET', KEYS[1], 'stop', '1', 'status', 'Stopping', 'modified', ARGV[1])
append_transition(KEYS[1], 'Stopping', 'Stop requested', ARGV[2])
return 'Stopping'
`;

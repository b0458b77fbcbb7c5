/** Where the fleet keeps things in Redis, all under one prefix (BLAZEFLEET_PREFIX, default `blazefleet`). */
export class FleetKeys {
  constructor(readonly prefix: string) {
    if (!/^[A-Za-z0-9][A-Za-z0-9:_.-]*$/.test(prefix)) {
      throw new RangeError(`Redis key prefix ${JSON.stringify(prefix)}: expected letters, digits and : _ . - (not starting with a symbol)`);
    }
  }

  /** Hash: the job's state, in short fields (kept compact by Redis while the job waits in the queue). */
  job(name: string): string {
    return `${this.prefix}:job:${name}`;
  }
  /** String: the job's spec (JSON). */
  spec(name: string): string {
    return `${this.prefix}:job:${name}:spec`;
  }
  /** String: the job's secondary status transitions (JSON) after the first, Pending, which the hash implies. */
  transitions(name: string): string {
    return `${this.prefix}:job:${name}:transitions`;
  }
  /** Stream: the job's log lines, capped. */
  logs(name: string): string {
    return `${this.prefix}:job:${name}:logs`;
  }
  /** List: the job's metric events (JSON), capped. */
  metrics(name: string): string {
    return `${this.prefix}:job:${name}:metrics`;
  }
  /** Sorted set: every job name by creation time. */
  get jobs(): string {
    return `${this.prefix}:jobs`;
  }
  /** Pub/sub channel: names of jobs whose stop was requested. */
  get stopChannel(): string {
    return `${this.prefix}:stop`;
  }
  /** BullMQ's own key prefix. */
  get bullPrefix(): string {
    return `${this.prefix}:bull`;
  }
}

// A real S3-compatible server for tests: moto's `moto_server`, started on a free port and stopped after.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';

/** A running moto server and what a client needs to reach it. */
export interface MotoServer {
  /** `http://127.0.0.1:PORT`. */
  readonly endpoint: string;
  readonly region: string;
  /** Dummy credentials: moto accepts any. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Stops the server; safe to call twice. */
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 30_000;
const STDERR_TAIL = 4096;

/**
 * Starts `moto_server -H 127.0.0.1 -p PORT` on a free port and resolves once it answers HTTP. Rejects with a clear
 * message when `moto_server` is not on PATH (install it with `pip install 'moto[server]'`) or does not come up.
 * The server also stops when this process ends without stopping it.
 */
export async function startMotoServer(): Promise<MotoServer> {
  let lastError: unknown;
  // A port found free can be taken before moto binds it; another port is tried then.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnPort(await freePort());
    } catch (error) {
      if (error instanceof MotoServerMissingError) throw error;
      lastError = error;
    }
  }
  throw lastError;
}

/** A unique bucket name for one test file, so that suites sharing a server never meet. */
export function uniqueBucketName(label: string): string {
  const name = label.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 40);
  return `${name}-${randomBytes(6).toString('hex')}`;
}

class MotoServerMissingError extends Error {
  constructor() {
    super("moto_server is not on PATH: the S3 tests need a moto server (pip install 'moto[server]')");
    this.name = 'MotoServerMissingError';
  }
}

// moto_server runs under a shell that stops it once its standard input closes: when stop() closes it, and also when
// this process dies without stopping it (test runners end their workers with SIGTERM, which skips 'exit' handlers).
// Background jobs of a shell read /dev/null, so the watcher reads the original input through descriptor 3.
const SUPERVISOR = 'exec 3<&0; moto_server "$@" </dev/null & moto=$!; (cat <&3 >/dev/null; kill $moto 2>/dev/null) & wait $moto';
const COMMAND_NOT_FOUND = 127;

async function startOnPort(port: number): Promise<MotoServer> {
  const child = spawn('/bin/sh', ['-c', SUPERVISOR, 'moto_server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL);
  });
  const stop = (): Promise<void> => terminate(child);
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(child, endpoint, () => stderr);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, stop };
}

async function waitUntilAnswering(child: ChildProcess, endpoint: string, stderr: () => string): Promise<void> {
  let failure: Error | undefined;
  child.once('error', (error) => {
    failure = error;
  });
  child.once('exit', (code, signal) => {
    failure ??= code === COMMAND_NOT_FOUND ? new MotoServerMissingError() : new Error(`moto_server exited (${signal ?? code}) before answering:\n${stderr()}`);
  });
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (failure === undefined) {
    if (Date.now() > deadline) throw new Error(`moto_server did not answer at ${endpoint} within ${STARTUP_TIMEOUT_MS / 1000} s:\n${stderr()}`);
    const response = await fetch(`${endpoint}/`).catch(() => undefined);
    if (response !== undefined) {
      await response.body?.cancel();
      return;
    }
    await new Promise((wake) => setTimeout(wake, 100));
  }
  throw failure;
}

async function terminate(child: ChildProcess): Promise<void> {
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((done) => child.once('exit', () => done()));
  child.stdin!.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

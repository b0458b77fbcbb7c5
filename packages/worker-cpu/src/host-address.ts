import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';

/** This machine's first non-internal IPv4 address (the one other hosts reach it at in a container or VM), else loopback. */
export function defaultHostIp(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return '127.0.0.1';
}

/**
 * Where this worker's rank of a distributed job listens, as host:port: `configured` is an IP (a free port is picked)
 * or IP:port (BLAZEFLEET_HOST_ADDRESS); by default the first non-internal IPv4 address and a free port.
 */
export async function ringAddress(configured: string | undefined): Promise<string> {
  const match = configured === undefined ? null : /^(.+):(\d{1,5})$/.exec(configured);
  if (match) return configured!;
  const ip = configured ?? defaultHostIp();
  const port = await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error) => reject(new Error(`host address ${ip}: cannot listen there (${error.message})`)));
    server.listen(0, ip, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error(`host address ${ip}: no port`))));
    });
  });
  return `${ip}:${port}`;
}

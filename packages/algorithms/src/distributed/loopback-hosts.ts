import { createServer } from 'node:net';

/** `count` host:port addresses on 127.0.0.1 whose ports were free a moment ago (the OS picked them), for a job on one machine. */
export async function loopbackHosts(count: number): Promise<string[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const hosts = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('expected a TCP address from a listening server');
    return `127.0.0.1:${address.port}`;
  });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return hosts;
}

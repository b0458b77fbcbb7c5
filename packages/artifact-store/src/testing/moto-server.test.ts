import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startMotoServer } from './moto-server.js';

describe('startMotoServer', () => {
  it('fails with a clear message, instead of skipping, when moto_server is not on PATH', async () => {
    const emptyDirectory = mkdtempSync(join(tmpdir(), 'no-moto-'));
    const path = process.env.PATH;
    process.env.PATH = emptyDirectory;
    try {
      await expect(startMotoServer()).rejects.toThrow("moto_server is not on PATH: the S3 tests need a moto server (pip install 'moto[server]')");
    } finally {
      process.env.PATH = path;
      rmSync(emptyDirectory, { recursive: true });
    }
  });

  it('serves S3 at its endpoint until stopped', async () => {
    const moto = await startMotoServer();
    expect((await fetch(`${moto.endpoint}/`)).status).toBe(200);
    await moto.stop();
    await expect(fetch(`${moto.endpoint}/`)).rejects.toThrow();
    await moto.stop();
  });
});

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CHART_ID, fleetYaml } from './fleet-chart.js';
import { ConfigError, resolveConfig } from './resolve-config.js';

const USAGE = 'usage: node dist/synth.js [--config FILE.json] [--out FILE.yaml]';
const DEFAULT_OUT = join(dirname(fileURLToPath(import.meta.url)), `${CHART_ID}.k8s.yaml`);

async function overridesFrom(file: string | undefined): Promise<unknown> {
  if (file === undefined) return {};
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new Error(`${file}: cannot read the configuration: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${file}: expected JSON (a partial configuration, see src/config.ts): ${(error as Error).message}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string' }, out: { type: 'string' } }, allowPositionals: false });
  const config = resolveConfig(await overridesFrom(values.config));
  const out = values.out ?? DEFAULT_OUT;
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, fleetYaml(config));
  process.stdout.write(`wrote ${out}\n`);
}

main().catch((error: unknown) => {
  const usage = (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS') === true;
  process.stderr.write(`${error instanceof ConfigError ? 'configuration: ' : ''}${(error as Error).message}\n${usage ? USAGE + '\n' : ''}`);
  process.exitCode = 1;
});

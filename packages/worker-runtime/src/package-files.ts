import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The folder of this package, found by resolving its own name: right from dist/, from src/ under a test runner and
 * from a bundle of a dependent, where import.meta.url names the bundle instead.
 */
const PACKAGE_ROOT = dirname(createRequire(import.meta.url).resolve('@blazefleet/worker-runtime/package.json'));

/** The scripts of this package that run in child processes, built into dist/. */
export type TrialScript = 'trial-supervisor' | 'blazingtext-trial' | 'transform-trial';

/** Path of a built script; it exists once the package is built (`tsc -b`). */
export function trialScriptPath(script: TrialScript): string {
  return join(PACKAGE_ROOT, 'dist', `${script}.js`);
}

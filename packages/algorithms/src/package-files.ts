import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The folder of this package, found by resolving its name: right both from its own dist/ and from a bundle of a
 * dependent (the CLI ships as one), where import.meta.url names the bundle instead.
 */
const PACKAGE_ROOT = dirname(createRequire(import.meta.url).resolve('@blazefleet/algorithms/package.json'));

/** A file shipped with this package (the WebAssembly kernels, bundled data, the training thread's script). */
export function packageFile(...path: string[]): string {
  return join(PACKAGE_ROOT, ...path);
}

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The folder of this package, found by resolving its own name (from dist/, from src/ under a test runner, from a bundle). */
const PACKAGE_ROOT = dirname(createRequire(import.meta.url).resolve('@blazefleet/worker-gpu/package.json'));

/** The built script that runs a BlazingText trial on tensors. */
export const BLAZINGTEXT_GPU_TRIAL = join(PACKAGE_ROOT, 'dist', 'blazingtext-gpu-trial.js');

// Bundles the CLI: Node 20 starts one bundle ~0.1-0.3 s sooner than the module graph it is made of. The fleet's
// commands are split into chunks loaded only when they run, so that training and prediction do not load the queue,
// S3 and worker code. Packages that read files of their own at run time stay outside.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry content hashes: a fresh folder leaves no chunk of an earlier build behind.
rmSync('dist/bundle', { recursive: true, force: true });

await build({
  entryPoints: { blazefleet: 'dist/cli.js' },
  outdir: 'dist/bundle',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['@tensorflow/*', 'bullmq', 'ioredis', '@aws-sdk/*'],
  // Bundled CommonJS modules call require().
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  logLevel: 'warning',
});

#!/usr/bin/env node
import { runCli } from './run-cli.js';

const interrupt = new AbortController();
const onSignal = (): void => {
  // A second signal means the user does not want to wait for the job to stop cleanly.
  if (interrupt.signal.aborted) process.exit(130);
  interrupt.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

process.exitCode = await runCli(process.argv.slice(2), { signal: interrupt.signal });
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);

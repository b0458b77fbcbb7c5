import type { CliIo } from './cli-io.js';
import type { OptionSpecs } from './arguments.js';

/** A `blazefleet` subcommand: its options (for parsing and help) and what it does. */
export interface Command {
  name: string;
  summary: string;
  /** Usage line after `blazefleet`, e.g. `train --mode skipgram --train FILE --output DIR [options]`. */
  usage: string;
  options: OptionSpecs;
  /** More help after the option list (hyperparameter table, output formats). */
  details?: () => string;
  /** Resolves to the exit code; throws BlazefleetError for bad input. */
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

/** Options every command accepts. */
export const COMMON_OPTIONS: OptionSpecs = {
  help: { type: 'boolean', short: 'h', description: 'Show this help.' },
  verbose: { type: 'boolean', description: 'Print stack traces of unexpected errors (also BLAZEFLEET_DEBUG=1).' },
};

import { UsageError } from '@blazefleet/core';

/** One command-line option of a command. Names are written with dashes or underscores as documented; both spellings are accepted. */
export interface OptionSpec {
  /** 'string' options take a value; 'boolean' options are flags that may also be written `--flag=false`. */
  type: 'string' | 'boolean';
  /** Collects every value: the option may be repeated and takes all values up to the next flag. */
  multiple?: boolean;
  short?: string;
  /** Placeholder for the value in help, e.g. FILE. */
  valueName?: string;
  description: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

export type OptionValue = string | boolean | string[];

export interface ParsedArguments {
  /** Keyed by the option's name in the specs. */
  options: Record<string, OptionValue | undefined>;
  /** Flags that are not options of the command (hyperparameters): `--name value`, `--name=value`, or `--name` alone meaning true. */
  extra: Record<string, string | true>;
  positionals: string[];
}

export interface ParseArgumentsSettings {
  /** Accept flags outside the specs into `extra`; otherwise they are usage errors. */
  allowExtra: boolean;
  allowPositionals: boolean;
}

const FLAG = /^--?[A-Za-z]/;

function isFlag(token: string | undefined): boolean {
  return token !== undefined && FLAG.test(token);
}

function normalizedName(name: string): string {
  return name.replace(/-/g, '_');
}

function parseBooleanValue(flag: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new UsageError(`${flag}: expected true or false, got ${JSON.stringify(value)}`);
}

/**
 * Reads argv against a command's options. A token is a flag when it starts with `-` or `--` followed by a letter,
 * so negative numbers (`--learning_rate -1`) are values; everything after `--` is positional.
 */
export function parseArguments(argv: readonly string[], specs: OptionSpecs, settings: ParseArgumentsSettings): ParsedArguments {
  const byName = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) {
    byName.set(normalizedName(name), name);
    if (spec.short) byName.set(spec.short, name);
  }
  const options: Record<string, OptionValue | undefined> = {};
  const extra: Record<string, string | true> = {};
  const positionals: string[] = [];

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!isFlag(token)) {
      if (!settings.allowPositionals) throw new UsageError(`unexpected argument ${JSON.stringify(token)}`);
      positionals.push(token);
      continue;
    }
    const body = token.replace(/^--?/, '');
    const equals = body.indexOf('=');
    const rawName = equals < 0 ? body : body.slice(0, equals);
    const inlineValue = equals < 0 ? undefined : body.slice(equals + 1);
    const name = byName.get(token.startsWith('--') ? normalizedName(rawName) : rawName);

    if (name === undefined) {
      if (!settings.allowExtra) throw new UsageError(`unknown option ${token.startsWith('--') ? '--' : '-'}${rawName}`);
      if (inlineValue !== undefined) extra[rawName] = inlineValue;
      else if (i + 1 < argv.length && !isFlag(argv[i + 1]) && argv[i + 1] !== '--') extra[rawName] = argv[++i]!;
      else extra[rawName] = true;
      continue;
    }

    const spec = specs[name]!;
    const flag = token.startsWith('--') ? `--${rawName}` : `-${rawName}`;
    if (spec.type === 'boolean') {
      options[name] = inlineValue === undefined ? true : parseBooleanValue(flag, inlineValue);
      continue;
    }
    const values: string[] = [];
    if (inlineValue !== undefined) values.push(inlineValue);
    else if (i + 1 < argv.length && !isFlag(argv[i + 1])) values.push(argv[++i]!);
    else throw new UsageError(`${flag} needs a value${spec.valueName ? ` (${spec.valueName})` : ''}`);
    if (spec.multiple) {
      while (inlineValue === undefined && i + 1 < argv.length && !isFlag(argv[i + 1]) && argv[i + 1] !== '--') values.push(argv[++i]!);
      const previous = options[name];
      options[name] = [...(Array.isArray(previous) ? previous : []), ...values];
    } else {
      options[name] = values[0]!;
    }
  }
  return { options, extra, positionals };
}

/** The value of a string option, or undefined. */
export function stringOption(parsed: ParsedArguments, name: string): string | undefined {
  const value = parsed.options[name];
  return typeof value === 'string' ? value : undefined;
}

export function booleanOption(parsed: ParsedArguments, name: string): boolean {
  return parsed.options[name] === true;
}

export function listOption(parsed: ParsedArguments, name: string): string[] {
  const value = parsed.options[name];
  return Array.isArray(value) ? value : [];
}

/** An integer option with a lower bound; `fallback` when absent. */
export function integerOption(parsed: ParsedArguments, name: string, min: number, fallback: number): number {
  const raw = stringOption(parsed, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\s*-?\d+\s*$/.test(raw) || !Number.isSafeInteger(value) || value < min) {
    const expected = min === 1 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : `an integer >= ${min}`;
    throw new UsageError(`${name.length === 1 ? '-' : '--'}${name}: expected ${expected}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

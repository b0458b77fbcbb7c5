import { z } from 'zod';
import { HyperparameterError } from '../errors.js';

/** One hyperparameter: how to read it (numbers and booleans may arrive as strings, as SageMaker passes them), its default and its documentation. */
export interface HyperparameterField<T> {
  schema: z.ZodType<T>;
  /** What a valid value is, in words, for error messages and the reference table. */
  expected: string;
  default: T | undefined;
  description: string;
}

const numberFromString = (value: unknown): unknown => {
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value.trim());
    return Number.isNaN(n) ? value : n;
  }
  return value;
};

const booleanFromString = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  return value;
};

export function integerField(min: number, max: number, def: number | undefined, description: string): HyperparameterField<number> {
  return {
    schema: z.preprocess(numberFromString, z.number().int().min(min).max(max)) as z.ZodType<number>,
    expected: `an integer in [${min}, ${max}]`,
    default: def,
    description,
  };
}

/** A float in (min, max]: the lower bound is exclusive so that "positive" ranges refuse 0. */
export function floatField(minExclusive: number, maxInclusive: number, def: number, description: string): HyperparameterField<number> {
  return {
    schema: z.preprocess(numberFromString, z.number().gt(minExclusive).lte(maxInclusive)) as z.ZodType<number>,
    expected: `a number in (${minExclusive}, ${maxInclusive}]`,
    default: def,
    description,
  };
}

export function booleanField(def: boolean, description: string): HyperparameterField<boolean> {
  return {
    schema: z.preprocess(booleanFromString, z.boolean()) as z.ZodType<boolean>,
    expected: 'a boolean (true/false, True/False, 1/0)',
    default: def,
    description,
  };
}

export function enumField<const T extends readonly [string, ...string[]]>(
  values: T,
  def: T[number] | undefined,
  description: string,
): HyperparameterField<T[number]> {
  return {
    schema: z.preprocess((v) => (typeof v === 'string' ? v.trim() : v), z.enum(values)) as z.ZodType<T[number]>,
    expected: `one of ${values.join(', ')}`,
    default: def,
    description,
  };
}

export type FieldTable = Record<string, HyperparameterField<unknown>>;
export type ValuesOf<F extends FieldTable> = { [K in keyof F]: F[K] extends HyperparameterField<infer T> ? T : never };

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/**
 * The candidate nearest to `name` by edit distance, the "did you mean" of error messages: within 3 edits and within
 * half the candidate's length, so that a short name is not "corrected" into an unrelated one.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - name.length) > 3) continue; // cannot be within 3 edits; spares long inputs
    const distance = editDistance(name, candidate);
    if (distance < bestDistance && distance <= Math.min(3, Math.max(1, Math.floor(candidate.length / 2)))) {
      [best, bestDistance] = [candidate, distance];
    }
  }
  return best;
}

/**
 * Reads raw hyperparameters against a field table: unknown names, wrong types and out-of-range
 * values throw a HyperparameterError naming the field; absent fields take their defaults.
 */
export function parseFields<F extends FieldTable>(table: F, raw: Record<string, unknown>, context: string): ValuesOf<F> {
  const names = Object.keys(table);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const field = Object.hasOwn(table, key) ? table[key] : undefined;
    if (!field) {
      const nearest = closestName(key, names);
      const hint = nearest === undefined ? '' : `did you mean '${nearest}'? `;
      throw new HyperparameterError(key, `a known ${context} hyperparameter (${hint}known: ${names.join(', ')})`);
    }
    if (value === undefined) continue;
    const parsed = field.schema.safeParse(value);
    if (!parsed.success) throw new HyperparameterError(key, field.expected, value);
    out[key] = parsed.data;
  }
  for (const name of names) {
    if (out[name] !== undefined) continue;
    const def = table[name]!.default;
    if (def === undefined) throw new HyperparameterError(name, `a value (required); ${table[name]!.expected}`);
    out[name] = def;
  }
  return out as ValuesOf<F>;
}

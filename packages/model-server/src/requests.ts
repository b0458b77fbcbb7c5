import { describeValue, expecting, formatPath } from '@blazefleet/core';
import { z } from 'zod';
import { HttpError } from './http-error.js';
import type { BodyFormat } from './request-body.js';

/** The most neighbours one most_similar request may ask for. */
export const MAX_NEIGHBOURS = 1000;
/** Issues named in one error answer; the rest are counted. */
const ISSUES_SHOWN = 5;

/** One text (a word, or a sentence for a classifier) to answer for, with the k of its request when it has one. */
export interface Invocation {
  text: string;
  k: number | undefined;
}

export interface MostSimilarRequest {
  positive: string[];
  negative: string[];
  k: number;
}

/** An optional integer in [1, max], as a number or a string of digits (SageMaker clients send both). */
function optionalInteger(max: number) {
  const what = Number.isFinite(max) ? `an integer from 1 to ${max}` : 'a positive integer';
  const integer = z.unknown().transform((value, context) => {
    const number = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
    if (typeof number === 'number' && Number.isSafeInteger(number) && number >= 1 && number <= max) return number;
    context.addIssue({ code: 'custom', message: `expected ${what}, got ${describeValue(value)}`, input: value });
    return z.NEVER;
  });
  return integer.optional();
}

const text = z.string(expecting('a string'));
const words = z.array(text, expecting('an array of words'));

const invocationRequest = z.object(
  {
    instances: z.array(text, expecting('an array of strings')),
    configuration: z.object({ k: optionalInteger(Infinity) }, expecting('an object such as {"k": 2}')).optional(),
  },
  expecting('a JSON object such as {"instances": ["..."]}'),
);

const jsonLinesRecord = z.object(
  { source: text, k: optionalInteger(Infinity) },
  expecting('a JSON string or an object such as {"source": "..."}'),
);

const mostSimilarRequest = z.object(
  { positive: words.optional(), negative: words.optional(), k: optionalInteger(MAX_NEIGHBOURS) },
  expecting('a JSON object such as {"positive": ["king"], "negative": [], "k": 10}'),
);

const similarityRequest = z.object(
  { pairs: z.array(z.tuple([text, text], expecting('a pair of words such as ["king", "queen"]')), expecting('an array of word pairs')) },
  expecting('a JSON object such as {"pairs": [["king", "queen"]]}'),
);

/** The parsed value, or a 400 naming where each problem is (`instances[2]`, `line 3: source`) and what was expected. */
function parseWith<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const named = issues.slice(0, ISSUES_SHOWN).map((issue) => {
    const path = formatPath(issue.path);
    return `${[where, path].filter((part) => part !== '').join(': ') || 'request body'}: ${issue.message}`;
  });
  const more = issues.length > ISSUES_SHOWN ? ` (and ${issues.length - ISSUES_SHOWN} more problems)` : '';
  throw new HttpError(400, `${named.join('; ')}${more}`);
}

function parseJson(textValue: string, what: string): unknown {
  try {
    return JSON.parse(textValue);
  } catch (error) {
    throw new HttpError(400, `${what} is not valid JSON: ${(error as Error).message}`);
  }
}

/** The records of a JSON Lines body: one per line that is not blank. */
function* jsonLines(body: string): Generator<{ value: unknown; line: string }> {
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line !== '') yield { value: parseJson(line, `line ${i + 1}`), line: `line ${i + 1}` };
  }
}

/**
 * The texts of an /invocations body: `{"instances": [...], "configuration": {"k": 2}}` as JSON, or JSON Lines of
 * BlazingText's batch form, `{"source": "...", "k": 2}` or a JSON string per line.
 */
export function parseInvocations(body: string, format: BodyFormat): Invocation[] {
  if (format === 'json') {
    const request = parseWith(invocationRequest, parseJson(body, 'request body'), '');
    const k = request.configuration?.k;
    return request.instances.map((instance) => ({ text: instance, k }));
  }
  const invocations: Invocation[] = [];
  for (const { value, line } of jsonLines(body)) {
    if (typeof value === 'string') {
      invocations.push({ text: value, k: undefined });
    } else {
      const record = parseWith(jsonLinesRecord, value, line);
      invocations.push({ text: record.source, k: record.k });
    }
  }
  return invocations;
}

/** A /most_similar body: gensim's most_similar arguments, at least one word, k 10 unless given. */
export function parseMostSimilar(body: string): MostSimilarRequest {
  const request = parseWith(mostSimilarRequest, parseJson(body, 'request body'), '');
  const positive = request.positive ?? [];
  const negative = request.negative ?? [];
  if (positive.length + negative.length === 0) throw new HttpError(400, 'positive, negative: expected at least one word between them');
  return { positive, negative, k: request.k ?? 10 };
}

/** The word pairs of a /similarity body. */
export function parseSimilarity(body: string): [string, string][] {
  return parseWith(similarityRequest, parseJson(body, 'request body'), '').pairs;
}

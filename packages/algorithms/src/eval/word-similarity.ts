import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { InputDataError } from '@blazefleet/core';
import { packageFile } from '../package-files.js';
import type { WordVectors } from '../word-vectors.js';
import { spearman } from './spearman.js';

export interface WordPair {
  a: string;
  b: string;
  score: number;
}

/** One gold set's result, exactly BlazingText's eval.json entry. */
export interface WordSimilarityResult {
  not_found: number;
  spearmans_rho: number;
  total_pairs: number;
}

/** eval.json as BlazingText writes it: one entry per gold file name, plus mean_rho. */
export type EvalJson = Record<string, WordSimilarityResult | number> & { mean_rho: number };

/** A gold file read into memory, keyed by the name eval.json uses for it. */
export interface WordSimilaritySet {
  name: string;
  pairs: WordPair[];
}

/** The WS-353 files BlazingText evaluates on. */
const BUNDLED_WS353 = ['EN-WS-353-ALL.txt', 'EN-WS-353-REL.txt', 'EN-WS-353-SIM.txt'].map((name) => packageFile('data', 'wordsim', name));

/** Reads "word1<TAB or space>word2<sep>score" lines; a clear error naming the file and line for malformed ones. */
export async function readWordSimilarityFile(path: string): Promise<WordPair[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputDataError(path, `cannot read word-similarity file (${(error as Error).message})`);
  }
  const pairs: WordPair[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/[\t ]+/);
    const score = Number(fields[2]);
    if (fields.length !== 3 || fields[2] === '' || !Number.isFinite(score)) {
      throw new InputDataError(`${path}:${i + 1}`, `expected "word1 word2 score" (tab or space separated), got ${JSON.stringify(line)}`);
    }
    pairs.push({ a: fields[0]!, b: fields[1]!, score });
  }
  return pairs;
}

/** Spearman correlation of cosine similarities against gold scores over the pairs whose words both have vectors. */
export function evaluateWordSimilarity(vectors: WordVectors, pairs: WordPair[]): WordSimilarityResult {
  const predicted: number[] = [];
  const gold: number[] = [];
  let notFound = 0;
  for (const pair of pairs) {
    const similarity = vectors.similarity(pair.a.toLowerCase(), pair.b.toLowerCase());
    if (similarity === undefined) {
      notFound++;
      continue;
    }
    predicted.push(similarity);
    gold.push(pair.score);
  }
  return { not_found: notFound, spearmans_rho: spearman(predicted, gold), total_pairs: pairs.length };
}

/** Reads the bundled WS-353 files and any extra gold files; extra files are keyed by their base name, which must be unique. */
export async function loadWordSimilaritySets(extraFiles: string[] = []): Promise<WordSimilaritySet[]> {
  const paths = [...BUNDLED_WS353, ...extraFiles];
  const sets: WordSimilaritySet[] = [];
  for (const path of paths) {
    const name = basename(path);
    if (name === 'mean_rho' || sets.some((set) => set.name === name)) {
      throw new InputDataError(path, `another word-similarity file is already named '${name}' in eval.json`);
    }
    sets.push({ name, pairs: await readWordSimilarityFile(path) });
  }
  return sets;
}

/**
 * eval.json for already loaded gold sets. mean_rho averages every set, extra files included: a user who
 * adds a gold file wants it to count, and with no extra files this is exactly BlazingText's mean over
 * ALL/REL/SIM. Keys are in sorted order, as BlazingText (Python's json.dump with sort_keys) writes them.
 */
export function evaluateWordSimilaritySets(vectors: WordVectors, sets: WordSimilaritySet[]): EvalJson {
  const entries = new Map<string, WordSimilarityResult | number>();
  let sum = 0;
  for (const set of sets) {
    const result = evaluateWordSimilarity(vectors, set.pairs);
    entries.set(set.name, result);
    sum += result.spearmans_rho;
  }
  entries.set('mean_rho', sets.length === 0 ? 0 : sum / sets.length);
  const json: Record<string, WordSimilarityResult | number> = {};
  for (const key of [...entries.keys()].sort()) json[key] = entries.get(key)!;
  return json as EvalJson;
}

/** WS-353 ALL/REL/SIM (bundled) plus any extra gold files, keyed by file name, with mean_rho over all of them. */
export async function evaluateWordSimilarityFiles(vectors: WordVectors, extraFiles?: string[]): Promise<EvalJson> {
  return evaluateWordSimilaritySets(vectors, await loadWordSimilaritySets(extraFiles));
}

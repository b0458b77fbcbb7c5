// Random inputs for the spec parsers' fuzz tests: a seeded generator, random JSON-like values, random mutations of a
// valid spec, random edits of its text.

export type Random = () => number;

/** A seeded generator of floats in [0, 1), so that a failing case can be run again. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** A random value: scalars (edge-case numbers, `words`, random strings), arrays and objects keyed by `words`. */
export function randomValue(random: Random, words: readonly string[], depth = 0): unknown {
  switch (Math.floor(random() * (depth > 3 ? 4 : 7))) {
    case 0:
      return pick(random, [null, true, false, undefined]);
    case 1:
      return pick(random, [0, 1, -1, 1.5, 2 ** 53, -(2 ** 60), 1e308, Number.NaN, Number.POSITIVE_INFINITY, 3600, 2_419_201]);
    case 2:
      return pick(random, words);
    case 3:
      return String.fromCharCode(...Array.from({ length: Math.floor(random() * 8) }, () => Math.floor(random() * 0x250)));
    case 4:
      return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, words, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 5) }, () => [pick(random, words), randomValue(random, words, depth + 1)]));
  }
}

/** A copy of `value` with one random node replaced, removed, or given an extra key. */
export function mutate(value: unknown, random: Random, words: readonly string[]): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  let parent: Record<string, unknown> | unknown[] = copy;
  for (;;) {
    const keys = Object.keys(parent);
    if (keys.length === 0) break;
    const key = pick(random, keys);
    const child = (parent as Record<string, unknown>)[key];
    const r = random();
    if (typeof child !== 'object' || child === null || r < 0.3) {
      if (r < 0.15) delete (parent as Record<string, unknown>)[key];
      else (parent as Record<string, unknown>)[key] = randomValue(random, words, 2);
      return copy;
    }
    parent = child as Record<string, unknown>;
  }
  (parent as Record<string, unknown>)[pick(random, words)] = randomValue(random, words, 2);
  return copy;
}

const TEXT_INSERTS = ['{', '}', '[', ']', ':', ',', '"', "'", '\n', ' ', '  ', '-', '#', '&a', '*a', '!!', '|', '>', '\t', '1', 'x'];

/** `text` with one to three random characters replaced by JSON and YAML punctuation, or removed. */
export function editText(text: string, random: Random): string {
  let out = text;
  for (let edits = 1 + Math.floor(random() * 3); edits > 0; edits--) {
    const at = Math.floor(random() * out.length);
    const insert = random() < 0.5 ? pick(random, TEXT_INSERTS) : '';
    out = out.slice(0, at) + insert + out.slice(at + 1 + Math.floor(random() * 3));
  }
  return out;
}

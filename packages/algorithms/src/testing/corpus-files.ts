import { writeFileSync } from 'node:fs';

/** Writes `lines` as a text file, each line ended by a newline. */
export function writeLines(path: string, lines: readonly string[]): void {
  writeFileSync(path, lines.join('\n') + '\n');
}

export interface TopicCorpus {
  seed: number;
  lines: number;
  wordsPerLine: number;
  /** The words line `line` draws from, so that words of one topic co-occur. */
  wordsOfLine: (line: number) => readonly string[];
}

/** A corpus of random lines, the same on every run: words drawn by a Park-Miller generator started at `seed`. */
export function writeTopicCorpus(path: string, corpus: TopicCorpus): void {
  let state = corpus.seed;
  const random = (): number => (state = (state * 16807) % 2147483647) / 2147483647;
  const lines = Array.from({ length: corpus.lines }, (_, line) => {
    const words = corpus.wordsOfLine(line);
    return Array.from({ length: corpus.wordsPerLine }, () => words[Math.floor(random() * words.length)]).join(' ');
  });
  writeLines(path, lines);
}

/** Three topics of a labelled set: each line mixes words of its topic with shared filler, learnable but not trivially. */
export const LABELED_TOPICS: Readonly<Record<string, readonly string[]>> = {
  sport: ['goal', 'match', 'team', 'coach', 'league', 'score'],
  food: ['bread', 'sauce', 'oven', 'salt', 'recipe', 'butter'],
  music: ['guitar', 'song', 'band', 'chord', 'album', 'drum'],
};
const FILLER = ['the', 'a', 'of', 'and', 'today', 'very', 'new', 'old'];

export interface LabeledTopicSet {
  lines: number;
  /** The generator that draws everything (seededRandom(seed) for the same set on every run). */
  random: () => number;
  /** Share of lines shown with a random label instead of their topic's. */
  noise?: number;
  /** Share of lines given a second, random label. */
  secondLabel?: number;
}

/** Writes a fastText-format labelled set: line i is of topic i mod 3, eight words, each of its topic with p = 0.35. */
export function writeLabeledTopicSet(path: string, { lines, random, noise = 0, secondLabel = 0 }: LabeledTopicSet): void {
  const labels = Object.keys(LABELED_TOPICS);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const rows = Array.from({ length: lines }, (_, i) => {
    const label = labels[i % labels.length]!;
    const shown = random() < noise ? pick(labels) : label;
    const extra = secondLabel > 0 && random() < secondLabel ? ` __label__${pick(labels)}` : '';
    const words = Array.from({ length: 8 }, () => (random() < 0.35 ? pick(LABELED_TOPICS[label]!) : pick(FILLER)));
    return `__label__${shown}${extra} ${words.join(' ')}`;
  });
  writeLines(path, rows);
}

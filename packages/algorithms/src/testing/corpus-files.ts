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

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readFastTextModel } from '../formats/fasttext-model.js';
import { fastTextRows, hasFastText, trainFastText } from '../testing/reference-tools.js';
import { temporaryDirectory } from '../testing/temporary-directory.js';
import { Classifier } from './classifier.js';
import { tokenizeText } from './labeled-data.js';

const trec = fileURLToPath(new URL('../../../../../shared/data/classify/trec.train', import.meta.url));
let haveTrec = true;
try {
  readFileSync(trec);
} catch {
  haveTrec = false;
}
const directory = temporaryDirectory('classifier-test-');

describe.skipIf(!hasFastText() || !haveTrec)('Classifier predictions equal fastText predict-prob', () => {
  const lines = readFileSync(trec, 'utf8').split('\n').filter(Boolean);
  writeFileSync(join(directory, 'train.txt'), lines.slice(0, 2000).join('\n') + '\n');
  const texts = lines.slice(4000, 4040).map((line) => line.replace(/__label__\S+\s*/g, ''));
  writeFileSync(join(directory, 'texts.txt'), texts.join('\n') + '\n');

  it.each(['softmax', 'ns', 'hs'] as const)('with loss %s, top-3 labels and probabilities', async (loss) => {
    const name = `m-${loss}`;
    trainFastText(directory, ['supervised', '-input', 'train.txt', '-output', name, '-loss', loss, '-wordNgrams', '2', '-bucket', '20000', '-dim', '16', '-epoch', '5', '-lr', '0.5', '-minn', '2', '-maxn', '4']);
    const classifier = Classifier.fromFastTextModel(await readFastTextModel(join(directory, `${name}.bin`)));
    const expected = fastTextRows(['predict-prob', `${name}.bin`, 'texts.txt', '3'], { cwd: directory });
    expect(expected).toHaveLength(texts.length);
    texts.forEach((text, i) => {
      const ours = classifier.predict(text, 3);
      const row = expected[i]!;
      const theirs = { labels: row.filter((_, j) => j % 2 === 0), probabilities: row.filter((_, j) => j % 2 === 1).map(Number) };
      // fastText prints exp(log(p + 1e-5)) rounded to 5 digits.
      expect(ours.probabilities).toHaveLength(theirs.probabilities.length);
      ours.probabilities.forEach((p, j) => expect(p + 1e-5).toBeCloseTo(theirs.probabilities[j]!, 4));
      // Labels must agree wherever the probability is not tied (ns reads sigmoid from a table, so ties happen).
      theirs.labels.forEach((label, j) => {
        const tied = theirs.probabilities.filter((p) => Math.abs(p - theirs.probabilities[j]!) < 1e-6).length > 1;
        if (!tied && j < theirs.labels.length - 1) expect(ours.labels[j]).toBe(label);
      });
    });
  });

  it('applies the threshold and k like fastText', async () => {
    const classifier = Classifier.fromFastTextModel(await readFastTextModel(join(directory, 'm-softmax.bin')));
    const expected = fastTextRows(['predict-prob', 'm-softmax.bin', 'texts.txt', '6', '0.2'], { cwd: directory });
    texts.forEach((text, i) => {
      const row = expected[i]!.filter((field) => field !== '');
      expect(classifier.predict(text, 6, 0.2).labels).toEqual(row.filter((_, j) => j % 2 === 0));
    });
  });
});

describe('Classifier', () => {
  it('tokenizes prediction input like training input', () => {
    expect(tokenizeText('What IS "the" capital, of France?')).toEqual(['what', 'is', 'the', 'capital', ',', 'of', 'france', '?']);
  });
});

import { formatFloat32 } from '@blazefleet/algorithms';
import { describe, expect, it } from 'vitest';
import { numberedWords } from '../../algorithms/src/testing/test-vectors.js';
import { HttpError } from './http-error.js';
import { invocationAnswers } from './model-answers.js';
import { servedWordVectors } from './served-model.js';
import { randomVectors } from './testing/tiny-models.js';

const vectors = randomVectors(numberedWords(20), 5, 3);
const model = servedWordVectors(vectors);

describe('invocationAnswers', () => {
  it("writes a word's vector as vectors.txt writes its numbers", () => {
    const [answer] = invocationAnswers(model, [{ text: 'w4', k: undefined }]);
    const numbers = Array.from(vectors.vector('w4')!, formatFloat32).join(',');
    expect(answer).toBe(`{"vector":[${numbers}],"word":"w4"}`);
  });

  it('refuses an answer longer than the limit before writing all of it', () => {
    const invocations = numberedWords(20).map((text) => ({ text, k: undefined }));
    const whole = invocationAnswers(model, invocations).join('\n').length + 1;
    expect(invocationAnswers(model, invocations, whole)).toHaveLength(20);
    expect(() => invocationAnswers(model, invocations, whole - 1)).toThrow(
      new HttpError(413, `the answer to 20 instances would be over ${whole - 1} characters: send fewer in one request`),
    );
  });
});

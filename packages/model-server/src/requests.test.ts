import { describe, expect, it } from 'vitest';
import { HttpError } from './http-error.js';
import { parseInvocations, parseMostSimilar, parseSimilarity } from './requests.js';

/** The 400 message that parsing `body` gives. */
function refusal(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(400);
    return (error as HttpError).message;
  }
  throw new Error('expected a refusal');
}

describe('parseInvocations', () => {
  it('reads instances and k from a JSON request, k as a number or a string of digits', () => {
    expect(parseInvocations('{"instances": ["a b", "c"], "configuration": {"k": 2}}', 'json')).toEqual([
      { text: 'a b', k: 2 },
      { text: 'c', k: 2 },
    ]);
    expect(parseInvocations('{"instances": ["a"], "configuration": {"k": "3"}}', 'json')).toEqual([{ text: 'a', k: 3 }]);
    expect(parseInvocations('{"instances": [], "configuration": {}}', 'json')).toEqual([]);
  });

  it('reads JSON Lines of {"source": ...} records and JSON strings, skipping blank lines', () => {
    expect(parseInvocations('{"source": "a b", "k": 2}\r\n\n"c"\n{"source": "d"}', 'jsonlines')).toEqual([
      { text: 'a b', k: 2 },
      { text: 'c', k: undefined },
      { text: 'd', k: undefined },
    ]);
  });

  it.each([
    ['{"instances": ["a"', /^request body is not valid JSON: /],
    ['', /^request body is not valid JSON: /],
    ['{"text": ["a"]}', /^instances: required: expected an array of strings$/],
    ['["a"]', /^request body: expected a JSON object .*got an array$/],
    ['{"instances": "a b"}', /^instances: expected an array of strings, got "a b"$/],
    ['{"instances": ["a", 5, null]}', /^instances\[1\]: expected a string, got 5; instances\[2\]: expected a string, got null$/],
    ['{"instances": ["a"], "configuration": {"k": 0}}', /^configuration\.k: expected a positive integer, got 0$/],
    ['{"instances": ["a"], "configuration": {"k": 1.5}}', /^configuration\.k: expected a positive integer, got 1\.5$/],
    ['{"instances": ["a"], "configuration": 2}', /^configuration: expected an object such as \{"k": 2\}, got 2$/],
  ])('refuses the JSON request %s, naming the field', (body, message) => {
    expect(refusal(() => parseInvocations(body, 'json'))).toMatch(message);
  });

  it.each([
    ['{"source": "a"}\n{"source": 1}', /^line 2: source: expected a string, got 1$/],
    ['"a"\n{"text": "b"}', /^line 2: source: required: expected a string$/],
    ['"a"\n\n[1]', /^line 3: expected a JSON string or an object .*got an array$/],
    ['{"source": "a"}\n{oops}', /^line 2 is not valid JSON: /],
    ['{"source": "a", "k": -1}', /^line 1: k: expected a positive integer, got -1$/],
  ])('refuses the JSON Lines %s, naming the line and the field', (body, message) => {
    expect(refusal(() => parseInvocations(body, 'jsonlines'))).toMatch(message);
  });

  it('names five problems and counts the rest', () => {
    const message = refusal(() => parseInvocations(JSON.stringify({ instances: Array.from({ length: 8 }, (_, i) => i) }), 'json'));
    expect(message.match(/expected a string/g)).toHaveLength(5);
    expect(message).toMatch(/\(and 3 more problems\)$/);
  });
});

describe('parseMostSimilar and parseSimilarity', () => {
  it('read gensim-style arguments, k 10 unless given', () => {
    expect(parseMostSimilar('{"positive": ["king", "woman"], "negative": ["man"]}')).toEqual({ positive: ['king', 'woman'], negative: ['man'], k: 10 });
    expect(parseMostSimilar('{"negative": ["man"], "k": 3}')).toEqual({ positive: [], negative: ['man'], k: 3 });
    expect(parseSimilarity('{"pairs": [["a", "b"], ["c", "d"]]}')).toEqual([['a', 'b'], ['c', 'd']]);
  });

  it.each([
    [() => parseMostSimilar('{"k": 3}'), /^positive, negative: expected at least one word/],
    [() => parseMostSimilar('{"positive": "king"}'), /^positive: expected an array of words, got "king"$/],
    [() => parseMostSimilar('{"positive": ["king"], "k": 1001}'), /^k: expected an integer from 1 to 1000, got 1001$/],
    [() => parseSimilarity('{"pairs": [["a", "b", "c"]]}'), /^pairs\[0\]: /],
    [() => parseSimilarity('{"pairs": [["a", 2]]}'), /^pairs\[0\]\[1\]: expected a string, got 2$/],
    [() => parseSimilarity('{}'), /^pairs: required: expected an array of word pairs$/],
  ])('refuse malformed requests, naming the field (%#)', (parse, message) => {
    expect(refusal(parse)).toMatch(message);
  });
});

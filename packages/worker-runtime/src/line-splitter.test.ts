import { describe, expect, it } from 'vitest';
import { LineSplitter } from './line-splitter.js';

function split(chunks: Buffer[], maxLineLength?: number): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line), maxLineLength);
  for (const chunk of chunks) splitter.write(chunk);
  splitter.end();
  return lines;
}

describe('LineSplitter', () => {
  it('gives the same lines however the bytes are cut, a character split across chunks included', () => {
    const bytes = Buffer.from('première ligne\r\nzweite Zeile 😀\n\nlast without newline');
    const whole = split([bytes]);
    expect(whole).toEqual(['première ligne', 'zweite Zeile 😀', '', 'last without newline']);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(split([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(whole);
    }
    expect(split([...bytes].map((byte) => Buffer.from([byte])))).toEqual(whole);
  });

  it('passes on a run of text without newlines in pieces of the longest line', () => {
    expect(split([Buffer.from('abcdefghij'), Buffer.from('klm\nn')], 4)).toEqual(['abcd', 'efgh', 'ijkl', 'm', 'n']);
    expect(split([Buffer.from('abcdefgh'), Buffer.from('\nn')], 4)).toEqual(['abcd', 'efgh', 'n']);
    expect(split([Buffer.from('abcdefghi\n')], 4)).toEqual(['abcd', 'efgh', 'i']);
  });
});

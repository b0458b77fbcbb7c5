import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORD2VEC_HYPERPARAMETERS } from '@blazefleet/core';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './blazefleet-cli.js';

// The README's hyperparameter reference is what users read: it must say what the schema enforces.
const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('### Hyperparameters'), readme.indexOf('### The algorithms'));
const rows = new Map(
  [...section.matchAll(/^\| `(\w+)` \| ([^|]+) \| ([^|]+) \|/gm)].map((m) => [
    m[1]!,
    { default: m[2]!.trim(), valid: m[3]!.trim() },
  ]),
);

describe('README hyperparameter table', () => {
  it.each(Object.entries(WORD2VEC_HYPERPARAMETERS))('documents %s with its default and range', (name, field) => {
    const row = rows.get(name);
    expect(row, `README row for ${name}`).toBeDefined();
    expect(row!.default).toBe(field.default === undefined ? '(required)' : String(field.default));
    const range = /[[(][^\]]+\]/.exec(field.expected)?.[0];
    if (range) expect(row!.valid).toContain(range);
  });
  it('documents no hyperparameter the schema does not know', () => {
    expect([...rows.keys()].sort()).toEqual(Object.keys(WORD2VEC_HYPERPARAMETERS).sort());
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SUPERVISED_HYPERPARAMETERS, WORD2VEC_HYPERPARAMETERS, type HyperparameterField } from '@blazefleet/core';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './blazefleet-cli.js';

// The README's hyperparameter references are what users read: they must say what the schemas enforce.
const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

function tableAfter(heading: string): Map<string, { default: string; valid: string }> {
  const start = readme.indexOf(heading);
  const section = readme.slice(start, readme.indexOf('\n#', start + heading.length));
  return new Map(
    [...section.matchAll(/^\| `(\w+)` \| ([^|]+) \| ([^|]+) \|/gm)].map((m) => [m[1]!, { default: m[2]!.trim(), valid: m[3]!.trim() }]),
  );
}

describe.each([
  ['### Hyperparameters (word2vec)', WORD2VEC_HYPERPARAMETERS],
  ['### Hyperparameters (supervised)', SUPERVISED_HYPERPARAMETERS],
] as [string, Record<string, HyperparameterField<unknown>>][])('README table "%s"', (heading, schema) => {
  const rows = tableAfter(heading);
  it.each(Object.entries(schema))('documents %s with its default and range', (name, field) => {
    const row = rows.get(name);
    expect(row, `README row for ${name}`).toBeDefined();
    expect(row!.default).toBe(field.default === undefined ? '(required)' : String(field.default));
    const range = /[[(][^\]]+\]/.exec(field.expected)?.[0];
    if (range) expect(row!.valid).toContain(range);
  });
  it('documents no hyperparameter the schema does not know', () => {
    expect([...rows.keys()].sort()).toEqual(Object.keys(schema).sort());
  });
});

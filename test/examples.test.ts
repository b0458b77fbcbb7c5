import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTrainingJobSpec, parseTuningJobSpec } from '../packages/core/src/index.js';
import { repoRoot } from './blazefleet-cli.js';

const example = (name: string): unknown => JSON.parse(readFileSync(join(repoRoot, 'examples', name), 'utf8'));

describe('the example specs', () => {
  it('word2vec-job.json is a valid training job', () => {
    expect(parseTrainingJobSpec(example('word2vec-job.json')).name).toBe('w2v-example');
  });

  it('word2vec-tuning.json is a valid tuning job reading the corpus the compose stack puts into its bucket', () => {
    const spec = parseTuningJobSpec(example('word2vec-tuning.json'));
    const compose = readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8');
    const uploaded = /"upload", "--create-bucket", "\/examples\/([^"]+)", "s3:\/\/\$\{BLAZEFLEET_BUCKET:-([a-z0-9-]+)\}\/([^"]+)"/.exec(compose);
    expect(uploaded).not.toBeNull();
    const [, file, bucket, prefix] = uploaded!;
    expect(spec.trainingJobDefinition.inputDataConfig[0]!.uri).toBe(`s3://${bucket}/${prefix}${file}`);
    expect(spec.trainingJobDefinition.outputPath.startsWith(`s3://${bucket}/`)).toBe(true);
  });
});

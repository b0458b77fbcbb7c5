import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { temporaryDirectory } from '../packages/algorithms/src/testing/temporary-directory.js';
import { blazefleetBin, repoRoot } from './blazefleet-cli.js';
import { TestFleet } from './fleet-support.js';

/** A test fleet with a bucket, two workers and what tuning tests do with it: specs, schedulers, describe, analytics. */
export class TuningTestBed {
  readonly dir: string;
  #fleet: TestFleet | undefined;

  constructor(
    directoryPrefix: string,
    readonly bucket: string,
  ) {
    this.dir = temporaryDirectory(directoryPrefix);
  }

  get fleet(): TestFleet {
    return this.#fleet!;
  }

  async start(): Promise<TestFleet> {
    const fleet = (this.#fleet = await TestFleet.start());
    await fleet.createBucket(this.bucket);
    fleet.startWorker(join(this.dir, 'work-a'));
    fleet.startWorker(join(this.dir, 'work-b'));
    await Promise.all(fleet.workers.map((worker) => worker.waitForLog(/worker started/)));
    return fleet;
  }

  startScheduler = (): ChildProcess =>
    spawn(process.execPath, [blazefleetBin, 'scheduler'], { cwd: repoRoot, env: { ...process.env, ...this.fleet.env({ BLAZEFLEET_LEASE_MS: '3000' }) }, stdio: 'ignore' });

  writeTuningSpec = (name: string, spec: Record<string, unknown>): string => {
    const path = join(this.dir, `${name}.json`);
    writeFileSync(path, JSON.stringify({ name, ...spec }));
    return path;
  };

  /** A trial whose score per step is x * step (x tuned in [0, 1]): low x is clearly worse at every step. */
  scoreCommandDefinition = (steps: number, stepSeconds: number) => ({
    algorithm: {
      command: ['/bin/sh', '-c', `i=1; while [ $i -le ${steps} ]; do echo "score=$(awk "BEGIN{print $SM_HP_X * $i}")"; sleep ${stepSeconds}; i=$((i+1)); done`],
      metricDefinitions: [{ name: 'score', regex: 'score=([0-9.eE+-]+)' }],
    },
    hyperParameters: {},
    inputDataConfig: [],
    outputPath: `s3://${this.bucket}/tuning-output`,
    resourceConfig: { instanceType: 'ml.c5.xlarge', instanceCount: 1 },
    stoppingCondition: { maxRuntimeInSeconds: 300 },
  });

  describeTuning = (name: string): Record<string, any> => {
    const run = this.fleet.cli(['tuning', 'describe', name, '--json']);
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as Record<string, any>;
  };

  analytics = (name: string): Record<string, any>[] => {
    const run = this.fleet.cli(['tuning', 'analytics', name, '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as Record<string, any>[];
  };
}

import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, relative, sep } from 'node:path';
import { hostName, type TrainingJobSpec } from '@blazefleet/core';

/** One instance of a job on several: its rank (0 for algo-1) and where every rank's training listens (host:port). */
export interface TrialHost {
  rank: number;
  addresses: readonly string[];
}

/** The one host of a single-instance trial. */
const SINGLE_HOST: TrialHost = { rank: 0, addresses: [] };

/** Variables of the worker's own environment that a trial gets; credentials and the rest stay with the worker. */
const INHERITED_VARIABLES = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'] as const;

/**
 * One attempt's directory, laid out as SageMaker's `/opt/ml`:
 *
 * ```
 * input/config/hyperparameters.json  inputdataconfig.json  resourceconfig.json  [checkpointconfig.json]
 * input/data/<channel>/              model/   output/ (failure)   output/data/   [checkpoints/]
 * ```
 *
 * plus `.blazefleet/`, where the runtime keeps the trial log and the archives it builds.
 */
export class TrialDirectory {
  private constructor(
    readonly root: string,
    private readonly spec: TrainingJobSpec,
    readonly host: TrialHost,
  ) {}

  /**
   * Creates `<workRoot>/<job name>-<attempt>-<random>/` with the layout above and the config files SageMaker writes;
   * `host` for one instance of a job on several.
   */
  static async create(workRoot: string, spec: TrainingJobSpec, attempt: number, instanceType: string, host = SINGLE_HOST): Promise<TrialDirectory> {
    await mkdir(workRoot, { recursive: true });
    const directory = new TrialDirectory(await mkdtemp(join(workRoot, `${spec.name}-${attempt}-`)), spec, host);
    try {
      await directory.write(instanceType);
    } catch (error) {
      await directory.remove();
      throw error;
    }
    return directory;
  }

  get configDir(): string {
    return join(this.root, 'input', 'config');
  }
  get modelDir(): string {
    return join(this.root, 'model');
  }
  get outputDir(): string {
    return join(this.root, 'output');
  }
  get outputDataDir(): string {
    return join(this.root, 'output', 'data');
  }
  get failureFile(): string {
    return join(this.root, 'output', 'failure');
  }
  /** Present only when the job has a checkpointConfig. */
  get checkpointDir(): string {
    return join(this.root, 'checkpoints');
  }
  /** The runtime's own files: the trial log, the archives it uploads. */
  get runtimeDir(): string {
    return join(this.root, '.blazefleet');
  }

  /** SageMaker's host names of the job's instances: algo-1 ... algo-N. */
  get hostNames(): string[] {
    return Array.from({ length: Math.max(1, this.host.addresses.length) }, (_, rank) => hostName(rank));
  }

  get currentHost(): string {
    return hostName(this.host.rank);
  }

  channelDir(channelName: string): string {
    return join(this.root, 'input', 'data', channelName);
  }

  /** A path below the trial directory as the trial sees it (`input/data/train/part-0.txt`), for messages. */
  relativePath(path: string): string {
    return relative(this.root, path).split(sep).join('/');
  }

  /**
   * The environment of the trial process: PATH and a few locale variables of the worker, then `spec.environment`,
   * then SageMaker's `SM_*` variables (and Blazefleet's SM_CHECKPOINT_DIR), which win over both. A job on several
   * instances also gets BLAZEFLEET_HOST_ADDRESSES, where each host's training listens: {"algo-1": "10.0.0.2:7777", ...}.
   */
  environment(workerEnvironment: NodeJS.ProcessEnv): Record<string, string> {
    const env: Record<string, string> = {};
    for (const name of INHERITED_VARIABLES) {
      const value = workerEnvironment[name];
      if (value !== undefined) env[name] = value;
    }
    Object.assign(env, this.spec.environment);
    const channels = this.spec.inputDataConfig.map((channel) => channel.channelName);
    const hyperparameters = this.spec.hyperParameters;
    Object.assign(env, {
      TRAINING_JOB_NAME: this.spec.name,
      SM_MODEL_DIR: this.modelDir,
      SM_OUTPUT_DIR: this.outputDir,
      SM_OUTPUT_DATA_DIR: this.outputDataDir,
      SM_INPUT_DIR: join(this.root, 'input'),
      SM_INPUT_CONFIG_DIR: this.configDir,
      SM_CHANNELS: JSON.stringify(channels),
      SM_HPS: JSON.stringify(hyperparameters),
      SM_CURRENT_HOST: this.currentHost,
      SM_HOSTS: JSON.stringify(this.hostNames),
      SM_NUM_CPUS: String(availableParallelism()),
    });
    for (const name of channels) env[`SM_CHANNEL_${name.toUpperCase()}`] = this.channelDir(name);
    for (const [name, value] of Object.entries(hyperparameters)) env[`SM_HP_${name.toUpperCase()}`] = value;
    if (this.spec.checkpointConfig !== undefined) env.SM_CHECKPOINT_DIR = this.checkpointDir;
    if (this.host.addresses.length > 1) env.BLAZEFLEET_HOST_ADDRESSES = JSON.stringify(this.#hostAddresses());
    return env;
  }

  #hostAddresses(): Record<string, string> {
    return Object.fromEntries(this.host.addresses.map((address, rank) => [hostName(rank), address]));
  }

  /** The last non-empty line of output/failure, where an algorithm writes why it failed; undefined when there is none. */
  async failureMessage(): Promise<string | undefined> {
    const text = await readFile(this.failureFile, 'utf8').catch(() => '');
    return lastNonEmptyLine(text);
  }

  /** Removes the whole trial directory. */
  async remove(): Promise<void> {
    await rm(this.root, { recursive: true, force: true, maxRetries: 3 });
  }

  private async write(instanceType: string): Promise<void> {
    const { spec } = this;
    const directories = [this.configDir, this.modelDir, this.outputDataDir, this.runtimeDir];
    directories.push(...spec.inputDataConfig.map((channel) => this.channelDir(channel.channelName)));
    if (spec.checkpointConfig !== undefined) directories.push(this.checkpointDir);
    for (const dir of directories) await mkdir(dir, { recursive: true });

    const inputDataConfig = Object.fromEntries(
      spec.inputDataConfig.map((channel) => [
        channel.channelName,
        {
          ...(channel.contentType === undefined ? {} : { ContentType: channel.contentType }),
          TrainingInputMode: channel.inputMode,
          S3DistributionType: channel.s3DataDistributionType,
          RecordWrapperType: 'None',
          CompressionType: channel.compressionType,
        },
      ]),
    );
    const resourceConfig = {
      current_host: this.currentHost,
      current_instance_type: instanceType,
      hosts: this.hostNames,
      network_interface_name: 'eth0',
      ...(this.host.addresses.length > 1 ? { host_addresses: this.#hostAddresses() } : {}),
    };
    const config: [string, unknown][] = [
      ['hyperparameters.json', spec.hyperParameters],
      ['inputdataconfig.json', inputDataConfig],
      ['resourceconfig.json', resourceConfig],
    ];
    if (spec.checkpointConfig !== undefined) {
      config.push(['checkpointconfig.json', { LocalPath: this.checkpointDir, S3Uri: spec.checkpointConfig.uri }]);
    }
    for (const [name, value] of config) await writeFile(join(this.configDir, name), `${JSON.stringify(value)}\n`);
  }
}

/** The files below `dir`, as `/`-separated paths relative to it, sorted; none when `dir` is missing. */
export async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

function lastNonEmptyLine(text: string): string | undefined {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (line !== '') return line;
  }
  return undefined;
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BlazefleetError, TrainingJobSpecError } from './errors.js';
import { parseTransformHyperparameters, TRANSFORM_HYPERPARAMETERS } from './hyperparameters/transform.js';
import { parseTrainingJobSpec, parseTrainingJobSpecText, type TrainingJobSpec } from './training-job.js';

const MINIMAL = {
  name: 'w2v-1',
  algorithm: 'blazingtext',
  hyperParameters: { mode: 'skipgram', epochs: '1' },
  inputDataConfig: [{ channelName: 'train', uri: 's3://bucket/corpus/' }],
  outputPath: 's3://bucket/output',
  resourceConfig: { instanceType: 'ml.c5.2xlarge', instanceCount: 1 },
  stoppingCondition: { maxRuntimeInSeconds: 3600 },
};

type Spec = Record<string, any>;
const minimal = (): Spec => structuredClone(MINIMAL);

function specError(value: unknown): TrainingJobSpecError {
  try {
    parseTrainingJobSpec(value);
  } catch (error) {
    if (error instanceof TrainingJobSpecError) return error;
    throw error;
  }
  throw new Error('expected a TrainingJobSpecError');
}

function textError(text: string, source = 'job.yaml'): TrainingJobSpecError {
  try {
    parseTrainingJobSpecText(text, source);
  } catch (error) {
    if (error instanceof TrainingJobSpecError) return error;
    throw error;
  }
  throw new Error('expected a TrainingJobSpecError');
}

const reparsed = (spec: TrainingJobSpec) => parseTrainingJobSpec(JSON.parse(JSON.stringify(spec)));

describe('parseTrainingJobSpec', () => {
  it('fills in every default of the minimal blazingtext spec', () => {
    expect(parseTrainingJobSpec(MINIMAL)).toEqual({
      name: 'w2v-1',
      algorithm: 'blazingtext',
      hyperParameters: { mode: 'skipgram', epochs: '1' },
      inputDataConfig: [{ channelName: 'train', uri: 's3://bucket/corpus/', compressionType: 'None', s3DataDistributionType: 'FullyReplicated', inputMode: 'File' }],
      outputPath: 's3://bucket/output',
      resourceConfig: { instanceType: 'ml.c5.2xlarge', instanceCount: 1, allowCpuFallback: false },
      stoppingCondition: { maxRuntimeInSeconds: 3600 },
      retryStrategy: { maximumRetryAttempts: 1 },
      environment: {},
      tags: [],
      stopGracePeriodSeconds: 120,
    });
  });

  it('defaults the stopping condition and instance count when they are left out', () => {
    const spec = minimal();
    delete spec.stoppingCondition;
    delete spec.resourceConfig.instanceCount;
    const parsed = parseTrainingJobSpec(spec);
    expect(parsed.stoppingCondition).toEqual({ maxRuntimeInSeconds: 86_400 });
    expect(parsed.resourceConfig.instanceCount).toBe(1);
  });

  it('does not change the value it was given', () => {
    const spec = minimal();
    parseTrainingJobSpec(spec);
    expect(spec).toEqual(MINIMAL);
  });

  it('reads a container spec with metric definitions; a command string runs through /bin/sh -c', () => {
    const spec = parseTrainingJobSpec({
      name: 'byo-7',
      algorithm: {
        command: 'python train.py --epochs 3',
        image: 'registry.example.com/trainer:1.2',
        metricDefinitions: [
          { name: 'train:loss', regex: 'train_loss=([0-9.]+)' },
          { name: 'validation:accuracy', regex: '(?:val|validation)_acc(?:uracy)?=([0-9.]+)' },
        ],
      },
      hyperParameters: { lr: '0.1' },
      inputDataConfig: [
        { channelName: 'train', uri: 'file://data/train', compressionType: 'Gzip', contentType: 'text/csv' },
        { channelName: 'extra', uri: 's3://bucket/extra/', s3DataDistributionType: 'ShardedByS3Key' },
      ],
      outputPath: 'file:///tmp/out',
      resourceConfig: { instanceType: 'ml.g4dn.xlarge', instanceCount: 2, volumeSizeInGB: 50 },
      retryStrategy: { maximumRetryAttempts: 3 },
      checkpointConfig: { uri: 's3://bucket/checkpoints/byo-7' },
      environment: { PYTHONUNBUFFERED: '1' },
      tags: [{ key: 'team', value: 'search' }],
      stopGracePeriodSeconds: 30,
    });
    expect(spec.algorithm).toEqual({
      command: ['/bin/sh', '-c', 'python train.py --epochs 3'],
      image: 'registry.example.com/trainer:1.2',
      metricDefinitions: [
        { name: 'train:loss', regex: 'train_loss=([0-9.]+)' },
        { name: 'validation:accuracy', regex: '(?:val|validation)_acc(?:uracy)?=([0-9.]+)' },
      ],
    });
    const [loss, accuracy] = (spec.algorithm as Exclude<TrainingJobSpec['algorithm'], string>).metricDefinitions;
    expect(new RegExp(loss!.regex).exec('epoch 2 train_loss=0.125 lr=0.1')?.[1]).toBe('0.125');
    expect(new RegExp(accuracy!.regex).exec('val_acc=0.93')?.[1]).toBe('0.93');
    expect(spec.checkpointConfig).toEqual({ uri: 's3://bucket/checkpoints/byo-7', localPath: '/opt/ml/checkpoints' });
    expect(spec.inputDataConfig[1]).toEqual({ channelName: 'extra', uri: 's3://bucket/extra/', compressionType: 'None', s3DataDistributionType: 'ShardedByS3Key', inputMode: 'File' });
    expect(spec.resourceConfig).toEqual({ instanceType: 'ml.g4dn.xlarge', instanceCount: 2, volumeSizeInGB: 50, allowCpuFallback: false });
    expect(reparsed(spec)).toEqual(spec);
  });

  it('keeps a command given as an argument array as it is', () => {
    const spec = parseTrainingJobSpec({ ...minimal(), algorithm: { command: ['python', 'train.py'], metricDefinitions: [] } });
    expect(spec.algorithm).toEqual({ command: ['python', 'train.py'], metricDefinitions: [] });
  });

  it('parses its own output to the same spec (the queue stores specs as JSON)', () => {
    const spec = parseTrainingJobSpec(MINIMAL);
    expect(reparsed(spec)).toEqual(spec);
  });

  it('accepts batch_skipgram on several instances, with sharded input', () => {
    const spec = parseTrainingJobSpec({
      ...minimal(),
      hyperParameters: { mode: 'batch_skipgram' },
      inputDataConfig: [{ channelName: 'train', uri: 's3://bucket/corpus/', s3DataDistributionType: 'ShardedByS3Key' }],
      resourceConfig: { instanceType: 'ml.c5.2xlarge', instanceCount: 4 },
    });
    expect(spec.resourceConfig.instanceCount).toBe(4);
    expect(spec.inputDataConfig[0]!.s3DataDistributionType).toBe('ShardedByS3Key');
  });

  it('accepts supervised early stopping with a validation channel', () => {
    const spec = parseTrainingJobSpec({
      ...minimal(),
      hyperParameters: { mode: 'supervised', early_stopping: 'true' },
      inputDataConfig: [
        { channelName: 'train', uri: 's3://bucket/train' },
        { channelName: 'validation', uri: 's3://bucket/validation' },
      ],
    });
    expect(spec.inputDataConfig.map((c) => c.channelName)).toEqual(['train', 'validation']);
  });
});

interface BadVariant {
  name: string;
  change: (spec: Spec) => void;
  path: string;
  reason: RegExp;
}

const container = (extra: Spec = {}) => ({ command: ['python', 'train.py'], metricDefinitions: [], ...extra });

const BAD_VARIANTS: BadVariant[] = [
  { name: 'name missing', change: (s) => delete s.name, path: 'name', reason: /^required: expected 1 to 63 letters/ },
  { name: 'name starting with a hyphen', change: (s) => (s.name = '-w2v'), path: 'name', reason: /got "-w2v"/ },
  { name: 'name of 64 characters', change: (s) => (s.name = 'a'.repeat(64)), path: 'name', reason: /1 to 63/ },
  { name: 'name with an underscore', change: (s) => (s.name = 'w2v_1'), path: 'name', reason: /got "w2v_1"/ },
  { name: 'unknown algorithm name', change: (s) => (s.algorithm = 'word2vec'), path: 'algorithm', reason: /"blazingtext", "blazingtext-transform" or a container.*got "word2vec"/ },
  { name: 'algorithm of the wrong type', change: (s) => (s.algorithm = 42), path: 'algorithm', reason: /got 42/ },
  { name: 'empty command', change: (s) => (s.algorithm = container({ command: [] })), path: 'algorithm.command', reason: /array of 1 to 100 arguments/ },
  { name: 'empty command string', change: (s) => (s.algorithm = container({ command: '' })), path: 'algorithm.command', reason: /got ""/ },
  { name: 'command argument not a string', change: (s) => (s.algorithm = container({ command: ['python', 3] })), path: 'algorithm.command[1]', reason: /got 3/ },
  { name: 'metric definitions missing', change: (s) => (s.algorithm = { command: 'x' }), path: 'algorithm.metricDefinitions', reason: /^required/ },
  {
    name: 'metric regex that does not compile',
    change: (s) => (s.algorithm = container({ metricDefinitions: [{ name: 'loss', regex: 'loss=([0-9.]+' }] })),
    path: 'algorithm.metricDefinitions[0].regex',
    reason: /compiles, got "loss=\(\[0-9\.\]\+"/,
  },
  {
    name: 'metric regex without a capture group',
    change: (s) => (s.algorithm = container({ metricDefinitions: [{ name: 'loss', regex: 'loss=[0-9.]+' }] })),
    path: 'algorithm.metricDefinitions[0].regex',
    reason: /exactly one capture group .*got 0/,
  },
  {
    name: 'metric regex with two capture groups',
    change: (s) => (s.algorithm = container({ metricDefinitions: [{ name: 'a', regex: 'x' }, { name: 'loss', regex: '(train|val)_loss=([0-9.]+)' }] })),
    path: 'algorithm.metricDefinitions[1].regex',
    reason: /got 2; make the others non-capturing/,
  },
  {
    name: 'duplicate metric names',
    change: (s) => (s.algorithm = container({ metricDefinitions: [{ name: 'loss', regex: '(1)' }, { name: 'loss', regex: '(2)' }] })),
    path: 'algorithm.metricDefinitions[1].name',
    reason: /duplicate metric name "loss"/,
  },
  { name: 'misspelled container field', change: (s) => (s.algorithm = container({ entrypoint: 'x' })), path: 'algorithm.entrypoint', reason: /unknown field \(known fields: command, image, metricDefinitions\)/ },
  { name: 'empty image', change: (s) => (s.algorithm = container({ image: '' })), path: 'algorithm.image', reason: /container image/ },
  { name: 'hyperparameter given as a number', change: (s) => (s.hyperParameters.epochs = 1), path: 'hyperParameters.epochs', reason: /got 1: .*write "1"/ },
  { name: 'hyperparameter given as a boolean', change: (s) => (s.hyperParameters.subwords = true), path: 'hyperParameters.subwords', reason: /write "true"/ },
  { name: 'misspelled hyperparameter', change: (s) => (s.hyperParameters.epoch = '3'), path: 'hyperParameters.epoch', reason: /did you mean 'epochs'\?/ },
  { name: 'hyperparameter out of range', change: (s) => (s.hyperParameters.epochs = '0'), path: 'hyperParameters.epochs', reason: /an integer in \[1, 10000\], got "0"/ },
  { name: 'hyperparameter mode missing', change: (s) => (s.hyperParameters = {}), path: 'hyperParameters.mode', reason: /required/ },
  { name: 'unknown mode', change: (s) => (s.hyperParameters.mode = 'glove'), path: 'hyperParameters.mode', reason: /got "glove"/ },
  { name: 'hyperparameters as an array', change: (s) => (s.hyperParameters = ['mode']), path: 'hyperParameters', reason: /object of string values, got an array/ },
  { name: 'hyperparameter value too long', change: (s) => Object.assign(s, { algorithm: container(), hyperParameters: { x: 'v'.repeat(2501) } }), path: 'hyperParameters.x', reason: /at most 2500/ },
  { name: 'no channels', change: (s) => (s.inputDataConfig = []), path: 'inputDataConfig', reason: /channel named train/ },
  { name: 'channels not an array', change: (s) => (s.inputDataConfig = { train: 's3://bucket/x' }), path: 'inputDataConfig', reason: /array of channels, got an object/ },
  { name: 's3 URI without a bucket', change: (s) => (s.inputDataConfig[0].uri = 's3:///corpus'), path: 'inputDataConfig[0].uri', reason: /with a bucket name/ },
  { name: 'bucket name with capitals', change: (s) => (s.inputDataConfig[0].uri = 's3://My_Bucket/x'), path: 'inputDataConfig[0].uri', reason: /bucket name .*got "My_Bucket"/ },
  { name: 'S3 key with an empty segment', change: (s) => (s.inputDataConfig[0].uri = 's3://bucket//x'), path: 'inputDataConfig[0].uri', reason: /empty, '\.' or '\.\.' segments/ },
  { name: 'file URI without a path', change: (s) => (s.inputDataConfig[0].uri = 'file://'), path: 'inputDataConfig[0].uri', reason: /with a path/ },
  { name: 'URI without a scheme', change: (s) => (s.inputDataConfig[0].uri = 'bucket/corpus'), path: 'inputDataConfig[0].uri', reason: /s3:\/\/bucket\/prefix or file:\/\/path, got "bucket\/corpus"/ },
  { name: 'channel name with a space', change: (s) => (s.inputDataConfig[0].channelName = 'train data'), path: 'inputDataConfig[0].channelName', reason: /got "train data"/ },
  { name: 'channel name of 65 characters', change: (s) => (s.inputDataConfig[0].channelName = 't'.repeat(65)), path: 'inputDataConfig[0].channelName', reason: /1 to 64/ },
  { name: 'unknown compression', change: (s) => (s.inputDataConfig[0].compressionType = 'zip'), path: 'inputDataConfig[0].compressionType', reason: /None or Gzip, got "zip"/ },
  { name: 'unknown distribution', change: (s) => (s.inputDataConfig[0].s3DataDistributionType = 'Sharded'), path: 'inputDataConfig[0].s3DataDistributionType', reason: /FullyReplicated or ShardedByS3Key/ },
  { name: 'pipe input mode', change: (s) => (s.inputDataConfig[0].inputMode = 'Pipe'), path: 'inputDataConfig[0].inputMode', reason: /File .*got "Pipe"/ },
  { name: 'misspelled channel field', change: (s) => (s.inputDataConfig[0].url = 's3://bucket/x'), path: 'inputDataConfig[0].url', reason: /did you mean uri\?/ },
  {
    name: 'duplicate channel names',
    change: (s) => s.inputDataConfig.push({ channelName: 'train', uri: 's3://bucket/more' }),
    path: 'inputDataConfig[1].channelName',
    reason: /duplicate channel name "train" \(also at index 0\)/,
  },
  { name: 'a channel blazingtext does not read', change: (s) => s.inputDataConfig.push({ channelName: 'test', uri: 's3://bucket/test' }), path: 'inputDataConfig[1].channelName', reason: /train or validation .*got "test"/ },
  {
    name: 'early stopping without a validation channel',
    change: (s) => (s.hyperParameters = { mode: 'supervised', early_stopping: 'true' }),
    path: 'inputDataConfig',
    reason: /channel named validation .*early_stopping/,
  },
  { name: 'output path missing', change: (s) => delete s.outputPath, path: 'outputPath', reason: /^required: expected s3:\/\/bucket\/prefix or file:\/\/path$/ },
  { name: 'output path over HTTP', change: (s) => (s.outputPath = 'https://bucket.example.com/out'), path: 'outputPath', reason: /got "https:/ },
  { name: 'resources missing', change: (s) => delete s.resourceConfig, path: 'resourceConfig', reason: /^required/ },
  { name: 'misspelled instance type', change: (s) => (s.resourceConfig.instanceType = 'ml.c5.2xlarg'), path: 'resourceConfig.instanceType', reason: /did you mean ml\.c5\.2xlarge\?/ },
  { name: 'instance type without ml.', change: (s) => (s.resourceConfig.instanceType = 'c5.2xlarge'), path: 'resourceConfig.instanceType', reason: /did you mean ml\.c5\.2xlarge\?/ },
  { name: 'instance count 0', change: (s) => (s.resourceConfig.instanceCount = 0), path: 'resourceConfig.instanceCount', reason: /integer >= 1, got 0/ },
  { name: 'fractional instance count', change: (s) => (s.resourceConfig.instanceCount = 1.5), path: 'resourceConfig.instanceCount', reason: /got 1\.5/ },
  { name: 'instance count as a string', change: (s) => (s.resourceConfig.instanceCount = '2'), path: 'resourceConfig.instanceCount', reason: /got "2"/ },
  {
    name: 'several instances for skipgram',
    change: (s) => (s.resourceConfig.instanceCount = 2),
    path: 'resourceConfig.instanceCount',
    reason: /^expected 1 \(blazingtext trains only mode batch_skipgram on several instances\), got 2$/,
  },
  {
    name: 'batch_skipgram on a GPU',
    change: (s) => {
      s.hyperParameters.mode = 'batch_skipgram';
      s.resourceConfig.instanceType = 'ml.p3.2xlarge';
    },
    path: 'hyperParameters.mode',
    reason: /^expected cbow, skipgram or supervised on a GPU instance type \(ml\.p3\.2xlarge\): BlazingText trains batch_skipgram on CPU instances$/,
  },
  {
    name: 'checkpoints of a job on several instances',
    change: (s) => {
      s.hyperParameters.mode = 'batch_skipgram';
      s.resourceConfig.instanceCount = 2;
      s.checkpointConfig = { uri: 's3://bucket/checkpoints/' };
    },
    path: 'checkpointConfig',
    reason: /expected none with resourceConfig.instanceCount 2/,
  },
  { name: 'volume of 0 GB', change: (s) => (s.resourceConfig.volumeSizeInGB = 0), path: 'resourceConfig.volumeSizeInGB', reason: /\[1, 16384\]/ },
  { name: 'misspelled resource field', change: (s) => (s.resourceConfig.instancecount = 1), path: 'resourceConfig.instancecount', reason: /did you mean instanceCount\?/ },
  { name: 'runtime of 0 s', change: (s) => (s.stoppingCondition.maxRuntimeInSeconds = 0), path: 'stoppingCondition.maxRuntimeInSeconds', reason: /\[1, 2419200\], got 0/ },
  { name: 'runtime over 28 days', change: (s) => (s.stoppingCondition.maxRuntimeInSeconds = 2_419_201), path: 'stoppingCondition.maxRuntimeInSeconds', reason: /got 2419201/ },
  {
    name: 'wait time shorter than the runtime',
    change: (s) => (s.stoppingCondition.maxWaitTimeInSeconds = 60),
    path: 'stoppingCondition.maxWaitTimeInSeconds',
    reason: /at least maxRuntimeInSeconds \(3600\), got 60/,
  },
  { name: 'more than 30 attempts', change: (s) => (s.retryStrategy = { maximumRetryAttempts: 31 }), path: 'retryStrategy.maximumRetryAttempts', reason: /\[1, 30\], got 31/ },
  { name: 'retry strategy without attempts', change: (s) => (s.retryStrategy = {}), path: 'retryStrategy.maximumRetryAttempts', reason: /^required/ },
  { name: 'checkpoints without a URI', change: (s) => (s.checkpointConfig = { localPath: '/ckpt' }), path: 'checkpointConfig.uri', reason: /^required/ },
  { name: 'relative checkpoint path', change: (s) => (s.checkpointConfig = { uri: 's3://bucket/c', localPath: 'ckpt' }), path: 'checkpointConfig.localPath', reason: /absolute path/ },
  { name: 'environment name starting with a digit', change: (s) => (s.environment = { '1X': 'a' }), path: 'environment["1X"]', reason: /got "1X"/ },
  { name: 'environment value as a number', change: (s) => (s.environment = { THREADS: 4 }), path: 'environment.THREADS', reason: /write "4"/ },
  {
    name: '49 environment variables',
    change: (s) => (s.environment = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`V${i}`, 'x']))),
    path: 'environment',
    reason: /at most 48 entries, got 49/,
  },
  { name: '__proto__ as an environment variable', change: (s) => (s.environment = JSON.parse('{"__proto__": "x"}')), path: 'environment.__proto__', reason: /other than "__proto__"/ },
  { name: 'tag without a value', change: (s) => (s.tags = [{ key: 'team' }]), path: 'tags[0].value', reason: /^required/ },
  { name: 'tag key with a #', change: (s) => (s.tags = [{ key: 'team#1', value: 'x' }]), path: 'tags[0].key', reason: /got "team#1"/ },
  { name: 'duplicate tag keys', change: (s) => (s.tags = [{ key: 'a', value: '1' }, { key: 'a', value: '2' }]), path: 'tags[1].key', reason: /duplicate tag key "a"/ },
  { name: '51 tags', change: (s) => (s.tags = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: '' }))), path: 'tags', reason: /at most 50 tags/ },
  { name: 'negative grace period', change: (s) => (s.stopGracePeriodSeconds = -1), path: 'stopGracePeriodSeconds', reason: /\[0, 3600\], got -1/ },
  { name: 'hyperparameters spelled in lower case', change: (s) => (s.hyperparameters = { epochs: '2' }), path: 'hyperparameters', reason: /^unknown field; did you mean hyperParameters\?$/ },
  { name: 'an unknown top-level field', change: (s) => (s.priority = 'high'), path: 'priority', reason: /^unknown field \(known fields: name, algorithm, / },
];

describe('parseTrainingJobSpec: every invalid field is reported at its path', () => {
  it.each(BAD_VARIANTS)('$name -> $path', ({ change, path, reason }) => {
    const spec = minimal();
    change(spec);
    const error = specError(spec);
    expect(error).toBeInstanceOf(BlazefleetError);
    expect(error.exitCode).toBe(2);
    const issue = error.issues.find((i) => i.path === path);
    expect(issue, `issues: ${JSON.stringify(error.issues)}`).toBeDefined();
    expect(issue!.reason).toMatch(reason);
    expect(error.message).toContain(`${path}: ${issue!.reason}`);
  });

  it('has a variant for every top-level field', () => {
    const fields = new Set(BAD_VARIANTS.map((v) => /^[A-Za-z]+/.exec(v.path)![0]));
    for (const field of Object.keys(parseTrainingJobSpec(MINIMAL))) expect(fields).toContain(field);
    expect(fields).toContain('checkpointConfig');
  });

  it("words a bad channel URI as the brief's example, as the error's only issue", () => {
    const spec = minimal();
    spec.inputDataConfig.push({ channelName: 'validation', uri: 'http://x' });
    const error = specError(spec);
    expect(error.message).toBe('inputDataConfig[1].uri: expected s3://bucket/prefix or file://path, got "http://x"');
    expect(error.path).toBe('inputDataConfig[1].uri');
    expect(error.reason).toBe('expected s3://bucket/prefix or file://path, got "http://x"');
  });

  it('refuses anything but an object', () => {
    for (const value of [null, undefined, 'spec', 3, [MINIMAL]]) {
      expect(specError(value).issues).toEqual([{ path: '', reason: expect.stringMatching(/^expected a training job spec object, got /) }]);
    }
  });

  it('reports several problems at once, unknown fields first, then in field order', () => {
    const spec = minimal();
    spec.name = 'bad name';
    spec.hyperparameters = {};
    spec.outputPath = 'ftp://x';
    spec.resourceConfig = { instanceType: 'ml.c5.2xlarg', instanceCount: 0 };
    spec.tags = [{ key: 'a', value: 1 }];
    const error = specError(spec);
    expect(error.issues.map((i) => i.path)).toEqual([
      'hyperparameters',
      'name',
      'outputPath',
      'resourceConfig.instanceType',
      'resourceConfig.instanceCount',
      'tags[0].value',
    ]);
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('6 problems in the training job spec:');
    expect(lines.slice(1)).toEqual(error.issues.map((i) => `  ${i.path}: ${i.reason}`));
    expect([error.path, error.reason]).toEqual(['hyperparameters', error.issues[0]!.reason]);
  });

  it('reports a megabyte-long unknown field or instance type without searching for a suggestion', () => {
    const long = 'x'.repeat(1 << 20);
    const spec = { ...minimal(), [long]: 1, resourceConfig: { instanceType: long } };
    const error = specError(spec);
    expect(error.issues.map((i) => i.reason)).toEqual([
      expect.stringMatching(/^unknown field \(known fields: /),
      expect.stringMatching(/^unknown instance type "x{77}\.\.\." \(known families: /),
    ]);
  });

  it('reports a hyperparameter problem together with problems elsewhere', () => {
    const spec = minimal();
    spec.hyperParameters.window_size = '0';
    spec.inputDataConfig[0].uri = 's3://b/x';
    expect(specError(spec).issues.map((i) => i.path)).toEqual(['hyperParameters.window_size', 'inputDataConfig[0].uri']);
  });
});

const TRANSFORM = {
  name: 'transform-1',
  algorithm: 'blazingtext-transform',
  hyperParameters: { k: '2', content_type: 'application/jsonlines' },
  inputDataConfig: [
    { channelName: 'model', uri: 's3://bucket/models/classify-1/output/model.tar.gz' },
    { channelName: 'data', uri: 's3://bucket/instances/' },
  ],
  outputPath: 's3://bucket/answers/',
  resourceConfig: { instanceType: 'ml.c5.xlarge' },
};

const TRANSFORM_VARIANTS: BadVariant[] = [
  { name: 'no model channel', change: (s) => s.inputDataConfig.shift(), path: 'inputDataConfig', reason: /^expected a channel named model \(required by blazingtext-transform\)$/ },
  { name: 'no data channel', change: (s) => s.inputDataConfig.pop(), path: 'inputDataConfig', reason: /^expected a channel named data \(required by blazingtext-transform\)$/ },
  {
    name: 'a training channel',
    change: (s) => (s.inputDataConfig[1].channelName = 'train'),
    path: 'inputDataConfig[1].channelName',
    reason: /^expected model or data \(the channels of blazingtext-transform\), got "train"$/,
  },
  { name: 'a training hyperparameter', change: (s) => (s.hyperParameters.mode = 'supervised'), path: 'hyperParameters.mode', reason: /known blazingtext-transform hyperparameter \(known: k, content_type\)/ },
  { name: 'a misspelled hyperparameter', change: (s) => (s.hyperParameters = { 'content-type': 'text/plain' }), path: 'hyperParameters.content-type', reason: /did you mean 'content_type'\?/ },
  { name: 'k of 0', change: (s) => (s.hyperParameters.k = '0'), path: 'hyperParameters.k', reason: /^expected an integer in \[1, 1000000\], got "0"$/ },
  { name: 'an unknown content type', change: (s) => (s.hyperParameters.content_type = 'text/csv'), path: 'hyperParameters.content_type', reason: /one of text\/plain, application\/jsonlines, got "text\/csv"/ },
  { name: 'two instances', change: (s) => (s.resourceConfig.instanceCount = 2), path: 'resourceConfig.instanceCount', reason: /^expected 1 \(blazingtext-transform runs on one instance\), got 2$/ },
];

describe('parseTrainingJobSpec: blazingtext-transform', () => {
  it('takes the channels model and data, and k and content_type as hyperparameters', () => {
    const spec = parseTrainingJobSpec(TRANSFORM);
    expect(spec.algorithm).toBe('blazingtext-transform');
    expect(spec.hyperParameters).toEqual(TRANSFORM.hyperParameters);
    expect(spec.inputDataConfig.map((c) => c.channelName)).toEqual(['model', 'data']);
    expect(parseTrainingJobSpec({ ...TRANSFORM, hyperParameters: {} }).hyperParameters).toEqual({});
    expect(parseTransformHyperparameters({})).toEqual({ k: 1, content_type: 'text/plain' });
  });

  it.each(TRANSFORM_VARIANTS)('$name -> $path', ({ change, path, reason }) => {
    const spec: Spec = structuredClone(TRANSFORM);
    change(spec);
    const error = specError(spec);
    const issue = error.issues.find((i) => i.path === path);
    expect(issue, `issues: ${JSON.stringify(error.issues)}`).toBeDefined();
    expect(issue!.reason).toMatch(reason);
  });
});

const YAML_SPEC = `# text classification with early stopping
name: classify-1
algorithm: blazingtext
hyperParameters:
  mode: supervised
  epochs: "10"
  early_stopping: "true"
inputDataConfig:
  - channelName: train
    uri: s3://bucket/dbpedia/train/
  - channelName: validation
    uri: s3://bucket/dbpedia/validation/
outputPath: s3://bucket/output
resourceConfig:
  instanceType: ml.c5.2xlarge
`;

const JSON_SPEC = JSON.stringify(
  {
    name: 'classify-1',
    algorithm: 'blazingtext',
    hyperParameters: { mode: 'supervised', epochs: '10', early_stopping: 'true' },
    inputDataConfig: [
      { channelName: 'train', uri: 's3://bucket/dbpedia/train/' },
      { channelName: 'validation', uri: 's3://bucket/dbpedia/validation/' },
    ],
    outputPath: 's3://bucket/output',
    resourceConfig: { instanceType: 'ml.c5.2xlarge' },
  },
  null,
  2,
);

describe('parseTrainingJobSpecText', () => {
  it('reads JSON and YAML to the same spec', () => {
    const fromYaml = parseTrainingJobSpecText(YAML_SPEC, 'job.yaml');
    expect(parseTrainingJobSpecText(JSON_SPEC, 'job.json')).toEqual(fromYaml);
    expect(fromYaml.hyperParameters).toEqual({ mode: 'supervised', epochs: '10', early_stopping: 'true' });
    expect(fromYaml.stoppingCondition.maxRuntimeInSeconds).toBe(86_400);
  });

  it('reads YAML flow style and a byte order mark', () => {
    expect(parseTrainingJobSpecText(`\uFEFF${JSON_SPEC}`, 'job.json').name).toBe('classify-1');
    const flow = YAML_SPEC.replace(/hyperParameters:\n(?: {2}.*\n)+/, 'hyperParameters: {mode: supervised, epochs: "10", early_stopping: "true"}\n');
    expect(parseTrainingJobSpecText(flow, 'job.yaml')).toEqual(parseTrainingJobSpecText(YAML_SPEC, 'job.yaml'));
  });

  it('names the source in validation errors, and asks to quote YAML numbers given as hyperparameters', () => {
    const error = textError(YAML_SPEC.replace('epochs: "10"', 'epochs: 10'), 'jobs/classify.yaml');
    expect(error.message).toBe('jobs/classify.yaml: hyperParameters.epochs: expected a string, got 10: values are strings, as SageMaker passes them; write "10"');
    expect(error.source).toBe('jobs/classify.yaml');
  });

  it('gives the line and column of a JSON syntax error', () => {
    const broken = JSON_SPEC.replace('"outputPath"', '"outputPath" "x"');
    const error = textError(broken, 'job.json');
    const lineIndex = broken.split('\n').findIndex((l) => l.includes('"outputPath" "x"'));
    const column = broken.split('\n')[lineIndex]!.indexOf('"x"') + 1;
    expect(error.issues[0]).toMatchObject({ path: '', line: lineIndex + 1, column });
    expect(error.message).toMatch(new RegExp(`^job\\.json:${lineIndex + 1}:${column}: invalid JSON: `));
  });

  it('gives the line and column of a YAML syntax error', () => {
    const error = textError(YAML_SPEC.replace('outputPath: s3://bucket/output', 'outputPath: "s3://bucket/output'), 'job.yaml');
    expect(error.message).toMatch(/^job\.yaml:\d+:\d+: invalid YAML: Missing closing "quote/);
    const duplicate = textError(`${YAML_SPEC}name: again\n`, 'job.yaml');
    expect(duplicate.issues[0]).toMatchObject({ line: YAML_SPEC.split('\n').length, column: 1 });
    expect(duplicate.message).toMatch(/^job\.yaml:\d+:1: invalid YAML: Map keys must be unique$/);
    const indent = textError('name: w2v\n  algorithm: blazingtext\n', 'job.yaml');
    expect([indent.issues[0]!.line, indent.issues[0]!.column]).toEqual([1, 7]);
  });

  it('refuses empty text, several documents and alias bombs', () => {
    expect(textError(' \n').message).toBe('job.yaml: expected a training job spec in JSON or YAML, got an empty text');
    expect(textError(`${YAML_SPEC}---\n${YAML_SPEC}`).message).toMatch(/invalid YAML: Source contains multiple documents/);
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) levels.push(`${'abcdefghi'[i]}: &${'abcdefghi'[i]} [${Array(9).fill(`*${'abcdefghi'[i - 1]}`).join(', ')}]`);
    expect(textError(levels.join('\n')).message).toMatch(/^job\.yaml: invalid YAML: /);
  });
});

describe('TRAINING-JOB.md', () => {
  const doc = readFileSync(new URL('../TRAINING-JOB.md', import.meta.url), 'utf8');

  it('has examples that parse, the JSON and YAML one alike', () => {
    const json = /```json\n([\s\S]*?)```/.exec(doc)![1]!;
    const yaml = /```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
    expect(parseTrainingJobSpecText(yaml, 'TRAINING-JOB.md')).toEqual(parseTrainingJobSpecText(json, 'TRAINING-JOB.md'));
  });

  it('has a batch transform example that parses', () => {
    const json = /```json\n([\s\S]*?)```/.exec(doc.slice(doc.indexOf('## Batch transform')))![1]!;
    expect(parseTrainingJobSpecText(json, 'TRAINING-JOB.md').algorithm).toBe('blazingtext-transform');
  });

  it('documents each batch transform hyperparameter with its default', () => {
    const rows = new Map([...doc.matchAll(/^\| `hyperParameters\.(\w+)` \| ([^|]+) \|/gm)].map((m) => [m[1]!, m[2]!.trim()]));
    expect([...rows.keys()].sort()).toEqual(Object.keys(TRANSFORM_HYPERPARAMETERS).sort());
    for (const [name, field] of Object.entries(TRANSFORM_HYPERPARAMETERS)) expect(rows.get(name)).toBe(`\`${JSON.stringify(field.default)}\``);
  });

  it('documents every field of the spec', () => {
    const documented = new Set([...doc.matchAll(/^\| `([A-Za-z.[\]]+)`/gm)].map((m) => m[1]!.split(/[.[]/)[0]));
    const spec = parseTrainingJobSpec({ ...minimal(), checkpointConfig: { uri: 's3://bucket/c' } });
    expect([...documented].sort()).toEqual(Object.keys(spec).sort());
  });
});

import { z } from 'zod';
import { describeValue } from './describe-value.js';
import type { SpecIssue } from './errors.js';
import { closestName } from './hyperparameters/fields.js';
import { unknownInstanceTypeReason } from './instance-types.js';
import type { TrainingJobSpec } from './training-job.js';

// The zod schema of each top-level field of a training job spec, with error messages of the form
// "expected <what>, got <value>", and the schema builders that the tuning job spec's fields share. Rules that span
// fields live in training-job.ts.

type RawIssue = { readonly input?: unknown };

/** Error parameter of a zod schema: "expected <what>, got <input>", or "required" when the field is absent. */
export function expecting(what: string) {
  return { error: (issue: RawIssue) => (issue.input === undefined ? `required: expected ${what}` : `expected ${what}, got ${describeValue(issue.input)}`) };
}

export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function unknownFieldReason(key: string, known: readonly string[]): string {
  const nearest = closestName(key, known);
  return nearest === undefined ? `unknown field (known fields: ${known.join(', ')})` : `unknown field; did you mean ${nearest}?`;
}

/** A zod object that reports each unknown key as an issue of its own, at the key's path, with a did-you-mean. */
export function closedObject<S extends z.ZodRawShape>(shape: S, what: string) {
  const known = Object.keys(shape);
  return z
    .looseObject(shape, expecting(what))
    .superRefine(
      (value, ctx) => {
        for (const key of Object.keys(value)) {
          if (!Object.hasOwn(shape, key)) ctx.addIssue({ code: 'custom', path: [key], message: unknownFieldReason(key, known), input: value[key] });
        }
      },
      { when: (payload) => isObject(payload.value) },
    )
    .transform((value) => {
      const out: Record<string, unknown> = {};
      for (const key of known) if (value[key] !== undefined) out[key] = value[key];
      return out as z.output<z.ZodObject<S>>;
    });
}

/** A JSON object of string values, as SageMaker takes hyperparameters and environment variables. */
function stringMap(maxEntries: number, validKey: (key: string) => boolean, keyRule: string, maxValueLength: number) {
  const entryProblem = (key: string, value: unknown): string | undefined => {
    if (key === '__proto__') return 'expected a key other than "__proto__"';
    if (!validKey(key)) return `expected a key of ${keyRule}, got ${describeValue(key)}`;
    if (typeof value === 'number' || typeof value === 'boolean') {
      return `expected a string, got ${value}: values are strings, as SageMaker passes them; write ${JSON.stringify(String(value))}`;
    }
    if (typeof value !== 'string' || value.length > maxValueLength) {
      return `expected a string of at most ${maxValueLength} characters, got ${describeValue(value)}`;
    }
    return undefined;
  };
  return z
    .custom<Record<string, unknown>>(isObject, expecting('an object of string values'))
    .superRefine((map, ctx) => {
      const entries = Object.entries(map);
      if (entries.length > maxEntries) ctx.addIssue({ code: 'custom', message: `expected at most ${maxEntries} entries, got ${entries.length}`, input: map });
      for (const [key, value] of entries) {
        const message = entryProblem(key, value);
        if (message !== undefined) ctx.addIssue({ code: 'custom', path: [key], message, input: value });
      }
    })
    .transform((map) => Object.fromEntries(Object.entries(map)) as Record<string, string>);
}

export function uniqueBy<T>(field: keyof T & string, what: string) {
  return (items: T[], ctx: z.RefinementCtx) => {
    const seen = new Map<unknown, number>();
    items.forEach((item, index) => {
      const first = seen.get(item[field]);
      if (first === undefined) seen.set(item[field], index);
      else {
        const message = `duplicate ${what} ${describeValue(item[field])} (also at index ${first})`;
        ctx.addIssue({ code: 'custom', path: [index, field], message, input: item[field] });
      }
    });
  };
}

const URI_EXPECTED = 's3://bucket/prefix or file://path';
// The rules of @blazefleet/artifact-store's parseArtifactUri, so that a valid spec's URIs can be opened there.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
const utf8 = new TextEncoder();

function uriProblem(uri: string): string | undefined {
  const separator = uri.indexOf('://');
  const scheme = separator < 0 ? '' : uri.slice(0, separator).toLowerCase();
  const rest = uri.slice(separator + 3);
  if (scheme !== 's3' && scheme !== 'file') return `expected ${URI_EXPECTED}, got ${describeValue(uri)}`;
  if (CONTROL_CHARACTER.test(rest)) return `expected a URI without control characters, got ${describeValue(uri)}`;
  if (scheme === 'file') return rest === '' ? `expected file://path with a path, got ${describeValue(uri)}` : undefined;
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const key = slash < 0 ? '' : rest.slice(slash + 1);
  if (bucket === '') return `expected s3://bucket/prefix with a bucket name, got ${describeValue(uri)}`;
  if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) {
    const rule = '3 to 63 lowercase letters, digits, dots or hyphens, beginning and ending with a letter or digit';
    return `expected a bucket name of ${rule}, got ${describeValue(bucket)}`;
  }
  if (utf8.encode(key).length > 1024) return 'expected an S3 key of at most 1024 bytes';
  const segments = (key.endsWith('/') ? key.slice(0, -1) : key).split('/');
  if (key !== '' && segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    return `expected an S3 key without empty, '.' or '..' segments, got ${describeValue(uri)}`;
  }
  return undefined;
}

const storageUri = z.string(expecting(URI_EXPECTED)).superRefine((uri, ctx) => {
  const problem = uriProblem(uri);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: uri });
});

export function integer(min: number, max: number) {
  const rule = expecting(max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`);
  return z.int(rule).min(min, rule).max(max, rule);
}

export function text(what: string, min: number, max: number) {
  const rule = expecting(what);
  return z.string(rule).min(min, rule).max(max, rule);
}

const NAME_RULE = expecting('1 to 63 letters, digits or hyphens, beginning and ending with a letter or digit');
const CHANNEL_NAME_RULE = expecting('a channel name of 1 to 64 letters, digits, dots, hyphens or underscores');
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const TAG_RULE = 'letters, digits, spaces and _ . : / = + - @';

function metricRegexProblem(source: string): string | undefined {
  try {
    new RegExp(source);
  } catch (error) {
    return `expected a regular expression that compiles, got ${describeValue(source)} (${(error as Error).message})`;
  }
  // With an empty alternative the pattern matches '', and exec reports every group, matched or not.
  const groups = new RegExp(`(?:${source})|`).exec('')!.length - 1;
  if (groups === 1) return undefined;
  return `expected exactly one capture group (the metric value), got ${groups}${groups > 1 ? '; make the others non-capturing with (?:...)' : ''}`;
}

const metricDefinition = closedObject(
  {
    name: text('a metric name of 1 to 255 characters', 1, 255),
    regex: text('a regular expression of 1 to 500 characters', 1, 500).superRefine((source, ctx) => {
      const problem = metricRegexProblem(source);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: source });
    }),
  },
  'a metric definition { name, regex }',
);

const COMMAND_RULE = expecting('a command: an array of 1 to 100 arguments, or a shell command string');
const containerAlgorithm = closedObject(
  {
    command: z.preprocess(
      (value) => (typeof value === 'string' && value !== '' ? ['/bin/sh', '-c', value] : value),
      z.array(text('a non-empty argument', 1, Number.MAX_SAFE_INTEGER), COMMAND_RULE).min(1, COMMAND_RULE).max(100, COMMAND_RULE),
    ),
    image: text('a container image of 1 to 255 characters', 1, 255).optional(),
    metricDefinitions: z
      .array(metricDefinition, expecting('an array of metric definitions { name, regex } (may be empty)'))
      .max(40, expecting('at most 40 metric definitions'))
      .superRefine(uniqueBy('name', 'metric name')),
  },
  'a container { command, image?, metricDefinitions }',
);
const ALGORITHM_RULE = expecting('"blazingtext", "blazingtext-transform" or a container { command, image?, metricDefinitions }');
const builtInAlgorithm = z.enum(['blazingtext', 'blazingtext-transform'], ALGORITHM_RULE);

const channel = closedObject(
  {
    channelName: z.string(CHANNEL_NAME_RULE).regex(/^[A-Za-z0-9.\-_]{1,64}$/, CHANNEL_NAME_RULE),
    uri: storageUri,
    compressionType: z.enum(['None', 'Gzip'], expecting('None or Gzip')).default('None'),
    contentType: text('a content type of 1 to 256 characters', 1, 256).optional(),
    s3DataDistributionType: z.enum(['FullyReplicated', 'ShardedByS3Key'], expecting('FullyReplicated or ShardedByS3Key')).default('FullyReplicated'),
    inputMode: z.literal('File', expecting('File (channels are copied to local files; Pipe and FastFile are not supported)')).default('File'),
  },
  'a channel { channelName, uri, compressionType?, contentType?, s3DataDistributionType?, inputMode? }',
);

const MAX_RUNTIME_SECONDS = 2_419_200;
const DEFAULT_RUNTIME_SECONDS = 86_400;

export const FIELDS = {
  name: z.string(NAME_RULE).max(63, { ...NAME_RULE, abort: true }).regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, NAME_RULE),
  algorithm: z.union([builtInAlgorithm, containerAlgorithm]), // parseField parses one branch, chosen by the input's type
  hyperParameters: stringMap(100, (key) => key.length >= 1 && key.length <= 256, '1 to 256 characters', 2500).default({}),
  inputDataConfig: z
    .array(channel, expecting('an array of channels'))
    .max(20, expecting('at most 20 channels'))
    .superRefine(uniqueBy('channelName', 'channel name'))
    .default([]),
  outputPath: storageUri,
  resourceConfig: closedObject(
    {
      instanceType: z.string(expecting('an instance type such as ml.c5.2xlarge')).superRefine((instanceType, ctx) => {
        const problem = unknownInstanceTypeReason(instanceType);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: instanceType });
      }),
      instanceCount: integer(1, Number.MAX_SAFE_INTEGER).default(1),
      volumeSizeInGB: integer(1, 16_384).optional(),
      allowCpuFallback: z.boolean(expecting('true or false')).default(false),
    },
    'resources { instanceType, instanceCount?, volumeSizeInGB?, allowCpuFallback? }',
  ),
  stoppingCondition: closedObject(
    {
      maxRuntimeInSeconds: integer(1, MAX_RUNTIME_SECONDS).default(DEFAULT_RUNTIME_SECONDS),
      maxWaitTimeInSeconds: integer(1, Number.MAX_SAFE_INTEGER).optional(),
    },
    'a stopping condition { maxRuntimeInSeconds?, maxWaitTimeInSeconds? }',
  )
    .superRefine(({ maxRuntimeInSeconds, maxWaitTimeInSeconds }, ctx) => {
      if (maxWaitTimeInSeconds !== undefined && maxWaitTimeInSeconds < maxRuntimeInSeconds) {
        const message = `expected at least maxRuntimeInSeconds (${maxRuntimeInSeconds}), got ${maxWaitTimeInSeconds}`;
        ctx.addIssue({ code: 'custom', path: ['maxWaitTimeInSeconds'], message, input: maxWaitTimeInSeconds });
      }
    })
    .default({ maxRuntimeInSeconds: DEFAULT_RUNTIME_SECONDS }),
  retryStrategy: closedObject({ maximumRetryAttempts: integer(1, 30) }, 'a retry strategy { maximumRetryAttempts }').default({ maximumRetryAttempts: 1 }),
  checkpointConfig: closedObject(
    {
      uri: storageUri,
      localPath: text('an absolute path of at most 4096 characters', 1, 4096)
        .startsWith('/', expecting('an absolute path of at most 4096 characters'))
        .default('/opt/ml/checkpoints'),
    },
    'a checkpoint config { uri, localPath? }',
  ).optional(),
  environment: stringMap(
    48,
    (key) => /^[a-zA-Z_][a-zA-Z0-9_]{0,511}$/.test(key),
    'letters, digits and underscores, not beginning with a digit, at most 512 characters',
    512,
  ).default({}),
  tags: z
    .array(
      closedObject(
        {
          key: text(`a tag key of 1 to 128 ${TAG_RULE}`, 1, 128).regex(TAG_CHARACTERS, expecting(`a tag key of 1 to 128 ${TAG_RULE}`)),
          value: text(`a tag value of at most 256 ${TAG_RULE}`, 0, 256).regex(TAG_CHARACTERS, expecting(`a tag value of at most 256 ${TAG_RULE}`)),
        },
        'a tag { key, value }',
      ),
      expecting('an array of tags { key, value }'),
    )
    .max(50, expecting('at most 50 tags'))
    .superRefine(uniqueBy('key', 'tag key'))
    .default([]),
  stopGracePeriodSeconds: integer(0, 3600).default(120),
} satisfies { [K in keyof TrainingJobSpec]-?: z.ZodType<TrainingJobSpec[K]> };

export type FieldName = keyof typeof FIELDS;
export const FIELD_NAMES = Object.keys(FIELDS) as FieldName[];

/** `inputDataConfig[1].uri`, `environment["1X"]`: a zod issue path as the spec's users write it. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(String(segment))) out += out === '' ? String(segment) : `.${String(segment)}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

/** The parsed value, or undefined after pushing its issues, each at `path` followed by the issue's own path. */
export function parseWith(schema: z.ZodType, path: readonly PropertyKey[], value: unknown, issues: SpecIssue[]): unknown {
  const result = schema.safeParse(value, { error: (issue) => `expected a valid value, got ${describeValue(issue.input)}` });
  if (result.success) return result.data;
  for (const issue of result.error.issues) issues.push({ path: formatPath([...path, ...issue.path]), reason: issue.message });
  return undefined;
}

/** The field's parsed value, or undefined after pushing its issues. */
export function parseField(field: FieldName, value: unknown, issues: SpecIssue[]): unknown {
  // Choosing the branch by the input's type reports a container's own issues instead of a union mismatch.
  const schema = field === 'algorithm' ? (isObject(value) ? containerAlgorithm : builtInAlgorithm) : FIELDS[field];
  return parseWith(schema, [field], value, issues);
}

/** Unknown fields first (their misspelling is usually the cause of the rest), then in the order of `fields`. */
export function sortByField(issues: SpecIssue[], fields: readonly string[]): SpecIssue[] {
  const order = (path: string) => fields.indexOf(/^[A-Za-z]+/.exec(path)?.[0] ?? '');
  return issues.sort((a, b) => order(a.path) - order(b.path));
}

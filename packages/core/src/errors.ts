/** Base class of every error Blazefleet raises on purpose; `exitCode` is what the CLI exits with. */
export class BlazefleetError extends Error {
  readonly exitCode: number = 1;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A hyperparameter that is unknown, mistyped, out of range or inconsistent with another. */
export class HyperparameterError extends BlazefleetError {
  override readonly exitCode = 2;
  constructor(
    readonly field: string,
    readonly expected: string,
    readonly received?: unknown,
  ) {
    super(
      `hyperparameter '${field}': expected ${expected}` +
        (received === undefined ? '' : `, got ${JSON.stringify(received)}`),
    );
  }
}

/** Training input that cannot be used: missing, empty, binary, or leaving nothing to train on. */
export class InputDataError extends BlazefleetError {
  override readonly exitCode = 2;
  constructor(
    readonly source: string,
    readonly reason: string,
  ) {
    super(`${source}: ${reason}`);
  }
}

/** Training produced non-finite values; the learning rate is the usual cause. */
export class TrainingDivergedError extends BlazefleetError {
  override readonly exitCode = 2;
  constructor(
    readonly epoch: number,
    readonly detail: string,
  ) {
    super(`training diverged in epoch ${epoch} (${detail}); lower learning_rate`);
  }
}

/** A command-line usage problem: a missing or malformed option. */
export class UsageError extends BlazefleetError {
  override readonly exitCode = 2;
}

/** One problem in a training or tuning job spec: where it is (`inputDataConfig[1].uri`, '' for the whole spec) and what is wrong. */
export interface SpecIssue {
  readonly path: string;
  readonly reason: string;
  /** 1-based position in the source text, for syntax errors. */
  readonly line?: number;
  readonly column?: number;
}

export type TrainingJobSpecIssue = SpecIssue;

/** What a spec describes, as its errors name it: "3 problems in the tuning job spec". */
export type SpecKind = 'training job' | 'tuning job';

/** A spec that cannot be used. `issues` holds every problem found; `path` and `reason` are the first one's. */
export abstract class SpecError extends BlazefleetError {
  override readonly exitCode = 2;
  readonly path: string;
  readonly reason: string;
  constructor(
    readonly kind: SpecKind,
    readonly issues: readonly [SpecIssue, ...SpecIssue[]],
    readonly source?: string,
  ) {
    super(formatSpecIssues(kind, issues, source));
    this.path = issues[0].path;
    this.reason = issues[0].reason;
  }
}

/** A training job spec that cannot be used. */
export class TrainingJobSpecError extends SpecError {
  static readonly kind: SpecKind = 'training job';
  constructor(issues: readonly [SpecIssue, ...SpecIssue[]], source?: string) {
    super(TrainingJobSpecError.kind, issues, source);
  }
}

/** A hyperparameter tuning job spec that cannot be used; problems of its training job definition included. */
export class TuningJobSpecError extends SpecError {
  static readonly kind: SpecKind = 'tuning job';
  constructor(issues: readonly [SpecIssue, ...SpecIssue[]], source?: string) {
    super(TuningJobSpecError.kind, issues, source);
  }
}

function formatSpecIssues(kind: SpecKind, issues: readonly SpecIssue[], source: string | undefined): string {
  const line = (issue: SpecIssue) => (issue.path === '' ? issue.reason : `${issue.path}: ${issue.reason}`);
  if (issues.length === 1) {
    const issue = issues[0]!;
    if (source === undefined) return line(issue);
    const position = issue.line === undefined ? '' : `:${issue.line}:${issue.column ?? 1}`;
    return `${source}${position}: ${line(issue)}`;
  }
  const head = `${source === undefined ? '' : `${source}: `}${issues.length} problems in the ${kind} spec:`;
  return [head, ...issues.map((issue) => `  ${line(issue)}`)].join('\n');
}

/** An instance type that is not in Blazefleet's table of SageMaker training instance types. */
export class UnknownInstanceTypeError extends BlazefleetError {
  override readonly exitCode = 2;
  constructor(
    readonly instanceType: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** A price table (instance type to on-demand $/hour) that is not valid JSON, names an unknown type or has a bad price. */
export class PriceTableError extends BlazefleetError {
  override readonly exitCode = 2;
  constructor(
    readonly entry: string,
    readonly reason: string,
  ) {
    super(entry === '' ? `price table: ${reason}` : `price table entry '${entry}': ${reason}`);
  }
}

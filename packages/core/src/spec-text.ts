import { parseDocument } from 'yaml';
import type { SpecError, SpecIssue, SpecKind } from './errors.js';

/** TrainingJobSpecError or TuningJobSpecError: the error a spec's syntax problems are reported with. */
export interface SpecErrorClass {
  new (issues: readonly [SpecIssue, ...SpecIssue[]], source?: string): SpecError;
  readonly kind: SpecKind;
}

/**
 * The value of a spec's text: JSON, or YAML when the text is not JSON. A syntax error is thrown as `ErrorClass`, with
 * `source` (usually the file name) and the line and column of the problem.
 */
export function readSpecText(text: string, source: string, ErrorClass: SpecErrorClass): unknown {
  const syntaxError = (reason: string, line?: number, column?: number) =>
    new ErrorClass([{ path: '', reason, ...(line === undefined ? {} : { line, column: column ?? 1 }) }], source);
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim() === '') throw syntaxError(`expected a ${ErrorClass.kind} spec in JSON or YAML, got an empty text`);
  let jsonError: Error;
  try {
    return JSON.parse(body);
  } catch (error) {
    jsonError = error as Error;
  }
  const document = parseDocument(body, { logLevel: 'error' });
  const yamlError = document.errors[0];
  if (yamlError === undefined) {
    try {
      return document.toJS();
    } catch (error) {
      throw syntaxError(`invalid YAML: ${(error as Error).message}`);
    }
  }
  const jsonOffset = /at position (\d+)/.exec(jsonError.message)?.[1];
  if (/^\s*[[{]/.test(body) && jsonOffset !== undefined) {
    const before = body.slice(0, Number(jsonOffset));
    const line = before.split('\n').length;
    const reason = jsonError.message.replace(/ in JSON at position \d+.*$/s, '');
    throw syntaxError(`invalid JSON: ${reason}`, line, before.length - before.lastIndexOf('\n'));
  }
  const reason = yamlError.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  throw syntaxError(`invalid YAML: ${reason}`, yamlError.linePos?.[0].line, yamlError.linePos?.[0].col);
}

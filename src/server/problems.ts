/**
 * Refusals as `application/problem+json` (RFC 9457): the engine's error `type` decides the status
 * in ONE table, and the problem's `type` URI ends with it (SPEC §12).
 */
import { STATUS_CODES } from 'node:http';
import { FlowlineError, type ValidationIssue } from '../errors.js';

/** Base of every problem `type` URI; the engine's error type follows it. */
export const PROBLEM_BASE = 'https://flowline.dev/problems/';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** HTTP status by error type. Types not listed: 422 for a Flowline refusal, 500 for anything else. */
export const STATUS_BY_TYPE: Readonly<Record<string, number>> = {
  BadRequest: 400,
  RequestInvalid: 400,
  Unauthorized: 401,
  Forbidden: 403,
  RouteNotFound: 404,
  RunNotFound: 404,
  DefinitionNotFound: 404,
  QueryNotFound: 404,
  RunAlreadyExists: 409,
  RunNotActive: 409,
  MigrationBlocked: 409,
  WhereInvalid: 400,
  DefinitionConflict: 409,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  TryBusy: 429,
  InputInvalid: 422,
  SignalPayloadInvalid: 422,
  SignalNotDeclared: 422,
  DefinitionInvalid: 422,
  PayloadCodecError: 500,
  CorruptState: 500,
  CoreInvariant: 500,
  CoreMisuse: 500,
  NotImplemented: 501,
  RedisUnavailable: 503,
  RedisFull: 503,
  RedisConfig: 503,
  EngineClosed: 503,
};

/** One RFC 9457 problem document, with Flowline's extension members. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  /** Every problem found, each with its JSON pointer (validation refusals). */
  readonly issues?: readonly ProblemIssue[];
  /** The run concerned (e.g. the existing run of a RunAlreadyExists). */
  readonly runId?: string;
  /** MigrationBlocked: each step that blocks the move. */
  readonly blockers?: readonly { readonly step: string | null; readonly reason: string }[];
}

export interface ProblemIssue {
  readonly pointer: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
  readonly hint?: string;
}

/** A refusal made by the server itself (auth, bad request…), carried to the error handler. */
export class HttpProblemError extends FlowlineError {
  constructor(
    type: string,
    message: string,
    readonly issues?: readonly ProblemIssue[],
  ) {
    super(type, message);
  }
}

/** The problem for any thrown value; non-Flowline errors say nothing of their internals. Pure. */
export function problemOf(error: unknown, instance?: string): Problem {
  if (!(error instanceof FlowlineError)) {
    return build('Internal', 500, 'the server failed on this request; the error is in its log', instance);
  }
  const status = STATUS_BY_TYPE[error.type] ?? 422;
  const detail = status >= 500 && STATUS_BY_TYPE[error.type] === undefined ? 'the server failed on this request' : error.message;
  const issues = issuesOf(error);
  const runId = runIdOf(error);
  const blockers = (error.details as { blockers?: Problem['blockers'] } | undefined)?.blockers;
  return {
    ...build(error.type, status, detail, instance),
    ...(issues ? { issues } : {}),
    ...(runId ? { runId } : {}),
    ...(error.type === 'MigrationBlocked' && blockers ? { blockers } : {}),
  };
}

function build(type: string, status: number, detail: string, instance?: string): Problem {
  return { type: `${PROBLEM_BASE}${type}`, title: STATUS_CODES[status] ?? 'Error', status, detail, ...(instance ? { instance } : {}) };
}

function issuesOf(error: FlowlineError): readonly ProblemIssue[] | undefined {
  const issues = (error as { issues?: readonly (ValidationIssue | ProblemIssue)[] }).issues;
  if (!Array.isArray(issues) || issues.length === 0) return undefined;
  return issues.map((issue) => ({
    pointer: issue.pointer,
    message: issue.message,
    ...(issue.line === undefined ? {} : { line: issue.line }),
    ...(issue.column === undefined ? {} : { column: issue.column }),
    ...(issue.hint === undefined ? {} : { hint: issue.hint }),
  }));
}

function runIdOf(error: FlowlineError): string | undefined {
  const details = error.details as { runId?: unknown } | undefined;
  return typeof details?.runId === 'string' ? details.runId : undefined;
}

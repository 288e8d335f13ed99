/** The shape of a flow test file (`*.test.yaml`, SPEC §11) and of the results of running it. */
import type { ErrorInfo, RunStatus } from '../interpreter/types.js';

/** A mocked error: what the mocked activity throws (SPEC §4 error shape). */
export interface MockedError {
  readonly type: string;
  readonly message?: string;
  readonly details?: unknown;
  readonly nonRetryable?: boolean;
}

/** One mocked answer: a fixed output, or an error. */
export type MockAnswer = { readonly output: unknown } | { readonly error: MockedError };

/** A mock: one answer for every call, or a list consumed one per call (the last one repeats). */
export type Mock = MockAnswer | readonly MockAnswer[];

/** What a case checks. Only the keys given are checked (see docs/guides/flow-tests.md for the rules). */
export interface Expectation {
  readonly status?: RunStatus;
  /** Deep-equal to the run's output. */
  readonly output?: unknown;
  /** Subset match on the run's error (`{ type }`, `{ type, message }`…); `null` asserts there is none. */
  readonly error?: Partial<ErrorInfo> | null;
  /** Activity names in the order their handlers were called (every attempt, compensations and child flows included). */
  readonly calls?: readonly string[];
  /** Subset match: each variable listed must deep-equal the run's; others are ignored. */
  readonly vars?: Readonly<Record<string, unknown>>;
}

export interface FlowTestCase {
  readonly name: string;
  readonly input?: unknown;
  /** Delivered right after the run starts, in order. */
  readonly signals?: readonly { readonly name: string; readonly data?: unknown }[];
  readonly mocks?: Readonly<Record<string, Mock>>;
  readonly expect?: Expectation;
}

/** A parsed, validated test file. */
export interface FlowTestFile {
  /** The test file's path as given (for messages). */
  readonly file: string;
  /** Absolute path of the flow under test. */
  readonly flowPath: string;
  readonly cases: readonly FlowTestCase[];
}

/** The outcome of one case. `reasons` is empty when it passed. */
export interface CaseResult {
  readonly name: string;
  readonly passed: boolean;
  readonly reasons: readonly string[];
  readonly durationMs: number;
  /** What actually happened (absent when the run could not be started at all). */
  readonly actual?: {
    readonly status: RunStatus | null;
    readonly output: unknown;
    readonly error: ErrorInfo | null;
    readonly calls: readonly string[];
    readonly vars: Readonly<Record<string, unknown>>;
  };
}

/** The outcome of one test file: its cases, or why the file itself is invalid. */
export interface FileResult {
  readonly file: string;
  /** Set when the test file (or the flow it names) could not be loaded: no case ran. */
  readonly invalid?: readonly string[];
  readonly cases: readonly CaseResult[];
  readonly durationMs: number;
}

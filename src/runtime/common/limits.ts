/** Engine options shared by both runtimes: payload limit, expression limits and retention, with their defaults (SPEC §2, §9). */
import { DEFAULT_LIMITS } from '../../expression/index.js';
import type { EvaluationLimits } from '../../interpreter/types.js';

/** Default bound on a run input, step output or signal payload: 512 KiB of JSON. */
export const DEFAULT_PAYLOAD_LIMIT_BYTES = 512 * 1024;
/** A finished run's state and history are kept this long (7 days), then expire. */
export const DEFAULT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
/** `describe` warns (suggesting continue-as-new) when a run's current history holds more entries than this. */
export const DEFAULT_HISTORY_WARNING_ENTRIES = 10_000;
/** Default bounds on one expression evaluation (SPEC §2: 100 ms and a depth limit), as the expression module defines them. */
export const DEFAULT_EXPRESSION_LIMITS: EvaluationLimits = DEFAULT_LIMITS;

/** Limits an engine enforces; every field is optional when creating an engine. */
export interface EngineLimits {
  /** Largest JSON size (bytes) of a run input, step output or signal payload. */
  readonly payloadBytes: number;
  /** Bounds on each expression evaluation. */
  readonly expression: EvaluationLimits;
  /** How long a finished run stays readable (ms). */
  readonly retentionMs: number;
  /** History size (entries of the current generation) above which `describe` carries a HistoryLarge warning. */
  readonly historyWarningEntries: number;
}

/** What a caller may pass: any subset, expression limits field by field. */
export interface EngineLimitsOptions {
  readonly payloadBytes?: number;
  readonly expression?: Partial<EvaluationLimits>;
  readonly retentionMs?: number;
  readonly historyWarningEntries?: number;
}

/** Fills the defaults. Pure. */
export function resolveLimits(options: EngineLimitsOptions = {}): EngineLimits {
  return {
    payloadBytes: options.payloadBytes ?? DEFAULT_PAYLOAD_LIMIT_BYTES,
    expression: { ...DEFAULT_EXPRESSION_LIMITS, ...options.expression },
    retentionMs: options.retentionMs ?? DEFAULT_RETENTION_MS,
    historyWarningEntries: options.historyWarningEntries ?? DEFAULT_HISTORY_WARNING_ENTRIES,
  };
}

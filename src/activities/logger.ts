/** The structured logger handed to handlers: pino on stderr, level from FLOWLINE_LOG_LEVEL (default `warn`). */
import { pino, type Logger } from 'pino';
import type { ActivityLogger } from './types.js';

let root: Logger | undefined;

/**
 * The process-wide activity logger, created on first use. Writes JSON lines to stderr so a
 * command's stdout (e.g. `flowline run` printing the output) stays clean.
 */
export function activityLogger(): Logger {
  if (!root) {
    const wanted = process.env.FLOWLINE_LOG_LEVEL?.trim().toLowerCase();
    // An unknown level must not break handlers: fall back to the default.
    const level = wanted && (wanted === 'silent' || wanted in pino.levels.values) ? wanted : 'warn';
    root = pino({ name: 'flowline', level }, pino.destination({ fd: 2, sync: true }));
  }
  return root;
}

/** A child logger carrying one attempt's identity (runId, stepId, attempt, activity). */
export function attemptLogger(fields: Readonly<Record<string, unknown>>, parent?: ActivityLogger): ActivityLogger {
  const base = parent ?? activityLogger();
  const withChild = base as ActivityLogger & { child?: (bindings: Record<string, unknown>) => ActivityLogger };
  return typeof withChild.child === 'function' ? withChild.child({ ...fields }) : base;
}

/**
 * The logger handed to handlers: a child of the logger the runtime passes in (its engine's, see
 * observability/logger.ts), so this room holds no logger of its own and imports no pino.
 */
import type { ActivityLogger } from './types.js';

/** A child logger carrying one attempt's identity (runId, stepId, attempt, activity). */
export function attemptLogger(fields: Readonly<Record<string, unknown>>, parent: ActivityLogger): ActivityLogger {
  const withChild = parent as ActivityLogger & { child?: (bindings: Record<string, unknown>) => ActivityLogger };
  return typeof withChild.child === 'function' ? withChild.child({ ...fields }) : parent;
}

/**
 * Errors as the Redis runtime logs them. ioredis attaches the failed command (`command: { name,
 * args }`) to its errors, EXECABORT carries the queued commands' errors, and Redis quotes
 * arguments in some replies (`unknown command …, with args beginning with: …`): logged as is,
 * pino would print run inputs, outputs and states that the payload redaction never saw. Every
 * log line of the runtime passes its error through {@link safeError}.
 */

/** What a logged error keeps: its kind, a bounded message without quoted arguments, its code. */
export interface SafeError {
  readonly type: string;
  readonly message: string;
  readonly code?: string;
  readonly command?: string;
  readonly stack?: string;
}

/** Longest message kept (Redis and BullMQ messages are short; anything longer is data). */
const MAX_MESSAGE = 300;

/** A copy of `error` safe to log: no command arguments, no payloads. Pure. */
export function safeError(error: unknown): SafeError {
  if (!(error instanceof Error)) return { type: typeof error, message: '(not an Error)' };
  const code = (error as { code?: unknown }).code;
  const command = (error as { command?: { name?: unknown } }).command?.name;
  const message = scrub(error.message);
  return {
    type: error.name,
    message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof command === 'string' ? { command } : {}),
    // The first line of a stack is the message: replace it with the scrubbed one.
    ...(error.stack ? { stack: [`${error.name}: ${message}`, ...error.stack.split('\n').slice(1).filter((l) => /^\s+at /.test(l))].join('\n') } : {}),
  };
}

/** A message without quoted arguments, bounded in length. Pure. */
function scrub(message: string): string {
  const cut = message.replace(/,? with args beginning with:.*$/s, '').replace(/\s+/g, ' ');
  return cut.length > MAX_MESSAGE ? `${cut.slice(0, MAX_MESSAGE)}…` : cut;
}

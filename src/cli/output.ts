/** Shared CLI plumbing: exit codes, JSON output, and turning errors into messages (never stack traces). */
import { FlowlineError } from '../errors.js';
import type { RunResult } from '../runtime/engine.js';

export const EXIT_OK = 0;
/** A run that ended in any status but `completed`, or a flow test that failed. */
export const EXIT_RUN_FAILED = 1;
/** Bad usage or invalid input (document, JSON, signal payload…). */
export const EXIT_INVALID = 2;
/** `flowline replay`: the history does not replay the same against the current code and definition. */
export const EXIT_NONDETERMINISTIC = 3;

/** Thrown by verbs to end with a message and an exit code without a stack trace. */
export class CliExit extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** One line for a person: `type: message`. */
export function describeError(error: unknown): string {
  if (error instanceof FlowlineError) return `${error.type}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Parse a `--input`/`--data` value: inline JSON or `@path/to/file.json`. */
export async function parseJsonArgument(value: string | undefined, what: string): Promise<unknown> {
  if (value === undefined) return undefined;
  let text = value;
  if (value.startsWith('@')) {
    const { readFile } = await import('node:fs/promises');
    try {
      text = await readFile(value.slice(1), 'utf8');
    } catch (error) {
      throw new CliExit(EXIT_INVALID, `cannot read ${what} file ${value.slice(1)}: ${(error as Error).message}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliExit(
      EXIT_INVALID,
      `${what} is not valid JSON (${(error as Error).message}); quote it for the shell, e.g. --${what} '{"key":"value"}', or pass @file.json`,
    );
  }
}

/** Prints a run's outcome: the output as JSON when completed (or `{runId,status,output,error}` with --json). */
export function printRunResult(result: RunResult, json: boolean, nameStep?: (pointer: string) => string): void {
  const error = result.error ? { type: result.error.type, message: result.error.message, step: result.error.step ?? null } : null;
  if (json) {
    printJson({ runId: result.runId, status: result.status, output: result.output ?? null, error });
    return;
  }
  if (result.status === 'completed') {
    printJson(result.output ?? null);
    return;
  }
  // For people: the step by where it sits (`reserve › catch 1 › step 2 (set)`) when the flow is at hand.
  const where = error?.step ? ` at ${nameStep ? nameStep(error.step) : `step "${error.step}"`}` : '';
  process.stderr.write(
    `flowline: run ${result.runId} is ${result.status}${error ? `${where}: ${error.type}: ${error.message}` : ''}\n`,
  );
}

/**
 * The engine operations written once over the run driver: start, signal, query, cancel,
 * terminate and retry. What each request becomes as an event and when it is refused is
 * common/operations.ts; here it is applied to the run at its turn, so the checks see the state
 * the event is decided on and a refusal leaves nothing stored.
 */
import type { WorkflowDefinition } from '../../definition/types.js';
import { RunNotFoundError } from '../../errors.js';
import type { RunState } from '../../interpreter/types.js';
import type { SignalOptions } from '../engine.js';
import { answerQuery, checkControlOutcome, checkSignalOutcome, controlEvent, signalEvent, type ControlOperation } from '../common/operations.js';
import type { StoredRun } from './ports.js';
import type { RunDriver } from './run-driver.js';

/** What the operations use of a driver (none of it depends on the store's own types). */
export type RunMover = Pick<RunDriver, 'apply' | 'answer' | 'read' | 'limits'>;

/** Where a run comes from: a caller's trace context, or the parent that started it. */
export interface RunOrigin {
  readonly parent?: { readonly runId: string; readonly seq: number };
  /** The caller's trace context (W3C carrier): the run's span continues it. */
  readonly trace?: Readonly<Record<string, string>>;
}

/**
 * Starts a run of `definition` (input already checked); resolves with its first state once
 * stored. Throws RunAlreadyExistsError when the id is running (a finished run is replaced).
 */
export function startRun<Create>(
  driver: Pick<RunDriver<StoredRun, Create, unknown>, 'create'>,
  definition: WorkflowDefinition,
  runId: string,
  input: unknown,
  origin: RunOrigin = {},
  create?: Create,
): Promise<RunState> {
  const { parent, trace } = origin;
  return driver.create(definition, { type: 'RunStarted', runId, input, ...(parent ? { parent } : {}), ...(trace ? { trace } : {}) }, create);
}

/** Delivers a signal after the checks of SPEC §6, made on the state it is decided on. Throws the typed refusal. */
export async function signalRun(
  driver: RunMover,
  runId: string,
  name: string,
  data: unknown,
  options: SignalOptions = {},
  trace?: Readonly<Record<string, string>>,
): Promise<void> {
  const { accepted, state } = await driver.apply(runId, (current, definition) => signalEvent(definition, current, name, data, options, driver.limits, trace));
  // The run may have ended while the signal waited for its turn.
  checkSignalOutcome(accepted, state, name, options);
}

/** Cancels, terminates or retries a run; throws RunNotActiveError when its status forbids it. */
export async function controlRun(driver: RunMover, runId: string, operation: ControlOperation, reason?: string): Promise<void> {
  const { accepted, state } = await driver.apply(runId, (current) => controlEvent(current, operation, reason));
  checkControlOutcome(accepted, state, operation);
}

/** A declared query's value on the run's current state, within the engine's expression limits. */
export async function queryRun(driver: RunMover, runId: string, name: string): Promise<unknown> {
  const run = await driver.read(runId);
  if (!run) throw new RunNotFoundError(runId);
  return answerQuery(run.definition, run.state, name, driver.limits);
}

/**
 * The engine operations, written once for both runtimes: what each request becomes as an event,
 * when it is refused, and how a query is answered. Each runtime only loads the run and applies the
 * event its own way (the embedded run loop, or a Redis transition). Pure.
 */
import type { WorkflowDefinition } from '../../definition/types.js';
import { QueryNotFoundError, RunNotActiveError } from '../../errors.js';
import { evaluateQuery } from '../../interpreter/index.js';
import type { RunState } from '../../interpreter/types.js';
import type { SignalOptions } from '../engine.js';
import type { EventInput } from './events.js';
import type { EngineLimits } from './limits.js';
import { checkSignal } from './signal-checks.js';

/** The requests that stop or restart a run. */
export type ControlOperation = 'cancel' | 'terminate' | 'retry';

/**
 * The SignalReceived event for a signal to `state`, after the checks of SPEC §6 (declared name,
 * payload schema, size, run still going). Throws the typed refusal. Pure.
 */
export function signalEvent(
  definition: WorkflowDefinition,
  state: Pick<RunState, 'runId' | 'status'>,
  name: string,
  data: unknown,
  options: SignalOptions,
  limits: EngineLimits,
  /** The sender's trace context (W3C carrier), if any. */
  trace?: Readonly<Record<string, string>>,
): EventInput {
  return {
    type: 'SignalReceived',
    name,
    data: checkSignal(definition, state, name, data, limits.payloadBytes),
    ...(options.signalId === undefined ? {} : { signalId: options.signalId }),
    // The sender's trace context (if any): the run's span links to it.
    ...(trace ? { trace } : {}),
  };
}

/**
 * After a signal was decided: a signal the core ignored because the run ended meanwhile is
 * refused, unless it carried a `signalId` (then it is a repeat, answered as delivered). Pure.
 */
export function checkSignalOutcome(accepted: boolean, state: Pick<RunState, 'runId' | 'status'>, name: string, options: SignalOptions): void {
  if (!accepted && state.status !== 'running' && options.signalId === undefined) {
    throw new RunNotActiveError(state.runId, state.status, `signal "${name}" to`);
  }
}

/** The event for cancel, terminate or retry on `state`; throws RunNotActiveError when the run's status forbids it. Pure. */
export function controlEvent(state: Pick<RunState, 'runId' | 'status'>, operation: ControlOperation, reason?: string): EventInput {
  const withReason = reason === undefined ? {} : { reason };
  switch (operation) {
    case 'retry':
      if (state.status === 'running') throw new RunNotActiveError(state.runId, state.status, 'retry');
      return { type: 'RetryRequested' };
    case 'cancel':
      if (state.status !== 'running') throw new RunNotActiveError(state.runId, state.status, operation);
      return { type: 'CancelRequested', ...withReason };
    case 'terminate':
      if (state.status !== 'running') throw new RunNotActiveError(state.runId, state.status, operation);
      return { type: 'TerminateRequested', ...withReason };
  }
}

/** After a control request was decided: refused when the core ignored it (the run ended or restarted meanwhile). Pure. */
export function checkControlOutcome(accepted: boolean, state: Pick<RunState, 'runId' | 'status'>, operation: ControlOperation): void {
  if (accepted) return;
  if (operation === 'retry' || state.status !== 'running') throw new RunNotActiveError(state.runId, state.status, operation);
}

/** A declared query's value on `state`, within the engine's expression limits. Throws QueryNotFoundError. */
export function answerQuery(definition: WorkflowDefinition, state: RunState, name: string, limits: EngineLimits): Promise<unknown> {
  if (!Object.prototype.hasOwnProperty.call(definition.queries, name)) {
    throw new QueryNotFoundError(name, Object.keys(definition.queries));
  }
  return evaluateQuery(definition, state, name, { limits: limits.expression });
}

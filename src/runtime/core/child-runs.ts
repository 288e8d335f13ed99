/**
 * Child runs, written once for both runtimes: starting a child and telling its parent, cancelling
 * it, and telling the parent how it ended. Each is safe to do twice (a repeated dispatch): the
 * child's id is deterministic and the parent ignores an answer it no longer awaits.
 */
import type { WorkflowDefinition } from '../../definition/types.js';
import { RunAlreadyExistsError, RunNotFoundError } from '../../errors.js';
import type { NotifyParentCommand, StartChildCommand } from '../../interpreter/types.js';
import { childEndEvent, childStartFailedEvent } from '../common/child-notices.js';
import type { TimedEventInput } from '../common/events.js';
import { checkStartInput } from '../common/start-checks.js';
import type { StoredRun } from './ports.js';
import type { RunDriver } from './run-driver.js';
import { startRun, type RunMover } from './run-operations.js';

/** What starting a child needs beside the driver: the deployed definition it names. */
export type DefinitionLookup = (workflow: string, version?: number) => WorkflowDefinition | Promise<WorkflowDefinition>;

/** Why a child is cancelled (its CancelRequested reason). */
export const PARENT_CANCELLED_REASON = 'its parent run was cancelled';

/**
 * Starts `command`'s child of `parentRunId`. The parent hears ChildStarted before the child can
 * end, so it sees the two in order; a child that cannot be started (unknown flow, invalid
 * input) is a ChildFailed. A child already there (a repeated dispatch) is not started again, nor
 * is one whose parent is no longer running. Throws only what storing the child throws.
 */
export async function startChildRun(
  driver: RunMover & Pick<RunDriver<StoredRun, undefined, unknown>, 'create'>,
  definitionFor: DefinitionLookup,
  parentRunId: string,
  command: Pick<StartChildCommand, 'seq' | 'childRunId' | 'workflow' | 'version' | 'input'>,
): Promise<void> {
  let definition: WorkflowDefinition;
  let input: unknown;
  try {
    definition = await definitionFor(command.workflow, command.version);
    input = checkStartInput(definition, command.input, driver.limits.payloadBytes);
  } catch (error) {
    await answerIfThere(driver, parentRunId, childStartFailedEvent(command.seq, error));
    return;
  }
  const existing = await driver.read(command.childRunId);
  const version = existing?.state.workflow.version ?? definition.version;
  await answerIfThere(driver, parentRunId, { type: 'ChildStarted', seq: command.seq, version });
  if (existing) return;
  const parent = await driver.read(parentRunId);
  if (!parent || parent.state.status !== 'running') return;
  try {
    await startRun(driver, definition, command.childRunId, input, { parent: { runId: parentRunId, seq: command.seq } });
  } catch (error) {
    if (error instanceof RunAlreadyExistsError) return;
    throw error;
  }
}

/** Cancels a child run that is still running (nothing when it ended or is not there). */
export async function cancelChildRun(driver: RunMover, childRunId: string): Promise<void> {
  try {
    await driver.apply(childRunId, (state) => (state.status === 'running' ? { type: 'CancelRequested', reason: PARENT_CANCELLED_REASON } : null));
  } catch (error) {
    if (!(error instanceof RunNotFoundError)) throw error;
  }
}

/** Tells the parent how its child ended (the child's NotifyParent command). */
export function notifyParentRun(driver: RunMover, childRunId: string, notice: Omit<NotifyParentCommand, 'type'>): Promise<boolean> {
  return answerIfThere(driver, notice.parentRunId, childEndEvent(notice, childRunId));
}

/** An answer to a run that may have expired or been removed meanwhile (then nobody awaits it). */
async function answerIfThere(driver: RunMover, runId: string, event: TimedEventInput): Promise<boolean> {
  try {
    return await driver.answer(runId, event);
  } catch (error) {
    if (error instanceof RunNotFoundError) return false;
    throw error;
  }
}

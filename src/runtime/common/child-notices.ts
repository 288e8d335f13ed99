/** How both runtimes tell a parent run about its child: the events a child's start or end becomes. Pure. */
import type { ErrorInfo, NotifyParentCommand } from '../../interpreter/types.js';
import type { EventInput } from './events.js';

/** The parent's event for a child's end (the child's NotifyParent command). Pure. */
export function childEndEvent(notice: Omit<NotifyParentCommand, 'type' | 'parentRunId'>, childRunId: string): EventInput {
  return notice.status === 'completed'
    ? { type: 'ChildCompleted', seq: notice.seq, output: notice.output }
    : {
        type: 'ChildFailed',
        seq: notice.seq,
        status: notice.status,
        error: notice.error ?? { type: 'ChildFailed', message: `child run ${childRunId} ended ${notice.status}` },
      };
}

/** The parent's event when its child could not be started (unknown flow, invalid input…). Pure. */
export function childStartFailedEvent(seq: number, error: unknown): EventInput {
  const failure = error as { type?: string; message?: string };
  const info: ErrorInfo = { type: failure.type ?? 'Error', message: failure.message ?? String(error) };
  return { type: 'ChildFailed', seq, status: 'failed', error: info };
}

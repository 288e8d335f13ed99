/**
 * The "dispatch" half of persist-then-dispatch: turns a committed decision's commands into BullMQ
 * jobs with deterministic ids and pub/sub notices. Every command is safe to dispatch twice: a job
 * id absorbs a duplicate while the job exists, and the run's own state (awaited seqs, pending
 * timers, revision) absorbs it after.
 */
import type { Redis } from 'ioredis';
import type { Command, RunState, RunStatus, ScheduleActivityCommand } from '../../interpreter/types.js';
import { DEFAULT_TASK_QUEUE, type KeyLayout, jobId } from './keys.js';
import { JOB_OPTIONS, type ActivityJobData, type QueueSet, type TimerJobData } from './queues.js';
import { storedJson, type StoredJson } from '../../codec/payload-codec.js';
import { assertNever } from '../common/events.js';

/** A notice on the prefix's pub/sub channel. */
export type ChannelMessage =
  | { readonly kind: 'ended'; readonly runId: string; readonly status: RunStatus }
  | { readonly kind: 'cancel-activity'; readonly runId: string; readonly seq: number };

/** Dispatches commands. Side effects: BullMQ jobs, PUBLISH. */
export class Dispatcher {
  constructor(
    private readonly client: Redis,
    private readonly queues: QueueSet,
    private readonly keys: KeyLayout,
    private readonly now: () => number,
    /** Payloads in job data (activity and child input, child output) pass through the codec. */
    private readonly json: StoredJson = storedJson(),
  ) {}

  /**
   * Dispatches `commands` of run `runId`, in order. `state` is the run's state (null when
   * expired). `repair`: the commands may have been dispatched (and run) already.
   */
  async dispatch(runId: string, state: RunState | null, commands: readonly Command[], options: { repair?: boolean } = {}): Promise<void> {
    const repair = options.repair ?? false;
    for (let i = 0; i < commands.length; ) {
      // Consecutive activity attempts on one task queue (a fan-out, a forEach batch) are added
      // with one addBulk (one round trip) instead of one add each.
      const first = commands[i];
      if (first.type === 'ScheduleActivity' && state) {
        const taskQueue = first.taskQueue ?? DEFAULT_TASK_QUEUE;
        let end = i + 1;
        while (end < commands.length) {
          const next = commands[end];
          if (next.type !== 'ScheduleActivity' || (next.taskQueue ?? DEFAULT_TASK_QUEUE) !== taskQueue) break;
          end++;
        }
        if (end - i > 1) {
          const jobs = (commands.slice(i, end) as ScheduleActivityCommand[]).map((command) => ({
            name: command.activity,
            data: this.activityJob(runId, state.workflow, command, repair),
            opts: { ...JOB_OPTIONS, jobId: jobId('act', runId, command.seq) },
          }));
          await this.queues.activities(taskQueue).addBulk(jobs);
          i = end;
          continue;
        }
      }
      await this.dispatchOne(runId, state, first, repair);
      i++;
    }
  }

  /** The job data of an activity attempt (also what an eager attempt runs from). */
  activityJob(runId: string, workflow: { readonly name: string; readonly version: number }, command: ScheduleActivityCommand, repair = false): ActivityJobData {
    return {
      runId,
      seq: command.seq,
      activity: command.activity,
      input: this.json.encodeValue(command.input),
      attempt: command.attempt,
      idempotencyKey: command.idempotencyKey,
      stepPath: command.stepPath,
      ...(command.stepId === undefined ? {} : { stepId: command.stepId }),
      ...(command.timeoutMs === undefined ? {} : { timeoutMs: command.timeoutMs }),
      ...(command.heartbeatTimeoutMs === undefined ? {} : { heartbeatTimeoutMs: command.heartbeatTimeoutMs }),
      workflow: { name: workflow.name, version: workflow.version },
      ...(command.taskQueue === undefined ? {} : { taskQueue: command.taskQueue }),
      ...(repair ? { recheck: true } : {}),
    };
  }

  private async dispatchOne(runId: string, state: RunState | null, command: Command, repair: boolean): Promise<void> {
    switch (command.type) {
      case 'ScheduleActivity': {
        if (!state) return;
        await this.queues
          .activities(command.taskQueue ?? DEFAULT_TASK_QUEUE)
          .add(command.activity, this.activityJob(runId, state.workflow, command, repair), { ...JOB_OPTIONS, jobId: jobId('act', runId, command.seq) });
        return;
      }
      case 'CancelActivity':
        // A running attempt is told to raise its AbortSignal (and a worker that picks the job up
        // after the notice skips it); a job still waiting is removed (0 when a worker holds it).
        await this.publish({ kind: 'cancel-activity', runId, seq: command.seq });
        await this.queues.activities(command.taskQueue ?? DEFAULT_TASK_QUEUE).remove(jobId('act', runId, command.seq));
        return;
      case 'StartTimer': {
        const data: TimerJobData = { runId, seq: command.seq, at: command.at };
        await this.queues.timers.add('timer', data, {
          ...JOB_OPTIONS,
          jobId: jobId('tmr', runId, command.seq),
          delay: Math.max(0, command.at - this.now()),
        });
        return;
      }
      case 'CancelTimer':
        // Best effort: a timer job that fires anyway finds its seq no longer pending and does nothing.
        await this.queues.timers.remove(jobId('tmr', runId, command.seq));
        return;
      case 'StartChild':
        await this.queues.interpreter.add(
          'start-child',
          { ...command, input: this.json.encodeValue(command.input), parentRunId: runId },
          { ...JOB_OPTIONS, jobId: jobId('chd', runId, command.seq) },
        );
        return;
      case 'CancelChild':
        await this.queues.interpreter.add(
          'cancel-child',
          { childRunId: command.childRunId },
          { ...JOB_OPTIONS, jobId: jobId('cch', runId, command.seq) },
        );
        return;
      case 'NotifyParent':
        await this.queues.interpreter.add(
          'notify-parent',
          { ...command, output: this.json.encodeValue(command.output), childRunId: runId },
          { ...JOB_OPTIONS, jobId: jobId('ntf', runId, command.seq) },
        );
        return;
      default:
        assertNever(command, 'command');
    }
  }

  /** The `ended` notice as channel and message (the commit script publishes it when the run ends). */
  endedNotice(runId: string, status: RunStatus): { channel: string; message: string } {
    return { channel: this.keys.channel, message: JSON.stringify({ kind: 'ended', runId, status } satisfies ChannelMessage) };
  }

  private async publish(message: ChannelMessage): Promise<void> {
    await this.client.publish(this.keys.channel, JSON.stringify(message));
  }
}

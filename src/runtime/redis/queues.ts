/** The BullMQ queues of one Flowline prefix, created lazily on one shared connection, and their job payloads. */
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { StartChildCommand, NotifyParentCommand } from '../../interpreter/types.js';
import { QUEUES } from './keys.js';

/** An activity attempt to run (queue `activities.<taskQueue>`). */
export interface ActivityJobData {
  readonly runId: string;
  readonly seq: number;
  readonly activity: string;
  readonly input: unknown;
  readonly attempt: number;
  readonly idempotencyKey: string;
  readonly stepPath: string;
  readonly stepId?: string;
  readonly timeoutMs?: number;
  readonly heartbeatTimeoutMs?: number;
  readonly workflow: { readonly name: string; readonly version: number };
  /** The task queue, when not the default one (its rate limit applies). */
  readonly taskQueue?: string;
  /** Dispatched again by a repair: the attempt may have run already, so the worker checks the run awaits it. */
  readonly recheck?: boolean;
}

/** A due timer (queue `timers`). */
export interface TimerJobData {
  readonly runId: string;
  readonly seq: number;
  readonly at: number;
}

/** Interpreter work (queue `interpreter`), by job name. */
export type InterpreterJob =
  | { readonly name: 'start-child'; readonly data: StartChildCommand & { readonly parentRunId: string } }
  | { readonly name: 'cancel-child'; readonly data: { readonly childRunId: string } }
  | { readonly name: 'notify-parent'; readonly data: NotifyParentCommand & { readonly childRunId: string } };

/**
 * Options of every Flowline job: retried with capped backoff when its processing fails for a
 * reason outside the workflow (Redis unreachable…), removed once done so Redis does not grow.
 */
export const JOB_OPTIONS: JobsOptions = {
  attempts: 50,
  backoff: { type: 'flowline' },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
};

/** Backoff of failed job processing: 0.5 s doubling to 30 s. Pure. */
export function jobBackoffMs(attemptsMade: number): number {
  return Math.min(500 * 2 ** Math.max(0, attemptsMade - 1), 30_000);
}

/** Lazily created queues sharing one connection. Side effects: BullMQ/Redis I/O. */
export class QueueSet {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly connection: Redis,
    readonly prefix: string,
  ) {}

  /** The queue `name` (created on first use). */
  get(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      // The events stream is capped small: Flowline does not read it, and it never expires.
      queue = new Queue(name, { connection: this.connection, prefix: this.prefix, streams: { events: { maxLen: 1000 } } });
      // Connection errors surface on the calls that need Redis; the event would only be noise.
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  get timers(): Queue {
    return this.get(QUEUES.timers);
  }

  get interpreter(): Queue {
    return this.get(QUEUES.interpreter);
  }

  activities(taskQueue: string): Queue {
    return this.get(QUEUES.activities(taskQueue));
  }

  /** Closes every queue (the shared connection stays open: its owner closes it). */
  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}

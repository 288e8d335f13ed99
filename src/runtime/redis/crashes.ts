/**
 * Poison runs: a run whose transition kills the worker process deciding it (a fatal V8 error or
 * an out-of-memory abort in an expression, `process.exit` in a hook…) would otherwise circle
 * forever, killing every worker that picks its job up. BullMQ counts, per job, how often the job
 * was found abandoned by a dead worker (its stalled counter, `stc` in the job hash, incremented
 * atomically by the stalled-job check): once a job that moves a run has been abandoned
 * `maxCrashes` times, the next worker fails the run with WorkerCrashed instead of deciding again.
 * The count rides on the job itself, so the hot path pays no extra call.
 */
import type { Job } from 'bullmq';
import { RunNotFoundError } from '../../errors.js';
import { stepAwaiting } from '../../interpreter/index.js';
import type { ErrorInfo } from '../../interpreter/types.js';
import { QUEUES } from './keys.js';
import type { ActivityJobData, InterpreterJob, TimerJobData } from './queues.js';
import type { RedisRuntime } from './runtime.js';

/** Worker deaths of one job after which its run fails (the worker's `maxWorkerCrashes` default). */
export const DEFAULT_MAX_WORKER_CRASHES = 3;

/** The run a job moves, and the seq it answers (when it answers one). */
export interface JobTarget {
  readonly runId: string;
  readonly seq?: number;
  /** The step, when the job knows it (an activity attempt). */
  readonly step?: string;
}

/** The run a job of queue `queue` moves; undefined for jobs that move no run (schedules). Pure. */
export function jobTarget(queue: string, job: Pick<Job, 'name' | 'data'>): JobTarget | undefined {
  if (queue === QUEUES.timers) {
    const data = job.data as TimerJobData;
    return { runId: data.runId, seq: data.seq };
  }
  if (queue === QUEUES.interpreter) {
    const typed = { name: job.name, data: job.data } as InterpreterJob;
    switch (typed.name) {
      case 'start-child':
        return { runId: typed.data.parentRunId, seq: typed.data.seq };
      case 'notify-parent':
        return { runId: typed.data.parentRunId, seq: typed.data.seq };
      case 'cancel-child':
        return { runId: typed.data.childRunId };
      default:
        return undefined;
    }
  }
  if (queue.startsWith(`${QUEUES.activities('')}`)) {
    const data = job.data as ActivityJobData;
    return { runId: data.runId, seq: data.seq, step: data.stepId ?? data.stepPath };
  }
  return undefined;
}

/** The run's error: which step, how many workers died, what to do. Pure. */
export function workerCrashedError(step: string | null, crashes: number, revision: number): ErrorInfo {
  const where = step === null ? `at revision ${revision}` : `at step "${step}"`;
  return {
    type: 'WorkerCrashed',
    message:
      `the run's transition ${where} crashed ${crashes} worker processes (each died while moving this run); ` +
      'the run was stopped so that other runs go on. Look in the workers\' logs for the cause (out of memory, a fatal error), ' +
      'fix it, then retry the run',
    step,
    details: { crashes },
  };
}

/**
 * Fails the job's run with WorkerCrashed when it is still running and still awaits the job's seq
 * (an answer committed just before the crash leaves the run alone). True when the run was failed
 * or is gone; false when the job should run as usual. No user expression is evaluated.
 */
export async function failCrashedRun(runtime: RedisRuntime, target: JobTarget, crashes: number): Promise<boolean> {
  try {
    const { accepted } = await runtime.transitions.apply(target.runId, (state) => {
      if (state.status !== 'running') return null;
      let step: string | null = target.step ?? null;
      if (target.seq !== undefined) {
        const awaited = stepAwaiting(state, target.seq);
        if (awaited === undefined) return null;
        step ??= awaited;
      }
      return { type: 'TerminateRequested', failure: workerCrashedError(step, crashes, state.revision) };
    });
    return accepted;
  } catch (error) {
    if (error instanceof RunNotFoundError) return true;
    throw error;
  }
}

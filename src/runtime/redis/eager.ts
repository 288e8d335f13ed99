/**
 * Eager execution (docs/decisions/0013-eager-execution.md): a worker that commits an activity's
 * answer offers its slot to the run's next step. When the decision schedules an activity of a
 * task queue the worker serves, the commit marks that attempt's outbox entry with the BullMQ job
 * whose lock covers the worker's slot (the "carrier"), no job is added, and the worker runs the
 * attempt at once in the same slot. The marked entry stays in the outbox until the attempt's own
 * answer is committed (which removes it in the same script call): it is the safety net. A repair
 * leaves an entry alone while its carrier still holds its lock (the attempt is running); once the
 * lock is gone (the worker died, or was force-stopped) the entry is dispatched as a job that first
 * checks the run still awaits it — the same path as a crash between commit and dispatch.
 */
import type { Command, ScheduleActivityCommand } from '../../interpreter/types.js';
import { DEFAULT_TASK_QUEUE } from './keys.js';

/**
 * The BullMQ job whose lock covers an eager attempt: while Redis holds `token` at `lock`, the
 * worker that committed the attempt is alive and runs it.
 */
export interface EagerCarrier {
  /** The job's lock key (`<prefix>:<queue>:<jobId>:lock`). */
  readonly lock: string;
  /** The worker's lock token for that job. */
  readonly token: string;
}

/** What an offer got: the attempt to run now, and its outbox entry (raw) to remove with the answer. */
export interface EagerClaim {
  readonly command: ScheduleActivityCommand;
  readonly outboxEntry: string;
}

/**
 * A worker's offer to run one activity of the next decision at once. The transition that commits
 * the offering answer fills `claimed` when it took the offer.
 */
export class EagerOffer {
  claimed: EagerClaim | undefined;

  constructor(
    /** Task queues the offering worker serves. */
    readonly taskQueues: ReadonlySet<string>,
    readonly carrier: EagerCarrier,
  ) {}

  /** True for an activity attempt this worker could run. Pure. */
  accepts(command: Command): command is ScheduleActivityCommand {
    return command.type === 'ScheduleActivity' && this.taskQueues.has(command.taskQueue ?? DEFAULT_TASK_QUEUE);
  }
}

/**
 * Which commands the offers take: each offer, in order, the first activity attempt it accepts
 * that no earlier offer took. Returns command index → offer. Pure.
 */
export function assignEager(commands: readonly Command[], offers: readonly EagerOffer[]): Map<number, EagerOffer> {
  const taken = new Map<number, EagerOffer>();
  for (const offer of offers) {
    for (let i = 0; i < commands.length; i++) {
      if (taken.has(i) || !offer.accepts(commands[i]!)) continue;
      taken.set(i, offer);
      break;
    }
  }
  return taken;
}

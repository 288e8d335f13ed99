/**
 * Removal of dispatched outbox entries, batched: the run's next commit from this process removes
 * them in the same script call (`take`), and whatever is left is removed in one pipeline shortly
 * after — well within the repair grace period, so a repair rarely re-dispatches them (harmless
 * anyway). No call per dispatch.
 */
import type { RunStore } from './store.js';

/** Dispatched outbox entries not removed by a later commit are removed after at most this long (ms). */
const CLEAR_DELAY_MS = 100;

/** What the clearer needs. */
export interface OutboxClearerDeps {
  readonly store: Pick<RunStore, 'clearOutboxes'>;
  /** Told when a batched removal fails (the entries are then re-dispatched by a repair). */
  readonly onError: (runId: string, error: unknown) => void;
  /** Schedules `fn` after `ms` (unref'd: a pending clear never keeps a process alive). */
  readonly schedule?: (fn: () => void, ms: number) => { cancel(): void };
}

/** Dispatched outbox entries per run, until a commit or a flush removes them. */
export class OutboxClearer {
  private readonly dispatched = new Map<string, string[]>();
  private timer: { cancel(): void } | undefined;
  private clearing: Promise<void> = Promise.resolve();
  private readonly schedule: NonNullable<OutboxClearerDeps['schedule']>;

  constructor(private readonly deps: OutboxClearerDeps) {
    this.schedule = deps.schedule ?? unrefTimeout;
  }

  /** Entries of a run a commit can remove now (the list stays until `committed` confirms it). */
  pending(runId: string): string[] | undefined {
    return this.dispatched.get(runId);
  }

  /** The commit removed `cleared` (what `pending` gave): forget them unless more were added since. */
  committed(runId: string, cleared: string[] | undefined): void {
    if (cleared && this.dispatched.get(runId) === cleared) this.dispatched.delete(runId);
  }

  /** Notes entries just dispatched; a flush is scheduled shortly after. */
  markDispatched(runId: string, outbox: readonly string[]): void {
    const list = this.dispatched.get(runId);
    if (list) list.push(...outbox);
    else this.dispatched.set(runId, [...outbox]);
    this.timer ??= this.schedule(() => void this.flush(), CLEAR_DELAY_MS);
  }

  /** Removes every entry not yet removed by a later commit (one pipeline). Also called on close. */
  flush(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.dispatched.size === 0) return this.clearing;
    const batch = [...this.dispatched.entries()];
    this.dispatched.clear();
    const run = async (): Promise<void> => {
      try {
        await this.deps.store.clearOutboxes(batch);
      } catch (error) {
        this.deps.onError(batch[0]![0], error);
      }
    };
    this.clearing = this.clearing.then(run);
    return this.clearing;
  }
}

function unrefTimeout(fn: () => void, ms: number): { cancel(): void } {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return { cancel: () => clearTimeout(timer) };
}

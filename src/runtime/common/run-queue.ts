/**
 * Ordering and batching of the work for one run, for both runtimes: work for a run is done one
 * piece at a time, in arrival order, and what piles up while a piece runs is handed over as one
 * batch (at most `maxBatch`), so a fan-out answering together costs one commit. Runs do not wait
 * for one another. Side effects: only those of the handler it is given.
 */
export class RunQueue<T> {
  private readonly waiting = new Map<string, T[]>();
  /** Runs whose handler is running (or queued to run) now. */
  private readonly busy = new Set<string>();

  /**
   * @param handle does one batch of one run's items; what it throws is its own business (it
   *   should settle each item itself), the queue goes on with the next batch.
   */
  constructor(
    private readonly handle: (runId: string, batch: T[]) => Promise<void>,
    private readonly maxBatch: number,
    /** Told when a run's work starts (it had none) and when it has none left (idle accounting). */
    private readonly hooks: { readonly onBusy?: () => void; readonly onSettled?: () => void } = {},
  ) {}

  /** Queues an item for a run; its handler runs once the run's earlier batches are done. */
  push(runId: string, item: T): void {
    let queue = this.waiting.get(runId);
    if (!queue) this.waiting.set(runId, (queue = []));
    queue.push(item);
    if (this.busy.has(runId)) return;
    this.busy.add(runId);
    this.hooks.onBusy?.();
    void this.drain(runId);
  }

  /** Number of runs with work queued or under way. */
  get activeRuns(): number {
    return this.busy.size;
  }

  private async drain(runId: string): Promise<void> {
    try {
      for (;;) {
        const queue = this.waiting.get(runId);
        if (!queue || queue.length === 0) break;
        const batch = queue.splice(0, this.maxBatch);
        try {
          await this.handle(runId, batch);
        } catch {
          // The handler settles its items; a throw must not stop the run's later work.
        }
      }
    } finally {
      this.waiting.delete(runId);
      this.busy.delete(runId);
      this.hooks.onSettled?.();
    }
  }
}

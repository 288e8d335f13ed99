/**
 * Rate limits on Redis (docs/decisions/0016-rate-limits.md): every worker of a prefix counts the
 * calls of an activity (and of a task queue) in one sliding window kept by lua/rate-limit.lua on
 * Redis's clock. An attempt over a limit waits in its worker before it starts; it is never failed,
 * never recorded, never retried because of the limit.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowDefinition } from '../../definition/types.js';
import { DefinitionNotFoundError } from '../../errors.js';
import { windowsFor, type OptionLimits } from '../common/rate-limits.js';
import { DEFAULT_TASK_QUEUE } from './keys.js';
import type { ActivityJobData } from './queues.js';
import type { RedisRuntime } from './runtime.js';

/** The limits one worker applies: its own option and the flow documents'. */
export class RedisRateLimiter {
  constructor(
    private readonly runtime: RedisRuntime,
    private readonly option: OptionLimits,
  ) {}

  /**
   * Resolves once the attempt fits every window that applies to it (and is counted in them), or
   * when `signal` aborts (cancelled, or the worker stops at once). No limit: no Redis call beyond
   * the definition, which the registry caches.
   */
  async admit(data: ActivityJobData, signal: AbortSignal): Promise<void> {
    const definition = await this.definitionOf(data);
    const windows = windowsFor(data.activity, data.taskQueue ?? DEFAULT_TASK_QUEUE, definition, this.option);
    if (windows.length === 0) return;
    const keys: string[] = [];
    const args: (string | number)[] = [`${data.runId}#${data.seq}#${data.attempt}#${randomUUID()}`, windows.length];
    for (const window of windows) {
      const { log, horizon } = this.runtime.keys.rateLimit(window.key);
      keys.push(log, horizon);
      args.push(window.limits.length, ...window.limits.flatMap((limit) => [limit.max, limit.perMs]));
    }
    while (!signal.aborted) {
      const waitMs = Number(await this.runtime.client.flRateLimit(keys.length, ...keys, ...args));
      if (waitMs === 0) return;
      await sleep(waitMs, signal);
    }
  }

  private async definitionOf(data: ActivityJobData): Promise<WorkflowDefinition | undefined> {
    try {
      return await this.runtime.registry.get(data.workflow.name, data.workflow.version);
    } catch (error) {
      // A definition removed since the run started leaves the worker's own limits.
      if (error instanceof DefinitionNotFoundError) return undefined;
      throw error;
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Redis memory per run waiting on a signal: starts N runs that wait on `go`, measures the memory
 * they hold, then signals them all and checks every one completes. The wait needs no worker (a
 * signal is decided by the process that sends it), so none runs here.
 */
import { Redis } from 'ioredis';
import { createRedisEngine } from '../src/redis.js';
import { signalFlow } from './redis-flows.js';
import { RunEnds, benchPrefix, cleanupPrefix, pool, prefixBytes, round, usedMemory } from './redis-harness.js';
import { nowMs } from './stats.js';

/** What the waiting-runs measurement found. */
export interface WaitingRunsResult {
  readonly runs: number;
  readonly startsPerSecond: number;
  readonly usedMemoryPerRunBytes: number;
  readonly keyBytesPerRun: number;
  /** Bytes per waiting run by key family (MEMORY USAGE). */
  readonly keyBytesPerRunByFamily: Readonly<Record<string, number>>;
  readonly signalsPerSecond: number;
  readonly completed: number;
  readonly signalErrors: number;
  readonly notCompleted: number;
}

/** Starts `runs` waiting runs on a fresh prefix, measures, signals them all; removes the keys after. */
export async function measureWaitingRuns(url: string, runs: number, log: (line: string) => void = () => undefined): Promise<WaitingRunsResult> {
  const prefix = benchPrefix('waiting');
  const flow = signalFlow();
  const admin = new Redis(url);
  const engine = createRedisEngine({ url, prefix });
  const ends = await RunEnds.open(url, prefix);
  try {
    await engine.deploy(flow.definition);
    const before = await usedMemory(admin);
    const keysBefore = await prefixBytes(admin, prefix);
    const ids: string[] = new Array<string>(runs);
    let started = nowMs();
    await pool(runs, 200, async (i) => {
      ids[i] = (await engine.start(flow.definition.name)).runId;
      if ((i + 1) % 20_000 === 0) log(`  waiting runs: ${i + 1} started`);
    });
    const startsPerSecond = runs / ((nowMs() - started) / 1000);
    const after = await usedMemory(admin);
    const keysAfter = await prefixBytes(admin, prefix);

    let signalErrors = 0;
    started = nowMs();
    await pool(runs, 200, async (i) => {
      try {
        await engine.signal(ids[i] as string, 'go', {});
      } catch {
        signalErrors++;
      }
    });
    const signalsPerSecond = runs / ((nowMs() - started) / 1000);
    let notCompleted = 0;
    await pool(runs, 1000, async (i) => {
      const end = await ends.waitFor(ids[i] as string, 120_000).catch(() => null);
      if (end?.status !== 'completed') notCompleted++;
    });
    const byFamily: Record<string, number> = {};
    for (const [family, entry] of Object.entries(keysAfter.byFamily)) {
      const grown = entry.bytes - (keysBefore.byFamily[family]?.bytes ?? 0);
      if (grown > 0) byFamily[family] = round(grown / runs);
    }
    return {
      runs,
      startsPerSecond: round(startsPerSecond),
      usedMemoryPerRunBytes: Math.round((after - before) / runs),
      keyBytesPerRun: Math.round((keysAfter.bytes - keysBefore.bytes) / runs),
      keyBytesPerRunByFamily: byFamily,
      signalsPerSecond: round(signalsPerSecond),
      completed: runs - notCompleted,
      signalErrors,
      notCompleted,
    };
  } finally {
    await ends.close();
    await engine.close();
    await cleanupPrefix(admin, prefix);
    admin.disconnect();
  }
}

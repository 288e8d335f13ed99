/**
 * The run driver over the embedded runtime's real RunStore (memory/run-store.ts). Two drivers on
 * one store stand for two processes moving the same run: the one that commits second finds the
 * revision moved, loads again and decides again. The sink records what it is asked to carry out.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadDefinition } from '../../../src/definition/load.js';
import { RunNotActiveError, SignalNotDeclaredError } from '../../../src/errors.js';
import type { Command } from '../../../src/interpreter/types.js';
import { resolveLimits } from '../../../src/runtime/common/limits.js';
import type { CommandSink, RunStore, StoredRun, Transition } from '../../../src/runtime/core/ports.js';
import { RunDriver } from '../../../src/runtime/core/run-driver.js';
import { controlRun, queryRun, signalRun, startRun } from '../../../src/runtime/core/run-operations.js';
import { SystemClock } from '../../../src/runtime/memory/clock.js';
import { MemoryRunStore, type MemoryLoadedRun } from '../../../src/runtime/memory/run-store.js';
import type { RunRecord } from '../../../src/runtime/memory/run-record.js';

const flow = loadDefinition(`
dsl: flowline/v1
name: two-signals
version: 1
signals:
  go: {}
queries:
  revision: \${ $vars.n }
steps:
  - set: { n: 0 }
  - waitSignal: go
  - set: { n: 1 }
  - waitSignal: go
output: done
`);

/** A CommandSink that keeps what it was given (the embedded run loop would start activities and timers). */
class RecordingSink implements CommandSink<RunRecord> {
  readonly carried: Array<{ runId: string; revision: number; commands: readonly Command[] }> = [];
  carryOut(transition: Transition): void {
    this.carried.push({ runId: transition.runId, revision: transition.decision.state.revision, commands: transition.decision.commands });
  }
}

/** The embedded store, noting the extras each commit is given (where the Redis store finds its callers' eager offers). */
class ExtrasNotingStore implements RunStore<MemoryLoadedRun, undefined, RunRecord, string> {
  readonly extrasPerCommit: Array<readonly string[]> = [];
  constructor(private readonly inner: MemoryRunStore) {}
  read(runId: string): Promise<StoredRun | undefined> {
    return this.inner.read(runId);
  }
  load(runId: string): Promise<MemoryLoadedRun | undefined> {
    return this.inner.load(runId);
  }
  history(runId: string) {
    return this.inner.history(runId);
  }
  commit(transition: Transition, expected: MemoryLoadedRun | undefined, _create?: undefined, extras: readonly string[] = []) {
    this.extrasPerCommit.push(extras);
    return this.inner.commit(transition, expected);
  }
}

function setup() {
  const clock = new SystemClock();
  const limits = resolveLimits();
  const store = new MemoryRunStore({ clock, retentionMs: limits.retentionMs, log: () => pino({ enabled: false }) });
  const sink = new RecordingSink();
  const backoffs: number[] = [];
  const driver = (name: string) =>
    new RunDriver({
      store,
      sink,
      now: () => clock.now(),
      limits,
      random: () => 0.5,
      sleep: async (ms) => void backoffs.push(ms),
      tooManyConflicts: (runId, attempts) => new Error(`${name}: ${runId} conflicted ${attempts} times`),
    });
  return { store, sink, backoffs, driver };
}

describe('run driver over the embedded RunStore', () => {
  it('retries a commit whose revision moved: the second process decides again on a fresh load', async () => {
    const { store, sink, backoffs, driver } = setup();
    const first = driver('first');
    const second = driver('second');
    const started = await startRun(first, flow, 'r1', null);
    expect(started.status).toBe('running');

    // Same tick: both load the run at the same revision, both decide; one commit must conflict.
    const results = await Promise.all([
      first.apply('r1', () => ({ type: 'SignalReceived', name: 'go', data: null })),
      second.apply('r1', () => ({ type: 'SignalReceived', name: 'go', data: null })),
    ]);

    expect(results.map((r) => r.accepted)).toEqual([true, true]);
    expect(backoffs).toHaveLength(1);
    const record = store.lookup('r1')!;
    expect(record.state.status).toBe('completed');
    expect(record.history.filter((e) => e.type === 'SignalReceived')).toHaveLength(2);
    // Each transition was carried out once, in revision order: the lost attempt left nothing behind.
    expect(sink.carried.map((c) => c.revision)).toEqual([started.revision, started.revision + 1, started.revision + 2]);
  });

  it('decides events that pile up for one run as one transition, and gives a refusal to its own caller only', async () => {
    const { store, sink, driver } = setup();
    const one = driver('one');
    await startRun(one, flow, 'r2', null);
    const carriedBefore = sink.carried.length;

    const [refused, delivered, again] = await Promise.allSettled([
      signalRun(one, 'r2', 'nope', null),
      signalRun(one, 'r2', 'go', null),
      signalRun(one, 'r2', 'go', null),
    ]);

    expect(refused.status === 'rejected' && refused.reason).toBeInstanceOf(SignalNotDeclaredError);
    expect([delivered.status, again.status]).toEqual(['fulfilled', 'fulfilled']);
    expect(sink.carried.length - carriedBefore).toBe(1);
    expect(store.lookup('r2')!.state.status).toBe('completed');
    await expect(queryRun(one, 'r2', 'revision')).resolves.toBe(1);
  });

  it("hands every caller's extra to the commit of the batch that decides its events, refused ones too; none for a creation or when nothing is decided", async () => {
    const { store: memory, sink } = setup();
    const store = new ExtrasNotingStore(memory);
    const limits = resolveLimits();
    const driver = new RunDriver({ store, sink, now: () => Date.now(), limits });
    await startRun(driver, flow, 'r4', null);
    const go = () => ({ type: 'SignalReceived', name: 'go', data: null }) as const;
    const refuse = (): never => {
      throw new Error('refused');
    };

    const [first, refused, second] = await Promise.allSettled([
      driver.apply('r4', go, 0, 'a'),
      driver.apply('r4', refuse, 0, 'b'),
      driver.apply('r4', go, 0, 'c'),
    ]);

    expect([first.status, refused.status, second.status]).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(memory.lookup('r4')!.state.status).toBe('completed');
    // The ended run drops the answer undecided: nothing is committed, its extra goes nowhere.
    await expect(driver.answer('r4', { type: 'TimerFired', seq: 1 }, 0, undefined, 'd')).resolves.toBe(false);
    expect(store.extrasPerCommit).toEqual([[], ['a', 'b', 'c']]);
  });

  it('drops an answer once the run has ended, and refuses a cancel of an ended run', async () => {
    const { driver } = setup();
    const one = driver('one');
    await startRun(one, flow, 'r3', null);
    await controlRun(one, 'r3', 'cancel', 'enough');
    await expect(one.answer('r3', { type: 'TimerFired', seq: 1 })).resolves.toBe(false);
    await expect(controlRun(one, 'r3', 'cancel')).rejects.toBeInstanceOf(RunNotActiveError);
  });
});

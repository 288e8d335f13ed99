import { afterEach, describe, expect, it } from 'vitest';
import { createEmbeddedEngine, ManualClock, type EmbeddedEngine } from '../../../src/runtime/memory/index.js';
import type { Step } from '../../../src/definition/types.js';
import { EngineClosedError } from '../../../src/errors.js';
import { call, definition, wait, waitSignal } from './definitions.js';

const engines: EmbeddedEngine[] = [];
function engine(options: Parameters<typeof createEmbeddedEngine>[0] = {}): EmbeddedEngine {
  const created = createEmbeddedEngine(options);
  engines.push(created);
  return created;
}
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
});

async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
}

const HOUR = 3_600_000;

describe('embedded engine', () => {
  it('run() deploys, starts and waits; history is kept', async () => {
    const e = engine({ activities: { 'math.inc': async (n: number) => n + 1 } });
    const flow = definition('inc', [call(0, 'math.inc', { with: '${ $input }' })]);
    const result = await e.run(flow, { input: 41, id: 'r-1' });
    expect(result).toEqual({ runId: 'r-1', status: 'completed', output: 42, error: null });
    const types = (await e.history('r-1')).map((entry) => entry.type);
    expect(types[0]).toBe('RunStarted');
    expect(types).toContain('ActivityStarted');
    expect(types).toContain('ActivityCompleted');
    expect(types.at(-1)).toBe('RunEnded');
  });

  it('skipTimers jumps the clock to the next timer when nothing else is going on', async () => {
    const e = engine({ skipTimers: true });
    const result = await e.run(definition('sleepy', [wait('/steps/0', 5 * HOUR)]));
    expect(result.status).toBe('completed');
    const history = await e.history(result.runId);
    const started = history[0]!.at;
    const fired = history.find((entry) => entry.type === 'TimerFired');
    expect(fired!.at - started).toBeGreaterThanOrEqual(5 * HOUR);
  });

  it('skipTimers handles a signal sent right after the start before any timer', async () => {
    const e = engine({ skipTimers: true });
    const flow = definition('approve', [waitSignal(0, 'approve', HOUR)], { signals: { approve: {} } });
    const result = await e.run(flow, { signals: [{ name: 'approve', data: { by: 'ann' } }] });
    expect(result).toMatchObject({ status: 'completed', output: { by: 'ann' } });
  });

  it('skipTimers never fires a timer while an activity is in flight', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered = false;
    const e = engine({
      skipTimers: true,
      activities: {
        'op.gated': async () => {
          entered = true;
          await gate;
          return 'done';
        },
      },
    });
    const parallel: Step = {
      kind: 'parallel',
      path: '/steps/0',
      completion: 'all',
      branches: [
        { kind: 'wait', path: '/steps/0/parallel/0', id: 'sleep', durationMs: HOUR },
        { kind: 'call', path: '/steps/0/parallel/1', id: 'work', call: 'op.gated' },
      ],
    };
    await e.deploy(definition('gated', [parallel]));
    const { runId } = await e.start('gated');
    for (let i = 0; i < 100 && !entered; i++) await turns(1);
    expect(entered).toBe(true);
    await turns(20);
    expect((await e.history(runId)).some((entry) => entry.type === 'TimerFired')).toBe(false);
    release();
    const result = await e.result(runId, { wait: true });
    expect(result.status).toBe('completed');
    const history = await e.history(runId);
    const completed = history.findIndex((entry) => entry.type === 'ActivityCompleted');
    const fired = history.findIndex((entry) => entry.type === 'TimerFired');
    expect(completed).toBeGreaterThan(-1);
    expect(fired).toBeGreaterThan(completed);
  });

  it('without skipTimers, timers follow the injected clock', async () => {
    const clock = new ManualClock();
    const e = engine({ clock });
    await e.deploy(definition('manual', [wait('/steps/0', 10_000)]));
    const { runId } = await e.start('manual');
    expect((await e.result(runId)).status).toBe('running');
    clock.advance(9_999);
    await turns(5);
    expect((await e.result(runId)).status).toBe('running');
    clock.advance(1);
    const result = await e.result(runId, { wait: true });
    expect(result.status).toBe('completed');
    expect(clock.pendingCount).toBe(0);
  });

  it('decides one event at a time per run: concurrent signals are all buffered, in order', async () => {
    const steps = Array.from({ length: 30 }, (_v, i) => waitSignal(i, 'n'));
    const flow = definition('many-signals', steps, {
      signals: { n: {} },
      output: '${ [' + steps.map((_s, i) => `$steps.s${i}`).join(',') + '] }',
    });
    const withIds = { ...flow, steps: flow.steps.map((s, i) => ({ ...s, id: `s${i}` })) as Step[] };
    const e = engine();
    await e.deploy(withIds);
    const { runId } = await e.start('many-signals');
    await Promise.all(Array.from({ length: 30 }, (_v, i) => e.signal(runId, 'n', i)));
    const result = await e.result(runId, { wait: true });
    expect(result).toMatchObject({ status: 'completed', output: Array.from({ length: 30 }, (_v, i) => i) });
  });

  it('a finished run expires after the retention', async () => {
    const clock = new ManualClock();
    const e = engine({ clock, limits: { retentionMs: 1000 } });
    const { runId } = await e.run(definition('short', [{ kind: 'set', path: '/steps/0', set: { a: 1 } }]));
    expect((await e.describe(runId)).status).toBe('completed');
    clock.advance(1001);
    await expect(e.describe(runId)).rejects.toMatchObject({ type: 'RunNotFound' });
    expect(await e.list()).toEqual([]);
  });

  it('a missing activity fails with ActivityNotFound naming what is registered', async () => {
    const e = engine({ activities: { 'a.one': () => 1 } });
    e.register('a.two', () => 2);
    const result = await e.run(definition('missing', [call(0, 'a.three', { id: 'x' })]));
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ type: 'ActivityNotFound', step: 'x' });
    expect(result.error?.message).toContain('a.one, a.two');
  });

  it('run() refuses an invalid signal before starting anything', async () => {
    const e = engine();
    const flow = definition('refuse', [waitSignal(0, 'go')], { signals: { go: {} } });
    await expect(e.run(flow, { signals: [{ name: 'stop' }] })).rejects.toMatchObject({ type: 'SignalNotDeclared' });
    expect(await e.list()).toEqual([]);
  });

  it('deploy: same digest is a no-op, different content is a conflict; start picks the latest', async () => {
    const e = engine();
    const v1 = definition('versions', [{ kind: 'return', path: '/steps/0', value: 'one' }]);
    const v2 = definition('versions', [{ kind: 'return', path: '/steps/0', value: 'two' }], { version: 2 });
    expect(await e.deploy(v1)).toMatchObject({ created: true });
    expect(await e.deploy(v1)).toMatchObject({ created: false });
    await e.deploy(v2);
    const changed = definition('versions', [{ kind: 'return', path: '/steps/0', value: 'other' }]);
    await expect(e.deploy(changed)).rejects.toMatchObject({ type: 'DefinitionConflict' });
    const { runId } = await e.start('versions');
    expect(await e.result(runId, { wait: true })).toMatchObject({ output: 'two' });
    const pinned = await e.start('versions', { version: 1 });
    expect(await e.result(pinned.runId, { wait: true })).toMatchObject({ output: 'one' });
  });

  it('an ended run releases its timers (the run timeout included)', async () => {
    const clock = new ManualClock();
    const e = engine({ clock });
    await e.run(definition('timed', [{ kind: 'set', path: '/steps/0', set: { a: 1 } }], { timeoutMs: HOUR }));
    expect(clock.pendingCount).toBe(0);
  });

  it('result with timeoutMs gives up with WaitTimeout while the run keeps going', async () => {
    const e = engine({ clock: new ManualClock() });
    await e.deploy(definition('forever', [wait('/steps/0', HOUR)]));
    const { runId } = await e.start('forever');
    await expect(e.result(runId, { wait: true, timeoutMs: 20 })).rejects.toMatchObject({ type: 'WaitTimeout' });
    expect((await e.result(runId)).status).toBe('running');
  });
});

describe('whenStalled', () => {
  it('resolves once nothing inside the engine can move a run forward', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const e = engine({ skipTimers: true, activities: { 'op.gated': () => gate } });
    const flow = definition('stall', [call(0, 'op.gated'), wait('/steps/1', HOUR), waitSignal(2, 'go')], { signals: { go: {} } });
    await e.deploy(flow);
    const { runId } = await e.start('stall');
    let stalled = false;
    const whenStalled = e.whenStalled().then(() => (stalled = true));
    await turns(20);
    expect(stalled).toBe(false); // an activity is running
    release();
    await whenStalled;
    const history = await e.history(runId);
    expect(history.some((entry) => entry.type === 'TimerFired')).toBe(true); // the wait was skipped first
    expect((await e.result(runId)).status).toBe('running');
    await e.signal(runId, 'go');
    expect((await e.result(runId, { wait: true })).status).toBe('completed');
  });
});

describe('close', () => {
  it('resolves pending waits, raises running attempts’ AbortSignals, and refuses new runs', async () => {
    let aborted = false;
    const e = engine({
      activities: {
        'op.hang': (_input: unknown, ctx) =>
          new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => ((aborted = true), reject(new Error('x'))))),
      },
    });
    const flow = definition('closing', [call(0, 'op.hang')]);
    await e.deploy(flow);
    const { runId } = await e.start('closing');
    for (let i = 0; i < 100 && (await e.history(runId)).every((entry) => entry.type !== 'ActivityStarted'); i++) await turns(1);
    const waiting = e.result(runId, { wait: true });
    await e.close();
    expect((await waiting).status).toBe('running');
    expect(aborted).toBe(true);
    await expect(e.start('closing')).rejects.toBeInstanceOf(EngineClosedError);
    await expect(e.start('closing')).rejects.toMatchObject({ type: 'EngineClosed' });
  });
});

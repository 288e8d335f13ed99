import { describe, expect, it } from 'vitest';
import { ManualClock, SystemClock } from '../../../src/runtime/memory/clock.js';
import { TimerTable } from '../../../src/runtime/memory/timer-table.js';

describe('ManualClock', () => {
  it('fires due timers in due order when advanced, never cleared ones', () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.setTimer(1300, () => fired.push('c'));
    clock.setTimer(1100, () => fired.push('a'));
    const cleared = clock.setTimer(1200, () => fired.push('x'));
    clock.setTimer(1200, () => fired.push('b'));
    clock.clearTimer(cleared);
    clock.advance(250);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.now()).toBe(1250);
    clock.advanceTo(1000); // never backwards
    expect(clock.now()).toBe(1250);
    clock.advance(50);
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(clock.pendingCount).toBe(0);
  });
});

describe('SystemClock', () => {
  it('advanceTo moves time forward only, and timers fire on real time', async () => {
    const clock = new SystemClock();
    const before = clock.now();
    clock.advanceTo(before + 60_000);
    expect(clock.now()).toBeGreaterThanOrEqual(before + 60_000);
    clock.advanceTo(before);
    expect(clock.now()).toBeGreaterThanOrEqual(before + 60_000);
    const fired = await new Promise<number>((resolve) => clock.setTimer(clock.now() + 5, () => resolve(clock.now())));
    expect(fired).toBeGreaterThanOrEqual(before + 60_000);
  });
});

describe('TimerTable', () => {
  it('finds the earliest timer; skipping fires it once and moves the clock', () => {
    const clock = new ManualClock(0);
    const table = new TimerTable(clock);
    const fired: string[] = [];
    table.add('r1', 1, 500, (t) => fired.push(`${t.runId}#${t.seq}@${clock.now()}`));
    table.add('r2', 1, 200, (t) => fired.push(`${t.runId}#${t.seq}@${clock.now()}`));
    table.add('r2', 2, 900, (t) => fired.push(`${t.runId}#${t.seq}`));
    expect(table.earliest()).toMatchObject({ runId: 'r2', seq: 1, at: 200 });
    table.skipTo(table.earliest()!);
    expect(fired).toEqual(['r2#1@200']);
    table.cancelRun('r2');
    expect(table.size).toBe(1);
    clock.advance(1000);
    expect(fired).toEqual(['r2#1@200', 'r1#1@1200']);
    expect(table.size).toBe(0);
  });
});

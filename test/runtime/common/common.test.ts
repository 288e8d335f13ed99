import { describe, expect, it } from 'vitest';
import { answerOf, activityNotFound } from '../../../src/runtime/common/activity-outcome.js';
import { resolveLimits, DEFAULT_PAYLOAD_LIMIT_BYTES } from '../../../src/runtime/common/limits.js';
import { checkPayloadSize, jsonByteSize, toJsonValue } from '../../../src/runtime/common/payload-limits.js';
import { toRunDescription, toRunResult, toRunSummary } from '../../../src/runtime/common/run-views.js';
import { checkSignal } from '../../../src/runtime/common/signal-checks.js';
import { checkStartInput, resolveRunId } from '../../../src/runtime/common/start-checks.js';
import type { RunState } from '../../../src/interpreter/types.js';
import { definition } from '../memory/definitions.js';

const flow = definition('orders', [], {
  inputSchema: { type: 'object', required: ['qty'], properties: { qty: { type: 'integer', minimum: 1 } } },
  signals: { approve: { schema: { type: 'object', required: ['by'], properties: { by: { type: 'string' } } } }, ping: {} },
});

describe('payload limits', () => {
  it('measures JSON bytes in UTF-8 and refuses above the limit, naming the payload', () => {
    expect(jsonByteSize({ a: 'é' })).toBe(Buffer.byteLength('{"a":"é"}'));
    expect(jsonByteSize(undefined)).toBe(4);
    expect(() => checkPayloadSize('x'.repeat(20), 'output of step "s"', 10)).toThrow(/output of step "s" is 22 bytes, above the limit of 10/);
    expect(() => checkPayloadSize('x', 'input', 10)).not.toThrow();
  });

  it('toJsonValue stores plain JSON', () => {
    expect(toJsonValue(undefined)).toBeNull();
    expect(toJsonValue({ a: undefined, d: new Date(0) })).toEqual({ d: '1970-01-01T00:00:00.000Z' });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => toJsonValue(cyclic)).toThrow(TypeError);
  });

  it('limits default to 512 KiB, 100 ms expressions and 7 days, each overridable', () => {
    const limits = resolveLimits({ expression: { timeoutMs: 5 } });
    expect(limits.payloadBytes).toBe(DEFAULT_PAYLOAD_LIMIT_BYTES);
    expect(DEFAULT_PAYLOAD_LIMIT_BYTES).toBe(512 * 1024);
    expect(limits.expression.timeoutMs).toBe(5);
    expect(limits.expression.maxDepth).toBeGreaterThan(0);
    expect(limits.retentionMs).toBe(7 * 24 * 3600 * 1000);
  });
});

describe('start checks', () => {
  it('accepts a valid input and refuses an invalid or oversized one', () => {
    expect(checkStartInput(flow, { qty: 2 }, 1000)).toEqual({ qty: 2 });
    expect(() => checkStartInput(flow, { qty: 0 }, 1000)).toThrow(expect.objectContaining({ type: 'InputInvalid' }));
    expect(() => checkStartInput(flow, { qty: 2, pad: 'x'.repeat(2000) }, 1000)).toThrow(
      expect.objectContaining({ type: 'PayloadTooLarge' }),
    );
  });

  it('generates a UUID run id unless one is given; refuses malformed ids', () => {
    expect(resolveRunId(undefined)).toMatch(/^[0-9a-f-]{36}$/);
    expect(resolveRunId('order-42')).toBe('order-42');
    expect(() => resolveRunId('')).toThrow(expect.objectContaining({ type: 'InputInvalid' }));
    expect(() => resolveRunId('a\nb')).toThrow(expect.objectContaining({ type: 'InputInvalid' }));
  });
});

describe('signal checks', () => {
  const running = { runId: 'r', status: 'running' as const };
  it.each([
    ['an undeclared name', running, 'nope', {}, 'SignalNotDeclared'],
    ['a payload not matching the schema', running, 'approve', { by: 1 }, 'SignalPayloadInvalid'],
    ['a run that is not running', { runId: 'r', status: 'completed' as const }, 'ping', null, 'RunNotActive'],
    ['an oversized payload', running, 'ping', 'x'.repeat(200), 'PayloadTooLarge'],
  ])('refuses %s', (_label, run, name, data, type) => {
    expect(() => checkSignal(flow, run, name, data, 100)).toThrow(expect.objectContaining({ type }));
  });

  it('returns the payload as stored', () => {
    expect(checkSignal(flow, running, 'approve', { by: 'ann' }, 100)).toEqual({ by: 'ann' });
    expect(checkSignal(flow, running, 'ping', undefined, 100)).toBeNull();
  });
});

describe('activity outcomes', () => {
  it('turns outcomes into answering events', () => {
    expect(answerOf(3, 's', { ok: true, output: { a: 1 } }, 100)).toEqual({ type: 'ActivityCompleted', seq: 3, output: { a: 1 } });
    expect(answerOf(3, 's', { ok: false, error: { type: 'X', message: 'm' } }, 100)).toEqual({
      type: 'ActivityFailed',
      seq: 3,
      error: { type: 'X', message: 'm' },
    });
    expect(answerOf(3, 'big', { ok: true, output: 'x'.repeat(200) }, 100)).toMatchObject({
      type: 'ActivityFailed',
      error: { type: 'PayloadTooLarge', nonRetryable: true, message: expect.stringContaining('"big"') },
    });
    expect(answerOf(3, 's', { ok: true, output: 10n }, 100)).toMatchObject({ error: { type: 'OutputInvalid', nonRetryable: true } });
    expect(activityNotFound('a.b', ['c.d'])).toMatchObject({ type: 'ActivityNotFound', nonRetryable: true, message: expect.stringContaining('c.d') });
  });

  it('an unknown activity suggests the near name, or points to --activities when none is registered', () => {
    expect(activityNotFound('inventory.reserv', ['inventory.reserve', 'payments.charge']).message).toBe(
      'no activity is registered under "inventory.reserv" (did you mean `inventory.reserve`? registered: inventory.reserve, payments.charge)',
    );
    expect(activityNotFound('a.b', [], 'on this worker').message).toMatch(/^no activity is registered under "a\.b" on this worker: no activities are registered — give the module that exports them with `--activities <module>`/);
  });
});

describe('run views', () => {
  const state: RunState = {
    runId: 'r1',
    workflow: { name: 'orders', version: 2, digest: 'd' },
    status: 'running',
    input: {},
    vars: { a: 1 },
    output: 'partial',
    error: null,
    startedAt: 0,
    updatedAt: 5,
    endedAt: null,
    revision: 3,
    historyLength: 4,
    retries: 1,
    parent: { runId: 'p', seq: 2 },
    core: {},
  };
  it('hides the output while running and formats times as ISO', () => {
    expect(toRunResult(state)).toEqual({ runId: 'r1', status: 'running', output: null, error: null });
    expect(toRunDescription(state)).toMatchObject({
      name: 'orders',
      version: 2,
      startedAt: '1970-01-01T00:00:00.000Z',
      endedAt: null,
      parentRunId: 'p',
      attempt: 2,
      vars: { a: 1 },
    });
    expect(toRunSummary({ ...state, status: 'completed', endedAt: 1000 })).toEqual({
      runId: 'r1',
      name: 'orders',
      version: 2,
      status: 'completed',
      startedAt: '1970-01-01T00:00:00.000Z',
      endedAt: '1970-01-01T00:00:01.000Z',
    });
  });
});

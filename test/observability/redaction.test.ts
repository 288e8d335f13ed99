import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../src/interpreter/types.js';
import { maskPaths, parseRedactPath, scrubSecrets, secretLeaves, toPinoPath } from '../../src/observability/redaction.js';
import { createRunRedactor, globalRedactPathsFromEnv, redactRunView } from '../../src/observability/run-redactor.js';

describe('redact paths', () => {
  it.each([
    ['input.card.number', ['input', 'card', 'number']],
    ['steps.pay.output.token', ['steps', 'pay', 'output', 'token']],
    ['vars.items[0].ssn', ['vars', 'items', '0', 'ssn']],
    ['vars.items[*].ssn', ['vars', 'items', '*', 'ssn']],
    ['*.password', ['*', 'password']],
    ['input["card-number"]', ['input', 'card-number']],
    ['$.input.card.number', ['input', 'card', 'number']],
    ['$["vars"].ssn', ['vars', 'ssn']],
  ])('parses %s', (path, segments) => {
    expect(parseRedactPath(path)).toEqual(segments);
  });

  it.each(['', 'a..b', '.a', 'a.', 'a[b]', 'a[0', '$', '$.'])('refuses %j', (path) => {
    expect(parseRedactPath(path)).toBeUndefined();
  });

  it('writes pino paths', () => {
    expect(toPinoPath(['input', 'card-number', '*', 'x'])).toBe('input["card-number"].*.x');
    expect(toPinoPath(['*', 'password'])).toBe('*.password');
  });
});

describe('maskPaths', () => {
  const value = { card: { number: '4111111111111111', exp: '12/30' }, items: [{ ssn: '078-05-1120' }, { ssn: 'x' }] };

  it('masks the values at the paths and leaves the original untouched', () => {
    const masked = maskPaths(value, ['card.number', 'items[*].ssn']);
    expect(masked).toEqual({ card: { number: '[REDACTED]', exp: '12/30' }, items: [{ ssn: '[REDACTED]' }, { ssn: '[REDACTED]' }] });
    expect(value.card.number).toBe('4111111111111111');
  });

  it('masks whole subtrees, ignores missing paths and returns the same object when nothing matched', () => {
    expect(maskPaths(value, ['card'])).toMatchObject({ card: '[REDACTED]' });
    expect(maskPaths(value, ['nope.deeper', 'items[5].ssn'])).toBe(value);
    expect(maskPaths('scalar', ['a'])).toBe('scalar');
  });

  it('reports what it masked', () => {
    const found: unknown[] = [];
    maskPaths(value, ['card.number'], '[REDACTED]', found);
    expect(found).toEqual(['4111111111111111']);
  });
});

describe('secret scrubbing', () => {
  it('replaces copies of masked values, inside templates too', () => {
    const secrets = secretLeaves([{ n: '4111111111111111' }, 'ab', 123456]);
    expect(secrets).toEqual(['4111111111111111', '123456']);
    expect(scrubSecrets({ a: 'card 4111111111111111 ok', b: [123456, 7], c: 'ab' }, secrets)).toEqual({
      a: 'card [REDACTED] ok',
      b: ['[REDACTED]', 7],
      c: 'ab',
    });
  });
});

describe('run redactor', () => {
  const redactor = createRunRedactor(['input.card.number', 'vars.ssn', 'steps.pay.output.token', 'signals.approve.pin'], ['*.password']);

  it('masks each kind of payload by its root', () => {
    expect(redactor.input({ card: { number: '4111' }, password: 'hunter22' })).toEqual({
      card: { number: '[REDACTED]' },
      password: '[REDACTED]',
    });
    expect(redactor.vars({ ssn: '078-05-1120', status: 'ok' })).toEqual({ ssn: '[REDACTED]', status: 'ok' });
    expect(redactor.stepOutput('pay', { token: 'tok_123', id: 'ch_1' })).toEqual({ token: '[REDACTED]', id: 'ch_1' });
    expect(redactor.stepOutput('ship', { token: 'tok_123' })).toEqual({ token: 'tok_123' });
    expect(redactor.signal('approve', { by: 'ann', pin: '1234' })).toEqual({ by: 'ann', pin: '[REDACTED]' });
  });

  it('reports malformed paths and ignores them', () => {
    const r = createRunRedactor(['vars.ok', 'bad..path']);
    expect(r.invalid).toEqual(['bad..path']);
    expect(r.vars({ ok: 'secret' })).toEqual({ ok: '[REDACTED]' });
  });

  it('masks a describe view and scrubs copies of the masked values from other fields', () => {
    const view = {
      runId: 'r1',
      status: 'completed',
      vars: { ssn: '078-05-1120', note: 'ssn 078-05-1120 verified' },
      output: { receipt: 'for 078-05-1120' },
      error: null,
    };
    const masked = redactRunView({ redact: ['vars.ssn'] }, view, []);
    expect(masked).toEqual({
      runId: 'r1',
      status: 'completed',
      vars: { ssn: '[REDACTED]', note: 'ssn [REDACTED] verified' },
      output: { receipt: 'for [REDACTED]' },
      error: null,
    });
    expect(JSON.stringify(masked)).not.toContain('078-05-1120');
  });

  it('masks history: run input, step input/output by seq, variables, signals and run output', () => {
    const card = '4111111111111111';
    const token = 'tok_SECRET_9';
    const history: HistoryEntry[] = [
      { index: 0, at: 1, type: 'RunStarted', event: { type: 'RunStarted', at: 1, runId: 'r1', input: { card: { number: card } } } },
      { index: 1, at: 1, type: 'StepScheduled', seq: 1, stepId: 'pay', path: '/steps/0', details: { activity: 'payments.charge', input: { cardNumber: card } } },
      { index: 2, at: 2, type: 'ActivityCompleted', seq: 1, event: { type: 'ActivityCompleted', at: 2, seq: 1, output: { token, id: 'ch_1' } } },
      { index: 3, at: 2, type: 'StepCompleted', seq: 1, stepId: 'pay', details: { output: { token, id: 'ch_1' } } },
      { index: 4, at: 3, type: 'SignalReceived', event: { type: 'SignalReceived', at: 3, name: 'approve', data: { by: 'ann', pin: '9876' } } },
      { index: 5, at: 4, type: 'RunEnded', details: { status: 'completed', output: { charged: token } } },
    ];
    const masked = redactRunView({ redact: ['input.card.number', 'steps.pay.output.token', 'signals.approve.pin'] }, history, []);
    const text = JSON.stringify(masked);
    expect(text).not.toContain(card);
    expect(text).not.toContain(token);
    expect(text).not.toContain('9876');
    expect(text).toContain('ch_1');
    expect(text).toContain('ann');
    expect(masked[2].event).toMatchObject({ output: { token: '[REDACTED]', id: 'ch_1' } });
    expect(masked).toHaveLength(history.length);
    expect(history[0].event).toMatchObject({ input: { card: { number: card } } });
  });

  it('returns views unchanged when there is nothing to redact', () => {
    const view = { vars: { a: 1 } };
    expect(redactRunView({}, view, [])).toBe(view);
  });

  it('reads the global list from FLOWLINE_REDACT', () => {
    expect(globalRedactPathsFromEnv({ FLOWLINE_REDACT: ' input.password , *.apiKey,, ' })).toEqual(['input.password', '*.apiKey']);
    expect(globalRedactPathsFromEnv({})).toEqual([]);
  });
});

describe('deep wildcard', () => {
  it('`**` matches at any depth, zero levels included', () => {
    const value = { password: 'a', user: { password: 'b', profile: { password: 'c', name: 'n' } }, list: [{ password: 'd' }] };
    expect(maskPaths(value, ['**.password'])).toEqual({
      password: '[REDACTED]',
      user: { password: '[REDACTED]', profile: { password: '[REDACTED]', name: 'n' } },
      list: [{ password: '[REDACTED]' }],
    });
    expect(createRunRedactor([], ['**.password']).input({ deep: { er: { password: 'x' } } })).toEqual({ deep: { er: { password: '[REDACTED]' } } });
  });

  it('expands into pino paths up to four levels deep', async () => {
    const { toPinoPaths } = await import('../../src/observability/redaction.js');
    expect(toPinoPaths(['**', 'password'])).toEqual(['password', '*.password', '*.*.password', '*.*.*.password', '*.*.*.*.password']);
    expect(toPinoPaths(['input', '**', 'pin'])).toContain('input.*.*.pin');
  });
});

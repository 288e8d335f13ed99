import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, flowLogger, runLogger } from '../../src/observability/logger.js';

/** A destination that keeps every JSON line written to it. */
function memoryDestination(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'flowline-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('logger', () => {
  it('stamps run, flow, step and attempt fields on every line', () => {
    const out = memoryDestination();
    const root = createLogger({ destination: out.stream, env: {} });
    const flow = flowLogger(root, { name: 'order', version: 3 });
    const step = runLogger(flow, { runId: 'r-1', workflow: 'order', version: 3, stepPath: '/steps/1', stepId: 'pay', attempt: 2 });
    step.info({ activity: 'payments.charge' }, 'attempt started');
    const [line] = out.lines();
    expect(line).toMatchObject({
      level: 30,
      name: 'flowline',
      msg: 'attempt started',
      runId: 'r-1',
      workflow: 'order',
      version: 3,
      stepPath: '/steps/1',
      stepId: 'pay',
      attempt: 2,
      activity: 'payments.charge',
    });
    expect(typeof line.time).toBe('string');
  });

  it('takes its level from FLOWLINE_LOG_LEVEL unless given', () => {
    const out = memoryDestination();
    const logger = createLogger({ destination: out.stream, env: { FLOWLINE_LOG_LEVEL: 'warn' } });
    logger.info('hidden');
    logger.warn('shown');
    expect(out.lines().map((l) => l.msg)).toEqual(['shown']);
    expect(createLogger({ destination: out.stream, env: {}, level: 'debug' }).level).toBe('debug');
  });

  it('writes to FLOWLINE_LOG_FILE, creating its directory', () => {
    const file = join(dir, 'nested', 'flowline.log');
    const logger = createLogger({ env: { FLOWLINE_LOG_FILE: file } });
    logger.info({ runId: 'r-2' }, 'to a file');
    logger.flush();
    expect(JSON.parse(readFileSync(file, 'utf8').trim())).toMatchObject({ msg: 'to a file', runId: 'r-2' });
  });

  it('redacts global paths (FLOWLINE_REDACT and options) and each flow\'s own paths', () => {
    const out = memoryDestination();
    const root = createLogger({ destination: out.stream, env: { FLOWLINE_REDACT: '*.password' }, redact: ['headers.authorization'] });
    const flow = flowLogger(root, { name: 'pay', version: 1, redact: ['input.card.number', 'vars.ssn'] });
    const run = runLogger(flow, { runId: 'r-3', workflow: 'pay', version: 1 });
    run.info(
      {
        input: { card: { number: '4111111111111111', exp: '12/30' }, password: 'hunter22' },
        vars: { ssn: '078-05-1120' },
        headers: { authorization: 'Bearer abc.def' },
      },
      'run started',
    );
    // Another flow without those paths is not affected by them, but keeps the global ones.
    const other = runLogger(flowLogger(root, { name: 'other', version: 1 }), { runId: 'r-4', workflow: 'other', version: 1 });
    other.info({ vars: { ssn: 'visible' }, user: { password: 'p4ss' } }, 'other flow');

    const text = out.lines().map((l) => JSON.stringify(l)).join('\n');
    for (const secret of ['4111111111111111', 'hunter22', '078-05-1120', 'Bearer abc.def', 'p4ss']) expect(text).not.toContain(secret);
    const [first, second] = out.lines();
    expect(first).toMatchObject({ input: { card: { number: '[REDACTED]', exp: '12/30' } }, vars: { ssn: '[REDACTED]' } });
    expect(second).toMatchObject({ vars: { ssn: 'visible' }, user: { password: '[REDACTED]' } });
  });

  it('caches one child per flow version and reports invalid redact paths', () => {
    const out = memoryDestination();
    const root = createLogger({ destination: out.stream, env: {} });
    const a = flowLogger(root, { name: 'f', version: 1, digest: 'd1', redact: ['vars..bad', 'vars.ok'] });
    expect(flowLogger(root, { name: 'f', version: 1, digest: 'd1', redact: ['vars..bad', 'vars.ok'] })).toBe(a);
    expect(flowLogger(root, { name: 'f', version: 2 })).not.toBe(a);
    const warning = out.lines().find((l) => l.msg === 'ignored redact paths of this flow that are not valid JSON paths');
    expect(warning).toMatchObject({ rejected: ['vars..bad'], workflow: 'f', version: 1 });
  });
});

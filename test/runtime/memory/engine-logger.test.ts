/**
 * The logger belongs to the engine, not the process: what an engine is given receives its
 * handlers' ctx.log lines with the attempt's identity, and two engines log to two places.
 */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ActivityContext } from '../../../src/activities/types.js';
import { loadDefinition } from '../../../src/definition/load.js';
import { createEmbeddedEngine } from '../../../src/runtime/memory/index.js';

function recordingLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    logger: pino({ level: 'info' }, sink),
    lines: () => chunks.join('').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

const flow = loadDefinition('dsl: flowline/v1\nname: greet\nversion: 1\nsteps:\n  - id: hello\n    call: say.hello\n');

async function runWith(logger: Logger, word: string): Promise<void> {
  const engine = createEmbeddedEngine({
    logger,
    activities: {
      'say.hello': (_input: unknown, ctx: ActivityContext) => {
        ctx.log.info({ word }, 'saying hello');
        return word;
      },
    },
  });
  try {
    await engine.deploy(flow);
    const result = await engine.run(flow, { input: {} });
    expect(result.status).toBe('completed');
  } finally {
    await engine.close();
  }
}

describe('embedded engine logger', () => {
  it("sends ctx.log to the engine's logger, with the attempt's identity", async () => {
    const first = recordingLogger();
    await runWith(first.logger, 'one');
    const line = first.lines().find((entry) => entry.msg === 'saying hello');
    expect(line).toMatchObject({ word: 'one', stepId: 'hello', attempt: 1, activity: 'say.hello' });
    expect(typeof line?.runId).toBe('string');
  });

  it('keeps two engines apart: each logger gets only its own lines', async () => {
    const first = recordingLogger();
    const second = recordingLogger();
    await runWith(first.logger, 'one');
    await runWith(second.logger, 'two');
    expect(first.lines().map((entry) => entry.word)).toEqual(['one']);
    expect(second.lines().map((entry) => entry.word)).toEqual(['two']);
  });
});

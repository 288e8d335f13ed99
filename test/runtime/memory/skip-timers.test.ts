import { afterEach, describe, expect, it } from 'vitest';
import { loadDefinition } from '../../../src/definition/load.js';
import { createEmbeddedEngine, type EmbeddedEngine } from '../../../src/runtime/memory/index.js';

const race = loadDefinition(`
dsl: flowline/v1
name: race
version: 1
steps:
  - id: p
    parallel:
      - id: slow
        call: slow.op
      - id: timer
        steps:
          - wait: 20ms
          - set: { afterWait: true }
    completion: any
output: \${ $steps.p }
`);

const hung = loadDefinition(`
dsl: flowline/v1
name: hung
version: 1
steps:
  - call: hang.forever
    timeout: 50ms
`);

describe('skipTimers (SPEC §8): results on their way are handled before any timer fires', () => {
  let engine: EmbeddedEngine | undefined;
  afterEach(async () => engine?.close());

  it('a slow activity wins over a timer that is due while it runs', async () => {
    engine = createEmbeddedEngine({
      skipTimers: true,
      activities: {
        // Takes longer on the wall clock than the flow's 20ms wait: without skipping semantics
        // the timer would win the race.
        'slow.op': () => new Promise((resolve) => setTimeout(() => resolve('slow-won'), 150)),
      },
    });
    const running = engine.run(race, { input: {} });
    const result = await running;
    expect(result.status).toBe('completed');
    expect(result.output).toBe('slow-won');
  });

  it('a per-attempt timeout still fires on the wall clock while the activity hangs', async () => {
    engine = createEmbeddedEngine({
      skipTimers: true,
      activities: { 'hang.forever': (_input, ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))) },
    });
    const result = await engine.run(hung, { input: {} });
    expect(result.status).toBe('failed');
    expect(result.error?.type).toBe('Timeout');
  });
});

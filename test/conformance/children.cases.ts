/** Conformance: child workflows (SPEC §3 `workflow`). */
import { describe, expect, it } from 'vitest';
import { ActivityError } from '../../src/activities/errors.js';
import type { Engine, RunDescription } from '../../src/runtime/engine.js';
import { flowName, waitUntil, type SuiteContext } from './harness.js';

const CHILD_V1 = `
  dsl: flowline/v1
  name: child-greet
  version: 1
  input:
    schema: { type: object, required: [who], properties: { who: { type: string } } }
  steps:
    - call: greet.say
      with: '\${ "v1 hello " & $input.who }'
`;
const CHILD_V2 = CHILD_V1.replace('version: 1', 'version: 2').replace('v1 hello', 'v2 hello');

export function childCases(ctx: SuiteContext): void {
  describe('child workflows', () => {
    it('starts a child run, waits for it, and outputs its output; the child knows its parent', async () => {
      const h = await ctx.setup({ 'greet.say': async (input: string) => input });
      await h.deploy(CHILD_V1);
      await h.deploy(CHILD_V2);
      const result = await h.run(`
        dsl: flowline/v1
        name: parent-latest
        version: 1
        steps:
          - id: latest
            workflow: child-greet
            with: { who: ann }
          - id: pinned
            workflow: child-greet
            version: 1
            with: { who: bob }
        output: '\${ [$steps.latest, $steps.pinned] }'
      `);
      expect(result).toMatchObject({ status: 'completed', output: ['v2 hello ann', 'v1 hello bob'] });
      const children = await childrenOf(h.engine, 'child-greet', result.runId);
      expect(children).toHaveLength(2);
      expect(children.map((c) => c.status)).toEqual(['completed', 'completed']);
    });

    it('a failing child fails the step with ChildFailed carrying the child’s error (catchable)', async () => {
      const h = await ctx.setup({
        'greet.say': async () => {
          throw new ActivityError('Mute', 'cannot speak');
        },
      });
      await h.deploy(CHILD_V1);
      const failed = await h.run(`
        dsl: flowline/v1
        name: parent-child-fails
        version: 1
        steps:
          - id: kid
            workflow: child-greet
            with: { who: ann }
      `);
      expect(failed).toMatchObject({ status: 'failed', error: { type: 'ChildFailed', step: 'kid' } });
      expect(JSON.stringify(failed.error)).toContain('Mute');
      const caught = await h.run(`
        dsl: flowline/v1
        name: parent-child-caught
        version: 1
        steps:
          - workflow: child-greet
            with: { who: ann }
            catch:
              - errors: [ChildFailed]
                steps:
                  - set: { fallback: true }
      `);
      expect(caught).toMatchObject({ status: 'completed', output: { fallback: true } });
    });

    it('an unknown child workflow fails the step with ChildFailed (DefinitionNotFound)', async () => {
      const h = await ctx.setup({});
      const result = await h.run(`
        dsl: flowline/v1
        name: parent-orphan
        version: 1
        steps:
          - id: kid
            workflow: nobody-deployed-this
      `);
      expect(result).toMatchObject({ status: 'failed', error: { type: 'ChildFailed', step: 'kid' } });
      expect(JSON.stringify(result.error)).toContain('DefinitionNotFound');
    });

    it('cancelling the parent cancels the running child', async () => {
      const h = await ctx.setup({});
      await h.deploy(`
        dsl: flowline/v1
        name: child-waits
        version: 1
        signals: { go: {} }
        steps:
          - waitSignal: go
      `);
      const parent = await h.deploy(`
        dsl: flowline/v1
        name: parent-cancelled
        version: 1
        steps:
          - workflow: child-waits
      `);
      const { runId } = await h.engine.start(parent.name);
      let childId = '';
      await waitUntil(async () => {
        childId = (await childrenOf(h.engine, 'child-waits', runId))[0]?.runId ?? '';
        return childId !== '';
      }, 'child started');
      await h.engine.cancel(runId);
      expect((await h.engine.result(runId, { wait: true, timeoutMs: 10_000 })).status).toBe('cancelled');
      expect((await h.engine.result(childId, { wait: true, timeoutMs: 10_000 })).status).toBe('cancelled');
    });
  });
}

/** The runs of workflow `base` whose parent is `parentRunId` (the store may hold other tests' runs). */
async function childrenOf(engine: Engine, base: string, parentRunId: string): Promise<RunDescription[]> {
  const found: RunDescription[] = [];
  for (const summary of await engine.list({ name: flowName(base) })) {
    const described = await engine.describe(summary.runId);
    if (described.parentRunId === parentRunId) found.push(described);
  }
  return found;
}

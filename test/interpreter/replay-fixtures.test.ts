/**
 * Recorded histories of the example flows (test/fixtures/replay, `npm run fixtures:replay`)
 * replayed strictly against the flows as they are now: each decision must write what the run
 * recorded. Edited copies of a flow show the check catches the changes that would break runs in
 * flight, and names the step.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseDocument, type Document, type YAMLMap, type YAMLSeq } from 'yaml';
import { loadDefinition, loadDefinitionFile } from '../../src/definition/load.js';
import { NonDeterminismError, replayStrict } from '../../src/interpreter/index.js';
import { fixtureFiles, readFixture, type RecordedRun } from '../fixtures/replay/fixture.js';

const files = await fixtureFiles();

describe('recorded example histories replay strictly', () => {
  it('covers every example flow and a retry, a signal, a timer, compensation, a child workflow, a forEach and a parallel', async () => {
    const runs = (await Promise.all(files.map(readFixture))).flatMap((f) => f.runs);
    const flows = new Set(runs.map((r) => r.flow));
    expect([...flows].sort()).toEqual(
      ['batch', 'credit-check', 'data-pipeline', 'hello-world', 'human-approval', 'order-fulfilment', 'scheduled-report', 'service-orchestration'].map((n) => `workflows/${n}.yaml`),
    );
    const entries = runs.flatMap((r) => r.history);
    const types = new Set(entries.map((e) => e.type));
    for (const type of ['StepRetried', 'SignalReceived', 'SignalConsumed', 'TimerFired', 'CompensationStarted', 'ChildStarted', 'ChildCompleted']) {
      expect(types, type).toContain(type);
    }
    const stepKinds = new Set<string>();
    for (const flow of flows) for (const step of (await readFile(flow, 'utf8')).matchAll(/^\s*-?\s*(forEach|parallel):/gm)) stepKinds.add(step[1]!);
    expect([...stepKinds].sort()).toEqual(['forEach', 'parallel']);
  });

  it.each(files)('%s', async (file) => {
    const fixture = await readFixture(file);
    expect(fixture.runs.length).toBeGreaterThan(0);
    for (const run of fixture.runs) {
      const definition = await loadDefinitionFile(run.flow);
      const state = await replayStrict(definition, run.history);
      expect(state.status, run.runId).toBe(run.status);
      expect(state.historyLength).toBe(run.history.length);
    }
  });
});

/** The order-fulfilment flow with an edit applied to its YAML, loaded by the real loader. */
async function editedOrderFlow(edit: (steps: YAMLSeq<YAMLMap>, document: Document) => void) {
  const document = parseDocument(await readFile('workflows/order-fulfilment.yaml', 'utf8'));
  edit(document.get('steps') as YAMLSeq<YAMLMap>, document);
  return loadDefinition(document.toString(), { file: 'order-fulfilment.edited.yaml' });
}

function stepWithId(steps: YAMLSeq<YAMLMap>, id: string): YAMLMap {
  const found = steps.items.find((s) => s.get('id') === id);
  if (!found) throw new Error(`no step ${id} in the example`);
  return found;
}

async function recorded(file: string): Promise<RecordedRun> {
  return (await readFixture(file)).runs[0]!;
}

async function nonDeterminism(promise: Promise<unknown>): Promise<NonDeterminismError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(NonDeterminismError);
  expect((error as NonDeterminismError).type).toBe('NonDeterminism');
  return error as NonDeterminismError;
}

describe('a changed flow replayed against recorded runs', () => {
  const approved = 'order-fulfilment/approved-order-ships.json';

  it('a change that alters no decision (names, description) still replays', async () => {
    const run = await recorded(approved);
    const definition = await editedOrderFlow((steps) => stepWithId(steps, 'pay').set('name', 'take the money'));
    expect(definition.digest).not.toBe(run.workflow.digest);
    expect((await replayStrict(definition, run.history)).status).toBe('completed');
  });

  it('a step removed: NonDeterminism names the step history scheduled there', async () => {
    const run = await recorded(approved);
    const definition = await editedOrderFlow((steps, document) => {
      steps.delete(steps.items.indexOf(stepWithId(steps, 'pay')));
      document.set('output', String(document.get('output')).replace(/\n\s*"chargeId": \$steps\.pay\.chargeId,/, ''));
    });
    const error = await nonDeterminism(replayStrict(definition, run.history));
    expect(error.details).toMatchObject({ stepId: 'pay', path: '/steps/2', eventType: 'ActivityCompleted', field: 'type' });
    expect(error.details.expected).toBe('StepScheduled seq 4 attempt 1 activity "payments.charge"');
    expect(error.message).toContain('step pay (/steps/2)');
    expect(error.message).toContain('history recorded StepScheduled seq 4 attempt 1 activity "payments.charge", the definition now gives VariablesSet');
  });

  it("a step's activity renamed: NonDeterminism names the step and both activities", async () => {
    const run = await recorded(approved);
    const definition = await editedOrderFlow((steps) => stepWithId(steps, 'ship').set('call', 'shipping.dispatch'));
    const error = await nonDeterminism(replayStrict(definition, run.history));
    expect(error.details).toMatchObject({ stepId: 'ship', path: '/steps/5', field: 'details.activity' });
    expect(error.message).toMatch(/step ship \(\/steps\/5\): history recorded StepScheduled seq 6 attempt 1 activity "shipping.create", the definition now gives StepScheduled seq 6 attempt 1 activity "shipping.dispatch"/);
  });

  it('steps reordered: NonDeterminism at the first decision, naming the recorded step and the one now there', async () => {
    const run = await recorded(approved);
    const definition = await editedOrderFlow((steps) => {
      const pay = stepWithId(steps, 'pay');
      steps.delete(steps.items.indexOf(pay));
      steps.items.splice(1, 0, pay);
    });
    const error = await nonDeterminism(replayStrict(definition, run.history));
    expect(error.details).toMatchObject({ stepId: 'reserve', path: '/steps/1', eventType: 'RunStarted', entryIndex: 4 });
    expect(error.message).toContain('activity "inventory.reserve", the definition now gives StepScheduled seq 2 attempt 1 activity "payments.charge" for step pay (/steps/1)');
  });

  it("a timer's duration changed: the TimerStarted entry differs in its due time", async () => {
    const run = await recorded('order-fulfilment/nobody-approves-within-two-days.json');
    const definition = await editedOrderFlow((steps) => {
      const waitStep = (stepWithId(steps, 'approval').get('try') as YAMLSeq<YAMLMap>).items[1]!;
      waitStep.set('timeout', '12h');
    });
    const error = await nonDeterminism(replayStrict(definition, run.history));
    const started = run.history[12]!.at;
    const due = (hours: number) => new Date(started + hours * 3_600_000).toISOString();
    expect(error.details).toMatchObject({
      path: '/steps/3/try/1',
      field: 'details.dueAt',
      expected: `TimerStarted seq 6 attempt 1 purpose "step-timeout" due ${due(24)}`,
      got: `TimerStarted seq 6 attempt 1 purpose "step-timeout" due ${due(12)}`,
    });
    expect(error.message).toContain('history entry 17, approval › step 2 (waitSignal approve) (/steps/3/try/1): history recorded TimerStarted');
  });
});

/** The normalised definition: defaults applied, durations in ms, paths, frozen, and a stable digest. */
import { describe, expect, it } from 'vitest';
import { loadDefinition } from '../../src/definition/load.js';
import type { CallStep, ForEachStep, ParallelStep, Step, SwitchStep, TryStep, WaitStep, RepeatStep, CompensateStep, FailStep, ReturnStep, WorkflowStep } from '../../src/definition/types.js';

const HEAD = 'dsl: flowline/v1\nname: t\nversion: 1\n';

function load(body: string) {
  return loadDefinition(HEAD + body);
}

describe('retry policies and timeouts', () => {
  it('a call with no retry anywhere gets a single attempt; other steps get none', () => {
    const def = load('steps:\n  - call: a.b\n  - set: { x: 1 }\n');
    expect((def.steps[0] as CallStep).retry).toEqual({
      maxAttempts: 1,
      initialIntervalMs: 1000,
      backoffCoefficient: 2,
      maxIntervalMs: 100_000,
      jitter: 0,
      nonRetryable: [],
    });
    expect(def.steps[1].retry).toBeUndefined();
    expect(def.steps[0].timeoutMs).toBeUndefined();
  });

  it('defaults.retry merges under each call field by field; built-ins fill the rest', () => {
    const def = load(
      'defaults:\n  timeout: 30s\n  retry: { maxAttempts: 3, initialInterval: 1s, maxInterval: 30s, jitter: true }\nsteps:\n' +
        '  - call: a.b\n    retry: { maxAttempts: 5, nonRetryable: [CardDeclined] }\n    timeout: 2m\n' +
        '  - call: a.c\n' +
        '  - wait: 1s\n    retry: { initialInterval: 2s }\n',
    );
    const [first, second, third] = def.steps;
    expect(first.retry).toEqual({ maxAttempts: 5, initialIntervalMs: 1000, backoffCoefficient: 2, maxIntervalMs: 30_000, jitter: 0.2, nonRetryable: ['CardDeclined'] });
    expect(first.timeoutMs).toBe(120_000);
    expect(second.retry).toEqual({ maxAttempts: 3, initialIntervalMs: 1000, backoffCoefficient: 2, maxIntervalMs: 30_000, jitter: 0.2, nonRetryable: [] });
    expect(second.timeoutMs).toBe(30_000);
    // defaults apply to calls only: a wait keeps its own policy, filled with built-ins.
    expect(third.retry).toEqual({ maxAttempts: 3, initialIntervalMs: 2000, backoffCoefficient: 2, maxIntervalMs: 200_000, jitter: 0, nonRetryable: [] });
    expect(third.timeoutMs).toBeUndefined();
    expect(def.defaults).toEqual({ timeoutMs: 30_000, retry: { maxAttempts: 3, initialIntervalMs: 1000, backoffCoefficient: 2, maxIntervalMs: 30_000, jitter: 0.2, nonRetryable: [] } });
  });

  it('defaults also apply to calls used as compensations', () => {
    const def = load('defaults:\n  timeout: 10s\n  retry: { maxAttempts: 7 }\nsteps:\n  - id: r\n    call: a.b\n    compensate:\n      call: a.undo\n');
    const compensation = def.steps[0].compensate as CallStep;
    expect(compensation).toMatchObject({ kind: 'call', call: 'a.undo', path: '/steps/0/compensate', timeoutMs: 10_000 });
    expect(compensation.retry?.maxAttempts).toBe(7);
  });

  it('jitter false and numeric jitter are kept as fractions', () => {
    const def = load('steps:\n  - call: a.b\n    retry: { jitter: false }\n  - call: a.c\n    retry: { jitter: 0.5 }\n');
    expect(def.steps[0].retry?.jitter).toBe(0);
    expect(def.steps[1].retry?.jitter).toBe(0.5);
  });
});

describe('steps', () => {
  const def = load(
    'signals:\n  go: {}\ntimeout: P1D\nsteps:\n' +
      '  - parallel:\n      - id: a\n        call: x.a\n      - id: b\n        wait: 1m\n' +
      '  - forEach: ${ $input.items }\n    as: $line\n    steps:\n      - call: x.line\n' +
      '  - switch:\n      - when: ${ true }\n        steps: [ { set: { s: 1 } } ]\n      - default: [ { set: { s: 2 } } ]\n' +
      '  - repeat: { steps: [ { call: x.poll } ], until: "${ true }", max: 3 }\n' +
      '  - wait: { until: "${ $now() }" }\n' +
      '  - waitSignal: go\n' +
      '  - try: [ { id: c, call: x.c, compensate: { call: x.undo } } ]\n    catch:\n      - errors: [Boom]\n        steps: [ { compensate: [c] } ]\n      - steps: [ { compensate: all } ]\n' +
      '  - workflow: child\n    with: { a: 1 }\n' +
      '  - fail: { error: Nope, message: "${ $vars.why }" }\n' +
      '  - return: ${ 42 }\n',
  );
  const at = (i: number): Step => def.steps[i];

  it('gives every step, case and clause its JSON-pointer path', () => {
    const parallel = at(0) as ParallelStep;
    expect(parallel).toMatchObject({ kind: 'parallel', path: '/steps/0', completion: 'all' });
    expect(parallel.branches.map((b) => b.path)).toEqual(['/steps/0/parallel/0', '/steps/0/parallel/1']);
    expect((parallel.branches[1] as WaitStep).durationMs).toBe(60_000);
    const sw = at(2) as SwitchStep;
    expect(sw.cases.map((c) => [c.path, c.isDefault, c.steps[0].path])).toEqual([
      ['/steps/2/switch/0', false, '/steps/2/switch/0/steps/0'],
      ['/steps/2/switch/1', true, '/steps/2/switch/1/default/0'],
    ]);
    expect(sw.cases[0].when).toBe('${ true }');
    const tryStep = at(6) as TryStep;
    expect(tryStep.steps[0].path).toBe('/steps/6/try/0');
    expect(tryStep.catch?.map((c) => [c.path, c.errors, c.steps[0].path])).toEqual([
      ['/steps/6/catch/0', ['Boom'], '/steps/6/catch/0/steps/0'],
      ['/steps/6/catch/1', undefined, '/steps/6/catch/1/steps/0'],
    ]);
    expect((tryStep.catch![0].steps[0] as CompensateStep).targets).toEqual(['c']);
    expect((tryStep.catch![1].steps[0] as CompensateStep).targets).toBe('all');
  });

  it('applies forEach defaults and strips `$` from binding names', () => {
    expect(at(1)).toMatchObject({ kind: 'forEach', concurrency: 1, as: 'line', indexAs: 'index', forEach: '${ $input.items }' } satisfies Partial<ForEachStep>);
  });

  it('keeps the shape of every other kind', () => {
    expect(at(3)).toMatchObject({ kind: 'repeat', until: '${ true }', max: 3 } satisfies Partial<RepeatStep>);
    expect((at(3) as RepeatStep).steps[0].path).toBe('/steps/3/repeat/steps/0');
    expect(at(4)).toMatchObject({ kind: 'wait', until: '${ $now() }' });
    expect((at(4) as WaitStep).durationMs).toBeUndefined();
    expect(at(5)).toMatchObject({ kind: 'waitSignal', signal: 'go' });
    expect(at(7)).toMatchObject({ kind: 'workflow', workflow: 'child', with: { a: 1 } } satisfies Partial<WorkflowStep>);
    expect((at(7) as WorkflowStep).version).toBeUndefined();
    expect(at(8)).toMatchObject({ kind: 'fail', error: 'Nope', message: '${ $vars.why }' } satisfies Partial<FailStep>);
    expect(at(9)).toMatchObject({ kind: 'return', value: '${ 42 }' } satisfies Partial<ReturnStep>);
    expect(def.timeoutMs).toBe(86_400_000);
    expect(def.signals).toEqual({ go: {} });
    expect(def.queries).toEqual({});
  });

  it('is deeply frozen and JSON-serialisable', () => {
    expect(Object.isFrozen(def)).toBe(true);
    expect(Object.isFrozen(def.steps)).toBe(true);
    expect(Object.isFrozen((at(0) as ParallelStep).branches[0])).toBe(true);
    expect(Object.isFrozen(at(7) as WorkflowStep & { with: object })).toBe(true);
    expect(Object.isFrozen((at(7) as { with: object }).with)).toBe(true);
    expect(JSON.parse(JSON.stringify(def))).toEqual(def);
  });
});

describe('digest', () => {
  it('is the same for the same content however it is written (YAML, JSON, key order, comments)', () => {
    const yaml = loadDefinition(`${HEAD}# a comment\nsteps:\n  - set: { a: 1, b: [1, 2] }\n`);
    const reordered = loadDefinition(`version: 1\nsteps:\n  - set:\n      b: [1, 2]\n      a: 1\nname: t\ndsl: flowline/v1\n`);
    const json = loadDefinition(JSON.stringify({ dsl: 'flowline/v1', name: 't', version: 1, steps: [{ set: { a: 1, b: [1, 2] } }] }));
    expect(yaml.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(reordered.digest).toBe(yaml.digest);
    expect(json.digest).toBe(yaml.digest);
  });

  it('changes when the content changes', () => {
    const a = loadDefinition(`${HEAD}steps:\n  - set: { a: 1 }\n`);
    const b = loadDefinition(`${HEAD}steps:\n  - set: { a: 2 }\n`);
    expect(a.digest).not.toBe(b.digest);
  });
});

describe('heartbeatTimeout', () => {
  it('is in ms on call steps, a call of its own winning over defaults.heartbeatTimeout, compensations included', () => {
    const def = load(
      'defaults:\n  heartbeatTimeout: 30s\nsteps:\n' +
        '  - call: a.b\n    heartbeatTimeout: 200ms\n' +
        '  - id: c\n    call: a.c\n    compensate:\n      call: a.undo\n' +
        '  - wait: 1s\n',
    );
    const [own, fromDefaults, wait] = def.steps;
    expect((own as CallStep).heartbeatTimeoutMs).toBe(200);
    expect((fromDefaults as CallStep).heartbeatTimeoutMs).toBe(30_000);
    expect((fromDefaults.compensate as CallStep).heartbeatTimeoutMs).toBe(30_000);
    expect(wait).not.toHaveProperty('heartbeatTimeoutMs');
    expect(def.defaults).toEqual({ heartbeatTimeoutMs: 30_000 });
  });

  it('is absent when neither the call nor the defaults set it', () => {
    const def = load('steps:\n  - call: a.b\n');
    expect(def.steps[0]).not.toHaveProperty('heartbeatTimeoutMs');
    expect(def.defaults).toEqual({});
  });
});

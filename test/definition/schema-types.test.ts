/**
 * schema/workflow.schema.json is the single source of truth; src/definition/types.ts must agree
 * with it: step kinds, common keys, each kind's own keys (at run time against the schema, and at
 * compile time against the normalised interfaces), retry fields. Also checks that every property
 * and definition carries a description, for editors.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  COMMON_STEP_KEYS,
  STEP_KINDS,
  STEP_KIND_KEYS,
  type CallStep,
  type CompensateStep,
  type FailStep,
  type ForEachStep,
  type GroupStep,
  type ParallelStep,
  type RepeatStep,
  type RetryPolicy,
  type ReturnStep,
  type SetStep,
  type StepBase,
  type StepKind,
  type SwitchStep,
  type TryStep,
  type WaitSignalStep,
  type WaitStep,
  type WorkflowStep,
  type WorkflowDefinition,
} from '../../src/definition/types.js';

type Json = Record<string, unknown>;
const schema = JSON.parse(readFileSync(new URL('../../schema/workflow.schema.json', import.meta.url), 'utf8')) as Json;
const definitions = schema.definitions as Record<string, Json>;
const definitionName = (kind: StepKind): string => (kind === 'steps' ? 'groupStep' : `${kind}Step`);
const propertiesOf = (name: string): string[] => Object.keys(definitions[name].properties as Json);

describe('the schema and types.ts agree', () => {
  it('the step union has one branch per STEP_KINDS entry, in order', () => {
    const branches = ((definitions.step.oneOf as Json[]) ?? []).map((b) => String(b.$ref).replace('#/definitions/', ''));
    expect(branches).toEqual(STEP_KINDS.map(definitionName));
  });

  it.each(STEP_KINDS.map((k) => [k]))('%s: kind key required, common keys allowed, own keys as in STEP_KIND_KEYS', (kind) => {
    const branch = definitions[definitionName(kind)];
    expect(branch.required).toContain(kind);
    expect(branch.additionalProperties).toBe(false);
    const keys = propertiesOf(definitionName(kind));
    const common: readonly string[] = COMMON_STEP_KEYS;
    // The compensate kind's `compensate:` is its kind key (targets), not a registered compensation.
    for (const key of common) expect(keys, `${kind} allows ${key}`).toContain(key);
    const own = keys.filter((k) => k !== kind && !common.includes(k));
    expect(own.sort()).toEqual([...STEP_KIND_KEYS[kind]].sort());
    if (kind === 'try') expect(branch.required).toContain('catch');
  });

  it('retry fields match RetryPolicy (durations without the Ms suffix in the DSL)', () => {
    const dsl = propertiesOf('retry').sort();
    const normalised: Array<keyof RetryPolicy> = ['maxAttempts', 'initialIntervalMs', 'backoffCoefficient', 'maxIntervalMs', 'jitter', 'nonRetryable'];
    expect(dsl).toEqual(normalised.map((k) => k.replace(/Ms$/, '')).sort());
  });

  it('the normalised step interfaces carry the own keys (compile-time check)', () => {
    type Own<S> = Exclude<keyof S, keyof StepBase | 'kind'>;
    type Keys<K extends StepKind> = (typeof STEP_KIND_KEYS)[K][number];
    // Kinds whose normalised fields are exactly the kind key plus its own DSL keys.
    // Durations are the DSL key with `Ms` (`heartbeatTimeout` → `heartbeatTimeoutMs`).
    expectTypeOf<Own<CallStep>>().toEqualTypeOf<'call' | Exclude<Keys<'call'>, 'heartbeatTimeout'> | 'heartbeatTimeoutMs'>();
    expectTypeOf<Own<GroupStep>>().toEqualTypeOf<'steps' | Keys<'steps'>>();
    expectTypeOf<Own<ForEachStep>>().toEqualTypeOf<'forEach' | Keys<'forEach'>>();
    expectTypeOf<Own<SetStep>>().toEqualTypeOf<'set' | Keys<'set'>>();
    expectTypeOf<Own<WorkflowStep>>().toEqualTypeOf<'workflow' | Keys<'workflow'>>();
    // Kinds the loader reshapes: the kind key's value becomes these fields.
    expectTypeOf<Own<ParallelStep>>().toEqualTypeOf<'branches' | Keys<'parallel'>>();
    expectTypeOf<Own<SwitchStep>>().toEqualTypeOf<'cases'>();
    expectTypeOf<Own<RepeatStep>>().toEqualTypeOf<'steps' | 'until' | 'max'>();
    expectTypeOf<Own<WaitStep>>().toEqualTypeOf<'durationMs' | 'until'>();
    expectTypeOf<Own<WaitSignalStep>>().toEqualTypeOf<'signal'>();
    expectTypeOf<Own<TryStep>>().toEqualTypeOf<'steps'>();
    expectTypeOf<Own<CompensateStep>>().toEqualTypeOf<'targets'>();
    expectTypeOf<Own<FailStep>>().toEqualTypeOf<'error' | 'message' | 'details'>();
    expectTypeOf<Own<ReturnStep>>().toEqualTypeOf<'value'>();
    expectTypeOf<Exclude<keyof StepBase, 'path'>>().toEqualTypeOf<Exclude<(typeof COMMON_STEP_KEYS)[number], 'timeout'> | 'timeoutMs'>();
    // And the reshaped kinds' DSL bodies, from the schema.
    expect(propertiesOf('repeatBody').sort()).toEqual(['max', 'steps', 'until']);
    expect(propertiesOf('failBody').sort()).toEqual(['details', 'error', 'message']);
    expect(propertiesOf('waitUntil')).toEqual(['until']);
  });

  it('defaults: the DSL keys match WorkflowDefinition.defaults (durations with the Ms suffix)', () => {
    const dsl = Object.keys(((schema.properties as Json).defaults as Json).properties as Json).sort();
    expect(dsl).toEqual(['heartbeatTimeout', 'retry', 'timeout']);
    expectTypeOf<keyof WorkflowDefinition['defaults']>().toEqualTypeOf<'timeoutMs' | 'heartbeatTimeoutMs' | 'retry'>();
  });

  it('forEach defaults in the schema match the loader (concurrency 1, item, index)', () => {
    const forEach = definitions.forEachStep.properties as Record<string, Json>;
    expect([forEach.concurrency.default, forEach.as.default, forEach.indexAs.default]).toEqual([1, 'item', 'index']);
    expect((definitions.parallelStep.properties as Record<string, Json>).completion.default).toBe('all');
  });
});

describe('the schema is written for editors', () => {
  it('is draft-07 with a versioned $id', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).toBe('https://flowline.dev/schema/flowline-v1.json');
  });

  it('every definition and every property has a description', () => {
    const missing: string[] = [];
    const describedRef = (node: Json): boolean => typeof node.$ref === 'string' && typeof definitions[node.$ref.replace('#/definitions/', '')]?.description === 'string';
    const visit = (node: unknown, path: string): void => {
      if (typeof node !== 'object' || node === null || Array.isArray(node)) return;
      const n = node as Json;
      if (typeof n.properties === 'object' && n.properties !== null) {
        for (const [key, sub] of Object.entries(n.properties as Json)) {
          const s = sub as Json;
          if (typeof s.description !== 'string' && !describedRef(s)) missing.push(`${path}/properties/${key}`);
          visit(sub, `${path}/properties/${key}`);
        }
      }
      for (const key of ['items', 'additionalProperties']) if (typeof n[key] === 'object') visit(n[key], `${path}/${key}`);
      for (const key of ['oneOf', 'anyOf']) if (Array.isArray(n[key])) (n[key] as unknown[]).forEach((s, i) => visit(s, `${path}/${key}/${i}`));
    };
    visit(schema, '#');
    for (const [name, definition] of Object.entries(definitions)) {
      if (typeof definition.description !== 'string') missing.push(`#/definitions/${name}`);
      visit(definition, `#/definitions/${name}`);
    }
    expect(missing).toEqual([]);
  });

  it('offers examples for the values people most often get wrong', () => {
    expect((definitions.duration.examples as string[]).length).toBeGreaterThan(3);
    expect(definitions.retry.examples).toBeDefined();
    expect(definitions.stepId.examples).toBeDefined();
  });
});

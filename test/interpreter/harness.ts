/**
 * Test harness for the core: builds definitions directly (paths assigned like the loader does),
 * feeds events to `decide` and keeps the state, commands and history — no runtime, no sleeps —
 * plus `simulate`, a tiny deterministic driver that answers commands from fake activities and
 * fires timers in due order.
 */
import type { Step, WorkflowDefinition } from '../../src/definition/types.js';
import { decide, replay } from '../../src/interpreter/index.js';
import type { Command, Decision, ErrorInfo, HistoryEntry, RunEvent, RunState, ScheduleActivityCommand, StartTimerCommand } from '../../src/interpreter/index.js';

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}

/** An event without its time (the harness fills `at` from its clock). Distributes over the union. */
export type EventInput = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, 'at'> & { at?: number } : never) : never;

type Spec = Record<string, unknown> & { kind: Step['kind'] };

function withPaths(spec: Spec, path: string): Step {
  const s: Record<string, unknown> = { ...spec, path };
  const list = (items: unknown, base: string): Step[] => ((items as Spec[] | undefined) ?? []).map((c, i) => withPaths(c, `${base}/${i}`));
  if (spec.catch) {
    s.catch = (spec.catch as Array<{ errors?: string[]; steps: Spec[] }>).map((c, i) => ({ ...c, path: `${path}/catch/${i}`, steps: list(c.steps, `${path}/catch/${i}/steps`) }));
  }
  if (spec.compensate) s.compensate = withPaths(spec.compensate as Spec, `${path}/compensate`);
  switch (spec.kind) {
    case 'steps':
    case 'try':
    case 'forEach':
      s.steps = list(spec.steps, `${path}/steps`);
      break;
    case 'repeat':
      s.steps = list(spec.steps, `${path}/repeat/steps`);
      break;
    case 'parallel':
      s.branches = list(spec.branches, `${path}/parallel`);
      s.completion ??= 'all';
      break;
    case 'switch':
      s.cases = (spec.cases as Array<Record<string, unknown>>).map((c, i) => ({
        ...c, path: `${path}/switch/${i}`, isDefault: c.isDefault ?? c.when === undefined, steps: list(c.steps, `${path}/switch/${i}/steps`),
      }));
      break;
    default:
      break;
  }
  if (spec.kind === 'forEach') {
    s.concurrency ??= 1;
    s.as ??= 'item';
    s.indexAs ??= 'index';
  }
  return s as unknown as Step;
}

/** A definition from compact step specs. */
export function flow(steps: Spec[], extra: Partial<WorkflowDefinition> = {}): WorkflowDefinition {
  return {
    dsl: 'flowline/v1', name: 'test-flow', version: 1, signals: {}, queries: {}, defaults: {}, digest: 'd1',
    steps: steps.map((s, i) => withPaths(s, `/steps/${i}`)),
    ...extra,
  };
}

/** A retry policy with defaults for tests. */
export function retry(p: Partial<{ maxAttempts: number; initialIntervalMs: number; backoffCoefficient: number; maxIntervalMs: number; jitter: number; nonRetryable: string[] }>) {
  return { maxAttempts: 3, initialIntervalMs: 1000, backoffCoefficient: 2, maxIntervalMs: 60_000, jitter: 0, nonRetryable: [], ...p };
}

export const T0 = Date.UTC(2026, 0, 1);

/**
 * Expression limits for core tests: a generous time bound, so a loaded machine cannot turn an
 * expression into ExpressionTimeout (the time bound itself is tested in test/expression and the
 * conformance suite).
 */
export const TEST_LIMITS = { timeoutMs: 10_000, maxDepth: 500, maxResultBytes: 512 * 1024 };

/** One run driven event by event. */
export class Run {
  state!: RunState;
  readonly history: HistoryEntry[] = [];
  commands: readonly Command[] = [];
  last!: Decision;
  now = T0;
  /** Store state as JSON text between decisions, as the Redis runtime does. */
  jsonRoundTrip = false;
  constructor(readonly definition: WorkflowDefinition, readonly runId = 'r1') {}

  static async start(definition: WorkflowDefinition, input: unknown = {}, runId = 'r1', parent?: { runId: string; seq: number }, jsonRoundTrip = false): Promise<Run> {
    const run = new Run(definition, runId);
    run.jsonRoundTrip = jsonRoundTrip;
    await run.send({ type: 'RunStarted', runId, input, at: run.now, ...(parent ? { parent } : {}) } as RunEvent);
    return run;
  }

  /** Feeds an event (its `at` defaults to the run's clock). */
  async send(event: EventInput): Promise<Decision> {
    const full = { ...event, at: event.at ?? this.now } as RunEvent;
    this.now = Math.max(this.now, full.at);
    // Frozen input: any mutation by decide throws (ES modules are strict). Shared subtrees are
    // frozen already, so this costs only what the last decision created.
    if (this.state) deepFreeze(this.state);
    const d = await decide(this.definition, this.state, full, { limits: TEST_LIMITS });
    this.last = d;
    this.commands = d.commands;
    if (d.accepted) {
      this.state = this.jsonRoundTrip ? (JSON.parse(JSON.stringify(d.state)) as RunState) : d.state;
      for (const entry of d.history) this.history.push(entry);
    }
    return d;
  }

  schedules(activity?: string): ScheduleActivityCommand[] {
    return this.commands.filter((c): c is ScheduleActivityCommand => c.type === 'ScheduleActivity' && (activity === undefined || c.activity === activity));
  }
  timers(purpose?: string): StartTimerCommand[] {
    return this.commands.filter((c): c is StartTimerCommand => c.type === 'StartTimer' && (purpose === undefined || c.purpose === purpose));
  }
  complete(seq: number, output: unknown = null, at?: number) {
    return this.send({ type: 'ActivityCompleted', seq, output, ...(at === undefined ? {} : { at }) });
  }
  fail(seq: number, error: ErrorInfo, at?: number) {
    return this.send({ type: 'ActivityFailed', seq, error, ...(at === undefined ? {} : { at }) });
  }
  fire(timer: StartTimerCommand) {
    return this.send({ type: 'TimerFired', seq: timer.seq, at: Math.max(this.now, timer.at) });
  }
  signal(name: string, data: unknown, signalId?: string) {
    return this.send({ type: 'SignalReceived', name, data, ...(signalId === undefined ? {} : { signalId }) });
  }
  types(): string[] {
    return this.history.map((h) => h.type);
  }
  async replayed(): Promise<RunState> {
    return replay(this.definition, this.history, { limits: TEST_LIMITS });
  }
}

/** What a fake activity does on one attempt: return an output or throw an ErrorInfo-like error. */
export type FakeActivity = (input: unknown, attempt: number) => unknown;

/** Thrown by fake activities to fail an attempt. */
export class Fail extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.message);
  }
}

export interface SimOptions {
  readonly input?: unknown;
  readonly activities?: Readonly<Record<string, FakeActivity>>;
  /** Signals delivered right after the start. */
  readonly signals?: ReadonlyArray<{ name: string; data: unknown; signalId?: string }>;
  /** Child workflow results by workflow name. */
  readonly children?: Readonly<Record<string, { output?: unknown; error?: ErrorInfo; status?: RunState['status'] }>>;
  /** Extra events to inject once the run is idle, in order (e.g. a cancel). */
  readonly whenIdle?: readonly EventInput[];
  readonly maxEvents?: number;
  /** Store state as JSON text between decisions. */
  readonly jsonRoundTrip?: boolean;
}

/**
 * Runs a flow to its end: activities answered at once in command order, timers fired in due
 * order only when nothing else is pending (time skipping). Returns the run and the calls made.
 */
export async function simulate(definition: WorkflowDefinition, options: SimOptions = {}): Promise<{ run: Run; calls: Array<{ activity: string; input: unknown; attempt: number; key: string }> }> {
  const run = await Run.start(definition, options.input ?? {}, 'r1', undefined, options.jsonRoundTrip ?? false);
  const calls: Array<{ activity: string; input: unknown; attempt: number; key: string }> = [];
  const ready: Command[] = [...run.commands];
  const timers: StartTimerCommand[] = [];
  for (const s of options.signals ?? []) {
    await run.signal(s.name, s.data, s.signalId);
    ready.push(...run.commands);
  }
  const idle = [...(options.whenIdle ?? [])];
  let budget = options.maxEvents ?? 10_000;
  while (run.state.status === 'running' && budget-- > 0) {
    const command = ready.shift();
    if (command) {
      if (command.type === 'ScheduleActivity') {
        calls.push({ activity: command.activity, input: command.input, attempt: command.attempt, key: command.idempotencyKey });
        const impl = options.activities?.[command.activity];
        if (!impl) {
          await run.fail(command.seq, { type: 'ActivityNotFound', message: command.activity });
        } else {
          try {
            const output = impl(command.input, command.attempt);
            await run.complete(command.seq, output);
          } catch (error) {
            await run.fail(command.seq, error instanceof Fail ? error.info : { type: 'Error', message: String(error) });
          }
        }
      } else if (command.type === 'StartTimer') {
        timers.push(command);
        continue;
      } else if (command.type === 'CancelTimer') {
        const i = timers.findIndex((t) => t.seq === command.seq);
        if (i >= 0) timers.splice(i, 1);
        continue;
      } else if (command.type === 'StartChild') {
        const child = options.children?.[command.workflow] ?? { output: null };
        await run.send({ type: 'ChildStarted', seq: command.seq, version: 1 });
        ready.push(...run.commands);
        if (child.error) await run.send({ type: 'ChildFailed', seq: command.seq, error: child.error, status: child.status ?? 'failed' });
        else await run.send({ type: 'ChildCompleted', seq: command.seq, output: child.output });
      } else {
        continue;
      }
      ready.push(...run.commands);
      continue;
    }
    const next = idle.shift();
    if (next) {
      await run.send(next);
      ready.push(...run.commands);
      continue;
    }
    timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const timer = timers.shift();
    if (!timer) break;
    await run.fire(timer);
    ready.push(...run.commands);
  }
  return { run, calls };
}

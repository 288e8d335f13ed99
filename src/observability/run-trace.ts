/**
 * A run's span tree (run → steps → activity attempts, plus compensations) built from its history
 * and emitted once the run has ended, with the real start and end times. A run is stored in Redis
 * and moved by any worker, so no single process holds its spans open; the history has every time.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import type { Step, WorkflowDefinition } from '../definition/types.js';
import type { HistoryEntry } from '../interpreter/types.js';
import { ATTR, extractTraceContext, type TraceCarrier } from './tracing.js';

/** One span to emit. `parent` indexes into the same list (−1: the caller's context). */
export interface SpanRecord {
  /** Trace contexts this span links to (the senders of the run's signals). */
  readonly links?: TraceCarrier[];
  readonly name: string;
  readonly kind: 'run' | 'step' | 'attempt' | 'compensation';
  parent: number;
  readonly startMs: number;
  endMs?: number;
  readonly attributes: Record<string, string | number>;
  error?: { type: string; message: string };
  readonly events: { name: string; atMs: number; attributes: Attributes }[];
}

const CLOSING = new Set(['StepCompleted', 'StepFailed', 'StepSkipped', 'StepCancelled']);

/** Step maps by definition (definitions are immutable, so the map is computed once per definition). */
const stepMaps = new WeakMap<WorkflowDefinition, ReadonlyMap<string, Step>>();

/** Every step of a definition by path (compensations and catch handlers included). Pure (memoised). */
export function stepsByPath(definition: WorkflowDefinition): ReadonlyMap<string, Step> {
  const cached = stepMaps.get(definition);
  if (cached) return cached;
  const out = new Map<string, Step>();
  const visit = (steps: readonly Step[] | undefined): void => {
    for (const step of steps ?? []) {
      out.set(step.path, step);
      if (step.compensate) visit([step.compensate]);
      for (const clause of step.catch ?? []) visit(clause.steps);
      if ('steps' in step) visit(step.steps);
      if (step.kind === 'parallel') visit(step.branches);
      if (step.kind === 'switch') for (const c of step.cases) visit(c.steps);
    }
  };
  visit(definition.steps);
  stepMaps.set(definition, out);
  return out;
}

/**
 * The span records of a run, parents before children. Pure. Steps are drawn from the first
 * history entry at or under their path to their closing entry; attempts from `StepScheduled` to
 * the answer with the same seq (or the step's retry/end for a timed-out attempt).
 */
export function buildRunTrace(definition: WorkflowDefinition, runId: string, history: readonly HistoryEntry[]): SpanRecord[] {
  const steps = stepsByPath(definition);
  const first = history[0];
  const records: SpanRecord[] = [];
  const add = (record: Omit<SpanRecord, 'events'>): number => records.push({ ...record, events: [], links: [] }) - 1;
  const run = add({
    name: `flowline.run ${definition.name}`,
    kind: 'run',
    parent: -1,
    startMs: first?.at ?? 0,
    attributes: { [ATTR.runId]: runId, [ATTR.workflow]: definition.name, [ATTR.version]: definition.version },
  });
  const openSteps = new Map<string, number>();
  const openComps = new Map<string, number>();
  const openAttempts = new Map<number, number>();
  const compPaths = new Map<number, string>();

  /** The innermost open step or compensation containing `path` (the run when none). */
  const container = (path: string): number => {
    let best = run;
    let bestLength = -1;
    const consider = (p: string, index: number): void => {
      if (path.startsWith(`${p}/`) && p.length > bestLength) [best, bestLength] = [index, p.length];
    };
    for (const [p, index] of openSteps) consider(p, index);
    for (const index of openComps.values()) consider(compPaths.get(index) ?? '', index);
    return best;
  };
  const openStep = (path: string, at: number): number | undefined => {
    const existing = openSteps.get(path);
    if (existing !== undefined) return existing;
    const step = steps.get(path);
    if (!step) return undefined;
    // Open the enclosing steps first (a group has no entry of its own before its children's).
    // A compensation step (`<path>/compensate`) sits under its compensation span, not a reopened step.
    const compensating = new Set([...openComps.values()].map((i) => compPaths.get(i)));
    for (const ancestor of ancestorsOf(path)) if (steps.has(ancestor) && !compensating.has(ancestor)) openStep(ancestor, at);
    const label = step.id ?? step.name ?? step.kind;
    const index = add({
      name: `flowline.step ${label}`,
      kind: 'step',
      parent: container(path),
      startMs: at,
      attributes: { [ATTR.stepPath]: path, [ATTR.stepKind]: step.kind, ...(step.id ? { [ATTR.stepId]: step.id } : {}) },
    });
    openSteps.set(path, index);
    return index;
  };
  const closeAttempts = (parent: number, at: number, error?: { type: string; message: string }): void => {
    for (const [seq, index] of openAttempts) {
      if (records[index].parent !== parent) continue;
      records[index].endMs = at;
      if (error) records[index].error = error;
      openAttempts.delete(seq);
    }
  };

  // A StepFailed that is followed by StepRetried for the same path ends an attempt, not the step.
  const retriedFailures = new Set<number>();
  const nextTypeByPath = new Map<string, string>();
  for (let i = history.length - 1; i >= 0; i--) {
    const { path, type } = history[i];
    if (path === undefined) continue;
    if (type === 'StepFailed' && nextTypeByPath.get(path) === 'StepRetried') retriedFailures.add(i);
    nextTypeByPath.set(path, type);
  }

  for (const [position, entry] of history.entries()) {
    if (retriedFailures.has(position)) continue;
    const details = (entry.details ?? {}) as Record<string, unknown>;
    const event = entry.event as (Record<string, unknown> & { type: string }) | undefined;
    switch (entry.type) {
      case 'CompensationStarted': {
        const path = entry.path ?? '';
        const index = add({
          name: `flowline.compensation ${entry.stepId ?? path}`,
          kind: 'compensation',
          parent: container(path),
          startMs: entry.at,
          attributes: { [ATTR.stepPath]: path, ...(entry.stepId ? { [ATTR.stepId]: entry.stepId } : {}) },
        });
        compPaths.set(index, path);
        openComps.set(String(details.regId), index);
        continue;
      }
      case 'CompensationCompleted':
      case 'CompensationFailed': {
        const index = openComps.get(String(details.regId));
        if (index === undefined) continue;
        records[index].endMs = entry.at;
        if (entry.type === 'CompensationFailed') records[index].error = errorOf(details.error);
        openComps.delete(String(details.regId));
        continue;
      }
      case 'SignalReceived': {
        records[run].events.push({ name: 'signal received', atMs: entry.at, attributes: { [ATTR.signal]: String(event?.name ?? '') } });
        const sender = event?.trace;
        if (typeof sender === 'object' && sender !== null) (records[run].links as TraceCarrier[]).push(sender as TraceCarrier);
        continue;
      }
      case 'RunEnded':
        records[run].endMs = entry.at;
        records[run].attributes[ATTR.status] = String(details.status ?? '');
        if (details.error) records[run].error = errorOf(details.error);
        continue;
      default:
        break;
    }
    if (entry.path === undefined || !steps.has(entry.path)) continue;
    const stepIndex = openStep(entry.path, entry.at);
    if (stepIndex === undefined) continue;
    if (entry.type === 'StepScheduled' && entry.seq !== undefined && typeof details.activity === 'string') {
      const index = add({
        name: `flowline.attempt ${details.activity}`,
        kind: 'attempt',
        parent: stepIndex,
        startMs: entry.at,
        attributes: { [ATTR.activity]: details.activity, [ATTR.attempt]: entry.attempt ?? 1, [ATTR.stepPath]: entry.path },
      });
      openAttempts.set(entry.seq, index);
    } else if ((entry.type === 'ActivityCompleted' || entry.type === 'ActivityFailed') && entry.seq !== undefined) {
      const index = openAttempts.get(entry.seq);
      if (index !== undefined) {
        records[index].endMs = entry.at;
        if (entry.type === 'ActivityFailed') records[index].error = errorOf(event?.error);
        openAttempts.delete(entry.seq);
      }
    } else if (entry.type === 'StepRetried') {
      closeAttempts(stepIndex, entry.at, { type: 'Retried', message: 'attempt ended without an answer (timed out)' });
    } else if (entry.type === 'TimerFired') {
      records[stepIndex].events.push({ name: 'timer fired', atMs: entry.at, attributes: {} });
    } else if (CLOSING.has(entry.type)) {
      closeAttempts(stepIndex, entry.at, entry.type === 'StepCompleted' ? undefined : { type: entry.type, message: 'step ended' });
      records[stepIndex].endMs = entry.at;
      if (entry.type === 'StepFailed') records[stepIndex].error = errorOf(details.error);
      if (entry.type === 'StepCancelled') records[stepIndex].error = { type: 'Cancelled', message: 'step cancelled' };
      if (entry.type === 'StepSkipped') records[stepIndex].attributes['flowline.step.skipped'] = 1;
      openSteps.delete(entry.path);
    }
  }
  // Whatever is still open ends with the run (or with the last entry while the run is going).
  const endMs = records[run].endMs ?? history[history.length - 1]?.at ?? records[run].startMs;
  for (const record of records) record.endMs ??= endMs;
  return records;
}

/**
 * Emits a run's span tree under the caller's context in `carrier` (one trace id from the caller).
 * Call it once, when the run has ended. Side effects: spans handed to the tracer. Returns how many.
 */
export function emitRunTrace(
  tracer: Tracer,
  carrier: TraceCarrier | undefined,
  definition: WorkflowDefinition,
  runId: string,
  history: readonly HistoryEntry[],
): number {
  return emitSpanRecords(tracer, carrier, buildRunTrace(definition, runId, history));
}

/** Emits span records built by {@link buildRunTrace}. Side effects: spans handed to the tracer. */
export function emitSpanRecords(tracer: Tracer, carrier: TraceCarrier | undefined, records: readonly SpanRecord[]): number {
  const root = extractTraceContext(carrier, ROOT_CONTEXT);
  const contexts = records.map(() => root);
  records.forEach((record, index) => {
    const parent = record.parent < 0 ? root : contexts[record.parent];
    const links = (record.links ?? [])
      .map((carrier) => trace.getSpanContext(extractTraceContext(carrier)))
      .filter((context): context is NonNullable<typeof context> => context !== undefined)
      .map((context) => ({ context, attributes: { 'flowline.link': 'signal' } }));
    const span = tracer.startSpan(
      record.name,
      { kind: record.kind === 'run' ? SpanKind.SERVER : SpanKind.INTERNAL, startTime: record.startMs, attributes: record.attributes, links },
      parent,
    );
    for (const event of record.events) span.addEvent(event.name, event.attributes, event.atMs);
    if (record.error) {
      span.setAttribute(ATTR.errorType, record.error.type);
      span.setStatus({ code: SpanStatusCode.ERROR, message: `${record.error.type}: ${record.error.message}` });
    } else span.setStatus({ code: SpanStatusCode.OK });
    span.end(record.endMs);
    contexts[index] = trace.setSpan(parent, span);
  });
  return records.length;
}

/** The trace carrier stored on a run's RunStarted event (`event.trace`), if any. Pure. */
export function traceCarrierOf(history: readonly HistoryEntry[]): TraceCarrier | undefined {
  const started = history.find((entry) => entry.type === 'RunStarted')?.event as { trace?: unknown } | undefined;
  const value = started?.trace;
  return typeof value === 'object' && value !== null ? (value as TraceCarrier) : undefined;
}

function ancestorsOf(path: string): string[] {
  const parts = path.split('/');
  const out: string[] = [];
  for (let i = 2; i < parts.length; i++) out.push(parts.slice(0, i).join('/'));
  return out;
}

function errorOf(value: unknown): { type: string; message: string } {
  const error = (value ?? {}) as { type?: unknown; message?: unknown };
  return { type: String(error.type ?? 'Error'), message: String(error.message ?? '') };
}

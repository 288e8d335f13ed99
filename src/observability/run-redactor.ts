/**
 * A flow's redaction rules applied to the payloads of one run (pure): paths are rooted at the
 * expression bindings — `input.…`, `vars.…`, `output.…`, `error.…`, `steps.<id>.input|output.…`,
 * `signals.<name>.…` — and `*` matches any key, so `*.password` covers every payload.
 */
import type { HistoryEntry } from '../interpreter/types.js';
import { maskPaths, parseRedactPath, REDACTED, scrubSecrets, secretLeaves, type PathSegments } from './redaction.js';

/** Masks one run's payloads before they are logged or shown. Every method is pure and returns a copy. */
export interface RunRedactor {
  /** Every rule in force (the flow's, then the global list), as written. */
  readonly paths: readonly string[];
  /** True when there is nothing to mask (every method returns its argument). */
  readonly empty: boolean;
  input(value: unknown): unknown;
  vars(value: unknown): unknown;
  output(value: unknown): unknown;
  error(value: unknown): unknown;
  stepInput(stepId: string | undefined, value: unknown): unknown;
  stepOutput(stepId: string | undefined, value: unknown): unknown;
  signal(name: string, value: unknown): unknown;
  /** A `describe`-shaped view (`vars`, `output`, `error`, optional `input`), with copies of masked values scrubbed too. */
  description<T>(view: T): T;
  /** A run's history with every payload masked and copies of masked values scrubbed from all entries. */
  history<T extends HistoryEntry>(entries: readonly T[]): T[];
}

/** The global list from `FLOWLINE_REDACT` (comma-separated paths). Pure apart from reading `env`. */
export function globalRedactPathsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.FLOWLINE_REDACT ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** Builds the redactor for a flow's `redact` list plus the global list. Malformed paths are ignored (see `invalid`). Pure. */
export function createRunRedactor(
  flowPaths: readonly string[] | undefined,
  globalPaths: readonly string[] = [],
): RunRedactor & { readonly invalid: readonly string[] } {
  const paths = [...(flowPaths ?? []), ...globalPaths];
  const invalid: string[] = [];
  const rules: PathSegments[] = [];
  for (const path of paths) {
    const segments = parseRedactPath(path);
    if (segments) rules.push(segments);
    else invalid.push(path);
  }

  /** The rest of each rule whose first segments match `prefix` (with `*` on either side matching anything). */
  const rulesUnder = (prefix: readonly string[]): PathSegments[] =>
    rules.flatMap((rule) => {
      // `**.x` applies below any root, at any depth.
      if (rule[0] === '**') return [rule];
      return rule.length > prefix.length && prefix.every((p, i) => rule[i] === '*' || rule[i] === p) ? [rule.slice(prefix.length)] : [];
    });
  const under = (prefix: readonly string[], value: unknown, found?: unknown[]): unknown => {
    const relative = rulesUnder(prefix);
    return relative.length === 0 ? value : maskPaths(value, relative, REDACTED, found);
  };
  const step = (part: 'input' | 'output', stepId: string | undefined, value: unknown, found?: unknown[]): unknown =>
    stepId === undefined ? value : under(['steps', stepId, part], value, found);

  return {
    paths,
    invalid,
    empty: rules.length === 0,
    input: (value) => under(['input'], value),
    vars: (value) => under(['vars'], value),
    output: (value) => under(['output'], value),
    error: (value) => under(['error'], value),
    stepInput: (stepId, value) => step('input', stepId, value),
    stepOutput: (stepId, value) => step('output', stepId, value),
    signal: (name, value) => under(['signals', name], value),
    description<T>(view: T): T {
      if (rules.length === 0 || typeof view !== 'object' || view === null) return view;
      const found: unknown[] = [];
      const record = { ...(view as Record<string, unknown>) };
      for (const field of ['input', 'vars', 'output', 'error'] as const) {
        if (field in record) record[field] = under([field], record[field], found);
      }
      return scrubSecrets(record, secretLeaves(found)) as T;
    },
    history<T extends HistoryEntry>(entries: readonly T[]): T[] {
      if (rules.length === 0) return [...entries];
      const found: unknown[] = [];
      // Answers (ActivityCompleted…) cite a seq; the StepScheduled entry with that seq names the step.
      const stepBySeq = new Map<number, string>();
      for (const entry of entries) {
        if (entry.seq !== undefined && entry.stepId !== undefined) stepBySeq.set(entry.seq, entry.stepId);
      }
      const masked = entries.map((entry) => maskEntry(entry, stepBySeq, under, step, found));
      const secrets = secretLeaves(found);
      return masked.map((entry) => scrubSecrets(entry, secrets) as T);
    },
  };
}

type Under = (prefix: readonly string[], value: unknown, found?: unknown[]) => unknown;
type StepMask = (part: 'input' | 'output', stepId: string | undefined, value: unknown, found?: unknown[]) => unknown;

/** Masks the payload fields of one history entry whose meaning is known. */
function maskEntry<T extends HistoryEntry>(entry: T, stepBySeq: Map<number, string>, under: Under, step: StepMask, found: unknown[]): T {
  const stepId = entry.stepId ?? (entry.seq !== undefined ? stepBySeq.get(entry.seq) : undefined);
  let details = entry.details as Record<string, unknown> | undefined;
  if (details) {
    details = { ...details };
    if ('input' in details) {
      details.input = entry.type === 'RunStarted' ? under(['input'], details.input, found) : step('input', stepId, details.input, found);
    }
    if ('output' in details) {
      details.output = entry.type === 'RunEnded' ? under(['output'], details.output, found) : step('output', stepId, details.output, found);
    }
    if ('vars' in details) details.vars = under(['vars'], details.vars, found);
    else if (entry.type === 'VariablesSet') details = under(['vars'], details, found) as Record<string, unknown>;
    if ('error' in details) details.error = under(['error'], details.error, found);
    if ('data' in details && typeof details.signal === 'string') details.data = under(['signals', details.signal], details.data, found);
  }
  let event = entry.event as unknown as Record<string, unknown> | undefined;
  if (event) {
    event = { ...event };
    const seqStep = typeof event.seq === 'number' ? stepBySeq.get(event.seq) : undefined;
    switch (event.type) {
      case 'RunStarted':
        event.input = under(['input'], event.input, found);
        break;
      case 'ActivityCompleted':
        event.output = step('output', seqStep, event.output, found);
        break;
      case 'SignalReceived':
        event.data = under(['signals', String(event.name)], event.data, found);
        break;
      default:
        if ('error' in event) event.error = under(['error'], event.error, found);
    }
  }
  return { ...entry, ...(details ? { details } : {}), ...(event ? { event } : {}) };
}

/**
 * Masks a `describe` view (an object) or a `history` list (an array) by the definition's `redact`
 * list plus the global one (`FLOWLINE_REDACT` by default). Pure apart from reading the environment
 * when `globalPaths` is omitted.
 */
export function redactRunView<T>(
  definition: { readonly redact?: readonly string[] } | undefined,
  view: T,
  globalPaths: readonly string[] = globalRedactPathsFromEnv(),
): T {
  const redactor = createRunRedactor(definition?.redact, globalPaths);
  if (redactor.empty) return view;
  return (Array.isArray(view) ? redactor.history(view as HistoryEntry[]) : redactor.description(view)) as T;
}

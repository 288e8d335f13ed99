/**
 * One run: its graph with each step's state, its history live (SSE read with fetch), a form for
 * each signal it declares, its queries, and cancel / terminate / retry with a confirmation.
 */
import { api, ApiError, can, streamEvents, type Role } from './api.js';
import { confirmDialog, duration, h, mount, when } from './dom.js';
import { drawGraph, type GraphViewData, type StepState } from './graph-svg.js';
import { statusWords } from './runs-page.js';
import { schemaForm } from './schema-form.js';
import { stateLegend } from './state-legend.js';
import { stepStates } from '../../src/flowtest/step-states.js';

interface Run {
  readonly runId: string;
  readonly status: string;
  readonly name: string;
  readonly version: number;
  readonly startedAt: string;
  readonly endedAt?: string | null;
  readonly output?: unknown;
  readonly error?: { type?: string; message?: string } | null;
  /** 1, then one more each time a `continueAsNew` step started the flow again. */
  readonly generation?: number;
  readonly continuedFrom?: readonly { generation: number; startedAt: string; continuedAt: string; historyLength: number }[];
  readonly warnings?: readonly { type: string; message: string }[];
  readonly searchAttributes?: Readonly<Record<string, string | number | null>>;
}
/** A history entry as the HTTP API sends it. */
export interface Entry {
  readonly index: number;
  readonly at: number;
  readonly type: string;
  readonly path?: string;
  readonly stepId?: string;
  readonly attempt?: number;
  readonly details?: Record<string, unknown>;
}

export const ENTRY_WORDS: Readonly<Record<string, string>> = {
  RunStarted: 'Run started',
  RunEnded: 'Run ended',
  StepScheduled: 'Step started',
  StepCompleted: 'Step done',
  StepFailed: 'Step failed',
  StepRetried: 'Step will be tried again',
  StepSkipped: 'Step skipped',
  StepCancelled: 'Step cancelled',
  TimerStarted: 'Waiting',
  TimerFired: 'Wait over',
  SignalReceived: 'Signal received',
  SignalConsumed: 'Signal used',
  CompensationStarted: 'Undoing',
  CompensationCompleted: 'Undone',
  CompensationFailed: 'Undo failed',
  VariablesSet: 'Variables set',
  RunMigrated: 'Moved to another version',
  ActivityStarted: 'Activity started',
  ActivityCompleted: 'Activity answered',
  ActivityFailed: 'Activity failed',
  CancelRequested: 'Cancel asked',
};

/**
 * Each step's state from the history read so far: the derivation a try uses (so a step whose
 * compensation ran is "compensated" and its `<path>/compensate` node shows the undo running or
 * done), then a signal or timer step that has started is shown as waiting. Pure.
 */
export function runStepStates(history: readonly Entry[], kindOf: (path: string) => string | undefined): Map<string, StepState> {
  const states = new Map(Object.entries(stepStates(history)));
  for (const [path, state] of states) {
    if (state === 'running' && ['signal', 'timer'].includes(kindOf(path) ?? '')) states.set(path, 'waiting');
  }
  return states;
}

/**
 * Who an entry is about: its step's id, or for the steps of a compensation (they carry no id of
 * their own, only the path `<step path>/compensate…`) "undo <that step's id>". Pure.
 */
export function entryStep(entry: Entry, stepIdAt: (path: string) => string | undefined): string {
  if (entry.stepId) return entry.stepId;
  const undone = entry.path?.match(/^(.*)\/compensate(?:\/|$)/)?.[1];
  const id = undone === undefined ? undefined : stepIdAt(undone);
  return id ? `undo ${id}` : '';
}

export function entryText(entry: Entry): string {
  const d = entry.details ?? {};
  const facts: string[] = [];
  if (typeof d.activity === 'string') facts.push(`activity ${d.activity}`);
  if (typeof d.signal === 'string') facts.push(`signal ${d.signal}`);
  if (typeof d.purpose === 'string') facts.push(String(d.purpose).replace(/-/g, ' '));
  if (typeof d.dueAt === 'number') facts.push(`for ${duration(Math.max(0, d.dueAt - entry.at))}`);
  if (typeof d.status === 'string') facts.push(statusWords(d.status));
  if (entry.attempt && entry.attempt > 1) facts.push(`attempt ${entry.attempt}`);
  return facts.join(', ');
}

/**
 * A step waiting for a signal writes no history entry until the signal comes: a signal step with
 * no state yet, right after the start or a finished or skipped step, is shown as waiting. Pure.
 */
export function withWaiting(graph: GraphViewData, states: ReadonlyMap<string, StepState>): Map<string, StepState> {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const out = new Map(states);
  for (const edge of graph.edges) {
    const from = byId.get(edge.from);
    const to = byId.get(edge.to);
    if (!from || !to?.path || to.shape !== 'signal' || out.has(to.path)) continue;
    const before = from.path ? states.get(from.path) : from.id === 'flowStart' ? 'done' : undefined;
    if (before === 'done' || before === 'skipped' || (from.shape === 'fork' && before === 'running')) out.set(to.path, 'waiting');
  }
  return out;
}

export async function runPage(main: HTMLElement, role: Role, runId: string, leaving: AbortSignal): Promise<void> {
  const run = await api<Run>('GET', `/v1/runs/${encodeURIComponent(runId)}`);
  const [graph, read] = await Promise.all([
    api<GraphViewData>('GET', `/v1/definitions/${encodeURIComponent(run.name)}/${run.version}/graph`),
    api<{ definition: { signals?: Record<string, { schema?: unknown }>; queries?: Record<string, unknown> } }>('GET', `/v1/definitions/${encodeURIComponent(run.name)}/${run.version}`),
  ]);
  const kinds = new Map(graph.nodes.filter((n) => n.path).map((n) => [n.path as string, n.shape]));
  const history: Entry[] = [];
  const stepIds = new Map<string, string>();
  const graphPane = h('div', { class: 'graph-pane' });
  const timeline = h('ol', { class: 'timeline', id: 'timeline' });
  const statusBadge = h('span', { class: `badge status-${run.status}`, id: 'run-status' }, statusWords(run.status));
  const outcome = h('div', { class: 'outcome' });
  const actions = h('div', { class: 'toolbar' });
  let currentStatus = run.status;
  // A cancel/terminate/retry that was asked and not yet seen in the run's status: once the status
  // moves, the "asked" line gives way to what happened (it must not outlive the run's end).
  let asked: { words: string; from: string } | undefined;
  const redraw = (): void => {
    const states = runStepStates(history, (path) => kinds.get(path));
    mount(graphPane, drawGraph(graph, { states: currentStatus === 'running' ? withWaiting(graph, states) : states }));
  };
  // Signal forms only while the run can take a signal (an ended run refuses them; a retried one takes them again).
  const signalsBox = h('div', { class: 'signals', id: 'signals' });
  const setStatus = (status: string): void => {
    currentStatus = status;
    if (asked && status !== asked.from) {
      outcome.textContent = `${asked.words}: done. The run is ${statusWords(status).toLowerCase()}.`;
      asked = undefined;
    }
    signalsBox.hidden = status !== 'running';
    redraw();
    statusBadge.className = `badge status-${status}`;
    statusBadge.textContent = statusWords(status);
    renderActions(status);
  };
  const act = async (verb: 'cancel' | 'terminate' | 'retry', words: string, explain: string): Promise<void> => {
    const reason = await confirmDialog(`${words} run ${runId}?`, explain, words, verb !== 'retry');
    if (reason === null) return;
    const from = currentStatus;
    try {
      await api('POST', `/v1/runs/${encodeURIComponent(runId)}/${verb}`, verb === 'retry' ? {} : { reason: reason || `${verb} from the studio` });
      outcome.textContent = `${words}: asked. The history below shows what happens.`;
      asked = { words, from };
      // The run's new status may have streamed in before the request's answer did.
      if (currentStatus !== from) setStatus(currentStatus);
    } catch (error) {
      outcome.textContent = error instanceof ApiError ? error.problem.detail : String(error);
    }
  };
  const renderActions = (status: string): void => {
    if (!can(role, 'operator')) return mount(actions);
    mount(
      actions,
      status === 'running' ? h('button', { type: 'button', id: 'cancel-run', onclick: () => act('cancel', 'Cancel', 'The run stops and undoes what it registered to undo (its compensations).') }, 'Cancel run') : null,
      status === 'running' ? h('button', { type: 'button', class: 'danger', id: 'terminate-run', onclick: () => act('terminate', 'Terminate', 'The run stops at once, without undoing anything.') }, 'Terminate') : null,
      status === 'failed' ? h('button', { type: 'button', id: 'retry-run', onclick: () => act('retry', 'Retry', 'The run goes on again from the step that failed.') }, 'Retry from the failed step') : null,
    );
  };
  const signals = Object.entries(read.definition.signals ?? {});
  const signalForms = signals.map(([name, declared]) => {
    const form = schemaForm(declared.schema ?? {}, `signal-${name}`);
    const said = h('p', { role: 'status' });
    return h(
      'form',
      {
        class: 'signal',
        'data-signal': name,
        onsubmit: async (event: Event) => {
          event.preventDefault();
          try {
            await api('POST', `/v1/runs/${encodeURIComponent(runId)}/signals/${encodeURIComponent(name)}`, { data: form.value() });
            said.textContent = `Sent “${name}”.`;
          } catch (error) {
            said.textContent = error instanceof ApiError ? `${error.problem.detail}${error.problem.issues ? `: ${error.problem.issues.map((i) => i.message).join('; ')}` : ''}` : (error as Error).message;
          }
        },
      },
      h('h3', {}, `Signal “${name}”`),
      form.element,
      h('button', { type: 'submit' }, `Send ${name}`),
      said,
    );
  });
  const queries = Object.keys(read.definition.queries ?? {}).map((name) => {
    const value = h('pre', { class: 'value' });
    return h(
      'div',
      { class: 'query' },
      h('button', { type: 'button', onclick: async () => (value.textContent = JSON.stringify((await api<{ value: unknown }>('GET', `/v1/runs/${encodeURIComponent(runId)}/queries/${encodeURIComponent(name)}`)).value, null, 2)) }, `Read “${name}”`),
      value,
    );
  });
  mount(
    main,
    h('h1', {}, `Run ${run.runId} `, statusBadge),
    h('p', { class: 'muted' }, `${run.name} version ${run.version}, started ${when(run.startedAt)}`),
    runFacts(run),
    actions,
    outcome,
    h(
      'div',
      { class: 'split' },
      h('section', { class: 'graph-side', 'aria-label': 'Graph' }, stateLegend(), graphPane),
      h(
        'section',
        { 'aria-label': 'Signals, queries and history' },
        can(role, 'operator') && signals.length ? (mount(signalsBox, h('h2', {}, 'Answer'), ...signalForms), signalsBox) : null,
        queries.length ? h('div', {}, h('h2', {}, 'Queries'), ...queries) : null,
        h('h2', {}, 'History'),
        timeline,
      ),
    ),
  );
  signalsBox.hidden = run.status !== 'running';
  renderActions(run.status);
  redraw();
  let pending = false;
  await streamEvents(
    runId,
    (event) => {
      if (event.event === 'end') {
        setStatus((event.data as { status: string }).status);
        return;
      }
      if (event.event !== 'entry') return;
      const entry = event.data as Entry;
      history.push(entry);
      if (entry.path && entry.stepId) stepIds.set(entry.path, entry.stepId);
      const step = entryStep(entry, (path) => stepIds.get(path));
      const facts = entryText(entry);
      timeline.append(
        h(
          'li',
          { 'data-type': entry.type },
          h('time', {}, new Date(entry.at).toLocaleTimeString()),
          ' ',
          h('strong', {}, ENTRY_WORDS[entry.type] ?? entry.type),
          step ? ` ${step}` : '',
          facts ? ` (${facts})` : '',
          entry.details && ('output' in entry.details || 'error' in entry.details)
            ? h('details', {}, h('summary', {}, 'data'), h('pre', {}, JSON.stringify(entry.details.output ?? entry.details.error, null, 2)))
            : null,
        ),
      );
      if (entry.type === 'RunEnded' && typeof entry.details?.status === 'string') setStatus(entry.details.status);
      // Many entries arrive at once on a replay of the history: draw the graph once per frame.
      if (!pending) {
        pending = true;
        requestAnimationFrame(() => {
          pending = false;
          redraw();
        });
      }
    },
    leaving,
  );
}

/**
 * What else an operator should know about a run, in words: its generation and the earlier ones
 * when it started again with fresh history (`continueAsNew`), its searchable values, and warnings.
 */
export function runFacts(run: Run): HTMLElement | null {
  const parts: HTMLElement[] = [];
  if ((run.generation ?? 1) > 1) {
    const earlier = run.continuedFrom ?? [];
    parts.push(
      h(
        'p',
        { id: 'run-generation' },
        `Generation ${run.generation}: this run started again with fresh history ${run.generation! - 1} ${run.generation === 2 ? 'time' : 'times'} (continueAsNew).`,
      ),
    );
    if (earlier.length > 0) {
      parts.push(
        h(
          'ul',
          { class: 'generations', 'aria-label': 'Earlier generations' },
          ...earlier.map((g) => h('li', {}, `Generation ${g.generation}: started ${when(g.startedAt)}, started again ${when(g.continuedAt)}, ${g.historyLength} history entries (no longer kept)`)),
        ),
      );
    }
  }
  const searchable = Object.entries(run.searchAttributes ?? {});
  if (searchable.length > 0) {
    parts.push(h('p', { id: 'run-search-attributes' }, `Searchable values: ${searchable.map(([k, v]) => `${k} = ${v === null ? '(not set)' : String(v)}`).join(', ')}`));
  }
  for (const warning of run.warnings ?? []) parts.push(h('p', { class: 'warning', role: 'note' }, warning.message));
  return parts.length === 0 ? null : h('div', { class: 'run-facts' }, ...parts);
}

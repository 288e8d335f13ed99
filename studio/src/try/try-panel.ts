/**
 * "Try it" on a flow's page (SPEC §13): the text in the editor run on a private test engine of the
 * server (`POST /v1/try`): an input form from the flow's input schema, a choice per activity
 * (answer, fail, or the registered handler), timers skipped; the outcome drawn on the graph with a
 * legend and told as a timeline with its data. "Run tests" runs the flow's test cases against the
 * text (`POST /v1/try/tests`) and shows each case's pass or fail with what differed.
 */
import './try.css';
import { api, ApiError, type Issue } from '../api.js';
import { duration, h, mount } from '../dom.js';
import { drawGraph, type GraphViewData, type StepState } from '../graph-svg.js';
import { ENTRY_WORDS, entryText, type Entry as RunEntry } from '../run-page.js';
import { statusWords } from '../runs-page.js';
import { stateLegend } from '../state-legend.js';
import { activityChooser, type ActivityChooser } from './activity-choices.js';
import { inputForm, type FormPart } from './input-form.js';

interface Plan {
  readonly name: string;
  readonly version: number;
  readonly input: unknown;
  readonly activities: readonly { readonly name: string; readonly registered: boolean }[];
  readonly signals: readonly { readonly name: string; readonly schema: unknown }[];
  readonly graph: GraphViewData;
}

/** A try's history entry: the run page's, with the event it records. */
interface Entry extends RunEntry {
  readonly event?: Record<string, unknown>;
}

interface TryResult {
  readonly status: string;
  readonly output: unknown;
  readonly error: { readonly type?: string; readonly message?: string } | null;
  readonly waitingFor: readonly { readonly signal: string; readonly path: string; readonly stepId?: string }[];
  readonly steps: Readonly<Record<string, StepState>>;
  readonly history: readonly Entry[];
  readonly historyTruncated: boolean;
  readonly stopped?: string;
  readonly durationMs: number;
}

interface CaseOutcome {
  readonly name: string;
  readonly passed: boolean;
  readonly reasons: readonly string[];
  readonly expected: unknown;
  readonly actual?: unknown;
}
interface TestsResult {
  readonly files: readonly { readonly file: string; readonly invalid?: readonly string[]; readonly cases: readonly CaseOutcome[] }[];
}

/** What the try is about: the panel's outcome says it in words too. */
const OUTCOME_WORDS: Readonly<Record<string, string>> = {
  waiting: 'is waiting for a signal',
  completed: 'completed',
  failed: 'failed',
  compensated: 'failed, and what it had done was undone',
  compensation_failed: 'failed, and undoing what it had done failed too',
  running: 'was stopped while still running',
  cancelled: 'was cancelled',
  terminated: 'was terminated',
  timed_out: 'ran out of time',
};

/** Time since the start in the flow's own (virtual) time: `+2d 1m`, `+0s`. */
function since(ms: number): string {
  const parts: string[] = [];
  let rest = Math.max(0, Math.round(ms));
  for (const [size, unit] of [[86_400_000, 'd'], [3_600_000, 'h'], [60_000, 'm'], [1000, 's']] as const) {
    if (rest >= size) parts.push(`${Math.floor(rest / size)}${unit}`);
    rest %= size;
  }
  if (rest > 0 && parts.length === 0) parts.push(`${rest}ms`);
  return `+${parts.join(' ') || '0s'}`;
}

function problemText(error: unknown): string {
  if (error instanceof ApiError) return error.problem.detail;
  return error instanceof Error ? error.message : String(error);
}

function issueList(issues: readonly Issue[]): HTMLElement {
  return h('ul', { class: 'problems' }, ...issues.map((i) => h('li', {}, i.line ? `Line ${i.line}: ` : '', i.message, i.hint ? h('div', { class: 'hint' }, i.hint) : null)));
}

/** The data an entry carries (input, answer, error, signal data), from its facts or its event, shown folded. */
function entryData(entry: Entry): HTMLElement | null {
  const carried = { ...(entry.event ?? {}), ...(entry.details ?? {}) } as Record<string, unknown>;
  const shown = (['input', 'output', 'error', 'data', 'vars'] as const).filter((key) => carried[key] !== undefined && carried[key] !== null);
  if (shown.length === 0) return null;
  const words = { input: 'input', output: 'answer', error: 'error', data: 'data', vars: 'variables' };
  return h('details', {}, h('summary', {}, shown.map((k) => words[k]).join(', ')), h('pre', {}, JSON.stringify(Object.fromEntries(shown.map((k) => [k, carried[k]])), null, 2)));
}

/** The panel; `textOf` reads the editor's text at the moment it is needed. */
export function tryPanel(textOf: () => string): HTMLElement {
  const prepareButton = h('button', { type: 'button', id: 'try-prepare' }, 'Prepare a try from the text');
  const setup = h('div', { class: 'try-setup', id: 'try-setup' });
  const outcome = h('div', { class: 'try-outcome', id: 'try-outcome', role: 'status', 'aria-live': 'polite' });
  const graphPane = h('div', { class: 'try-graph', id: 'try-graph' });
  const timeline = h('ol', { class: 'timeline', id: 'try-timeline' });
  const testsButton = h('button', { type: 'button', id: 'try-tests' }, 'Run tests');
  const testsArea = h('div', { class: 'try-tests', id: 'try-tests-result', 'aria-live': 'polite' });
  let plan: Plan | undefined;
  let preparedText = '';
  let input: FormPart | undefined;
  let choosers: { name: string; chooser: ActivityChooser }[] = [];
  /** Signals ticked to be sent from the start (a wait with a timeout would otherwise time out at once). */
  let upfront: { name: string; send: HTMLInputElement; form: FormPart }[] = [];
  /** Signals sent so far in this try: each "send" runs the try again from the start with one more. */
  let signals: { name: string; data: unknown }[] = [];

  const legend = stateLegend();

  const prepare = async (): Promise<void> => {
    preparedText = textOf();
    mount(setup, h('p', { class: 'muted' }, 'Reading the flow…'));
    try {
      plan = await api<Plan>('POST', '/v1/try/plan', { document: preparedText });
    } catch (error) {
      plan = undefined;
      mount(setup, h('p', { class: 'error' }, 'Fix the mistakes in the text first, then prepare the try again.'), error instanceof ApiError && error.problem.issues ? issueList(error.problem.issues) : h('p', {}, problemText(error)));
      return;
    }
    input = inputForm(plan.input, 'try-input', 'the input');
    choosers = plan.activities.map((a) => ({ name: a.name, chooser: activityChooser(a.name, a.registered) }));
    upfront = plan.signals.map((signal) => ({
      name: signal.name,
      send: h('input', { type: 'checkbox', id: `try-send-${signal.name}` }),
      form: inputForm(signal.schema, `try-upfront-${signal.name}`, `the data of “${signal.name}”`),
    }));
    const runButton = h('button', { type: 'button', id: 'try-run', onclick: () => void startRun() }, 'Run');
    mount(
      setup,
      h('fieldset', { class: 'try-input' }, h('legend', {}, 'Input'), input.element),
      upfront.length
        ? h(
            'fieldset',
            { class: 'try-upfront' },
            h('legend', {}, 'Signals'),
            h('p', { class: 'help' }, 'Timers are skipped, so a wait for a signal that has a timeout times out at once. Tick a signal to send it as the run starts: the run takes it when it reaches the wait.'),
            ...upfront.map((u) =>
              h('div', { class: 'try-signal-upfront', 'data-signal': u.name }, h('div', { class: 'field check' }, u.send, h('label', { for: u.send.id }, `Send “${u.name}” as the run starts`)), u.form.element),
            ),
          )
        : null,
      choosers.length
        ? h('fieldset', { class: 'try-activities' }, h('legend', {}, 'What each activity does'), ...choosers.map((c) => c.chooser.element))
        : h('p', { class: 'muted' }, 'This flow calls no activities.'),
      h('div', { class: 'toolbar' }, runButton),
    );
    mount(graphPane, drawGraph(plan.graph));
    prepareButton.textContent = 'Prepare again from the text';
  };

  const startRun = (): void => {
    try {
      const chosen = upfront.filter((u) => u.send.checked).map((u) => ({ name: u.name, data: u.form.value() ?? null }));
      void run(chosen);
    } catch (error) {
      mount(outcome, h('p', { class: 'error' }, problemText(error)));
    }
  };

  const run = async (withSignals: { name: string; data: unknown }[]): Promise<void> => {
    if (!plan) return;
    let body: Record<string, unknown>;
    try {
      const activities: Record<string, unknown> = {};
      for (const c of choosers) activities[c.name] = c.chooser.value();
      const value = input?.value();
      body = { document: textOf(), activities, ...(value === undefined ? {} : { input: value }), ...(withSignals.length ? { signals: withSignals } : {}) };
    } catch (error) {
      mount(outcome, h('p', { class: 'error' }, problemText(error)));
      return;
    }
    mount(outcome, h('p', { class: 'muted' }, 'Trying…'));
    // The text may have changed since the try was prepared: the graph must match what runs.
    if (body.document !== preparedText) {
      try {
        const fresh = await api<Plan>('POST', '/v1/try/plan', { document: body.document });
        plan = { ...plan, graph: fresh.graph, signals: fresh.signals };
        preparedText = body.document as string;
      } catch (error) {
        mount(outcome, h('p', { class: 'error' }, 'The text has mistakes: fix them to try it.'), error instanceof ApiError && error.problem.issues ? issueList(error.problem.issues) : null);
        return;
      }
    }
    let result: TryResult;
    try {
      result = await api<TryResult>('POST', '/v1/try', body);
    } catch (error) {
      mount(outcome, h('p', { class: 'error' }, problemText(error)), error instanceof ApiError && error.problem.issues ? issueList(error.problem.issues) : null);
      return;
    }
    signals = withSignals;
    show(result);
  };

  const show = (result: TryResult): void => {
    if (!plan) return;
    const states = new Map(Object.entries(result.steps));
    mount(graphPane, drawGraph(plan.graph, { states }));
    graphPane.dataset.status = result.status;
    const started = result.history[0]?.at ?? 0;
    mount(
      timeline,
      ...result.history.map((entry) => {
        const facts = entryText(entry);
        return h(
          'li',
          { 'data-type': entry.type },
          h('span', { class: 'when' }, since(entry.at - started)),
          ' ',
          h('strong', {}, ENTRY_WORDS[entry.type] ?? entry.type),
          entry.stepId ? ` ${entry.stepId}` : '',
          facts ? ` (${facts})` : '',
          entryData(entry),
        );
      }),
      result.historyTruncated ? h('li', { class: 'muted' }, 'The history goes on; only its beginning is shown.') : null,
    );
    const waits = result.status === 'waiting' ? result.waitingFor : [];
    mount(
      outcome,
      h('p', { class: 'try-status' }, h('span', { class: `badge status-${result.status === 'waiting' ? 'running' : result.status}`, id: 'try-status' }, result.status === 'waiting' ? 'waiting' : statusWords(result.status)), ` The try ${OUTCOME_WORDS[result.status] ?? result.status}, in ${duration(result.durationMs)} of real time.`),
      result.error ? h('p', { class: 'error' }, `${result.error.type ?? 'Error'}: ${result.error.message ?? ''}`) : null,
      result.stopped ? h('p', { class: 'error' }, result.stopped) : null,
      result.status === 'completed' ? h('details', { open: true }, h('summary', {}, 'Output'), h('pre', { class: 'value', id: 'try-output' }, JSON.stringify(result.output, null, 2))) : null,
      signals.length ? h('p', { class: 'muted' }, `Signals sent in this try: ${signals.map((s) => s.name).join(', ')}.`) : null,
      ...waits.map((wait) => signalForm(wait)),
    );
  };

  const signalForm = (wait: TryResult['waitingFor'][number]): HTMLElement => {
    const declared = plan?.signals.find((s) => s.name === wait.signal);
    const form = inputForm(declared?.schema, `try-signal-${wait.signal}`, `the data of “${wait.signal}”`);
    const said = h('p', { class: 'error', role: 'alert' });
    return h(
      'form',
      {
        class: 'signal try-signal',
        'data-signal': wait.signal,
        onsubmit: (event: Event) => {
          event.preventDefault();
          try {
            const data = form.value();
            void run([...signals, { name: wait.signal, data: data === undefined ? null : data }]);
          } catch (error) {
            said.textContent = problemText(error);
          }
        },
      },
      h('h3', {}, `Waiting for “${wait.signal}”${wait.stepId ? ` at step ${wait.stepId}` : ''}`),
      h('p', { class: 'muted' }, 'Sending it tries the flow again from the start with this signal: the activities answer as you chose, so the run takes the same path up to here.'),
      form.element,
      h('button', { type: 'submit' }, `Send “${wait.signal}” and try again`),
      said,
    );
  };

  const runTests = async (tests?: string): Promise<void> => {
    mount(testsArea, h('p', { class: 'muted' }, 'Running the tests…'));
    let result: TestsResult;
    try {
      result = await api<TestsResult>('POST', '/v1/try/tests', { document: textOf(), ...(tests ? { tests } : {}) });
    } catch (error) {
      mount(testsArea, h('p', { class: 'error' }, problemText(error)), error instanceof ApiError && error.problem.issues ? issueList(error.problem.issues) : null);
      return;
    }
    const pasteBox = h('textarea', { id: 'try-tests-text', rows: 8, spellcheck: 'false' }, tests ?? '');
    const paste = h(
      'div',
      { class: 'field' },
      h('label', { for: 'try-tests-text' }, 'Test cases (the text of a .test.yaml file)'),
      pasteBox,
      h('div', { class: 'toolbar' }, h('button', { type: 'button', id: 'try-tests-pasted', onclick: () => void runTests(pasteBox.value) }, 'Run these tests')),
    );
    if (result.files.length === 0) {
      mount(testsArea, h('p', {}, 'No test file for this flow was found on the server. Paste test cases to run them against the text:'), paste);
      return;
    }
    const cases = result.files.flatMap((f) => f.cases);
    const passed = cases.filter((c) => c.passed).length;
    mount(
      testsArea,
      h('p', { class: passed === cases.length ? 'ok' : 'error', id: 'try-tests-summary' }, `${passed} of ${cases.length} test case${cases.length === 1 ? '' : 's'} passed.`),
      ...result.files.map((file) =>
        h(
          'section',
          { class: 'try-test-file' },
          h('h3', {}, file.file),
          file.invalid ? h('div', {}, h('p', { class: 'error' }, 'This test file cannot be used:'), h('ul', {}, ...file.invalid.map((p) => h('li', {}, p)))) : null,
          h('ul', { class: 'try-cases' }, ...file.cases.map(caseItem)),
        ),
      ),
      tests ? paste : null,
    );
  };

  const caseItem = (c: CaseOutcome): HTMLElement =>
    h(
      'li',
      { class: c.passed ? 'passed' : 'failed', 'data-case': c.name },
      h('span', { class: c.passed ? 'ok' : 'error' }, c.passed ? '✓ passed' : '✗ failed'),
      ` ${c.name}`,
      c.passed
        ? null
        : h(
            'div',
            { class: 'try-difference' },
            h('ul', {}, ...c.reasons.map((r) => h('li', {}, r))),
            h('details', {}, h('summary', {}, 'Expected and got'), h('div', { class: 'try-side' }, h('div', {}, h('h4', {}, 'Expected'), h('pre', {}, JSON.stringify(c.expected, null, 2))), h('div', {}, h('h4', {}, 'Got'), h('pre', {}, JSON.stringify(c.actual ?? null, null, 2))))),
          ),
    );

  prepareButton.addEventListener('click', () => void prepare());
  testsButton.addEventListener('click', () => void runTests());
  return h(
    'section',
    { class: 'try', id: 'try', 'aria-labelledby': 'try-title' },
    h('h2', { id: 'try-title' }, 'Try it'),
    h('p', { class: 'muted' }, 'Runs the text in the editor on a private test engine of the server: nothing is deployed and no real run starts. Waits and timers are skipped. Choose what each activity answers, or make it fail to see what the flow does then.'),
    h('div', { class: 'toolbar' }, prepareButton, testsButton),
    setup,
    outcome,
    h('div', { class: 'split' }, h('section', { 'aria-label': 'The try on the graph' }, legend, graphPane), h('section', { 'aria-label': 'What happened, step by step' }, h('h3', {}, 'What happened'), timeline)),
    h('h3', {}, 'Tests'),
    testsArea,
  );
}

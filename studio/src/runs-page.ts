/** The runs the server knows, newest first, filtered by status, flow and start time (GET /v1/runs). */
import { api } from './api.js';
import { h, mount, when } from './dom.js';

/** "Started" choices: a recent span, or between two instants the reader picks. */
const SPANS: readonly [string, string, number][] = [
  ['1h', 'in the last hour', 3_600_000],
  ['24h', 'in the last 24 hours', 86_400_000],
  ['7d', 'in the last 7 days', 7 * 86_400_000],
];

const STATUSES = ['running', 'completed', 'failed', 'compensated', 'compensation_failed', 'cancelled', 'terminated', 'timed_out'];

interface RunSummary {
  readonly runId: string;
  readonly name: string;
  readonly version: number;
  readonly status: string;
  readonly startedAt: string;
  readonly endedAt: string | null;
}

/** A status in plain words. Pure. */
export function statusWords(status: string): string {
  return status.replace(/_/g, ' ');
}

export async function runsPage(main: HTMLElement, params: URLSearchParams): Promise<void> {
  const { definitions } = await api<{ definitions: { name: string }[] }>('GET', '/v1/definitions');
  const status = h('select', { id: 'filter-status' }, h('option', { value: '' }, 'any status'), ...STATUSES.map((s) => h('option', { value: s }, statusWords(s))));
  const flow = h('select', { id: 'filter-flow' }, h('option', { value: '' }, 'any flow'), ...definitions.map((d) => h('option', { value: d.name }, d.name)));
  const started = h('select', { id: 'filter-started' }, h('option', { value: '' }, 'any time'), ...SPANS.map(([value, words]) => h('option', { value }, words)), h('option', { value: 'between' }, 'between…'));
  const from = h('input', { type: 'datetime-local', id: 'filter-from', step: 1 });
  const to = h('input', { type: 'datetime-local', id: 'filter-to', step: 1 });
  const between = h('span', { class: 'between' }, h('label', { for: 'filter-from' }, 'from '), from, h('label', { for: 'filter-to' }, ' to '), to);
  status.value = params.get('status') ?? '';
  flow.value = params.get('name') ?? '';
  started.value = params.get('started') ?? '';
  from.value = params.get('from') ?? '';
  to.value = params.get('to') ?? '';
  between.hidden = started.value !== 'between';
  const body = h('tbody', {});
  const more = h('button', { type: 'button', hidden: true }, 'Show more');
  let cursor: string | null = null;
  let loads = 0;
  const load = async (reset: boolean): Promise<void> => {
    const mine = ++loads;
    const query = new URLSearchParams({ limit: '50' });
    if (status.value) query.set('status', status.value);
    if (flow.value) query.set('name', flow.value);
    const span = SPANS.find(([value]) => value === started.value);
    if (span) query.set('startedAfter', new Date(Date.now() - span[2]).toISOString());
    // datetime-local is the reader's local time; the API takes instants.
    if (started.value === 'between' && from.value) query.set('startedAfter', new Date(from.value).toISOString());
    if (started.value === 'between' && to.value) query.set('startedBefore', new Date(to.value).toISOString());
    if (!reset && cursor) query.set('cursor', cursor);
    const page = await api<{ runs: RunSummary[]; nextCursor: string | null }>('GET', `/v1/runs?${query}`);
    // A later filter change answered first wins: an older answer is dropped.
    if (mine !== loads) return;
    cursor = page.nextCursor;
    more.hidden = cursor === null;
    const rows = page.runs.map((run) =>
      h(
        'tr',
        {},
        h('td', {}, h('a', { href: `#/run/${encodeURIComponent(run.runId)}` }, run.runId)),
        h('td', {}, `${run.name} v${run.version}`),
        h('td', {}, h('span', { class: `badge status-${run.status}` }, statusWords(run.status))),
        h('td', {}, when(run.startedAt)),
        h('td', {}, when(run.endedAt)),
      ),
    );
    if (reset) mount(body, ...rows);
    else body.append(...rows);
    if (!body.children.length) body.append(h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'No run matches.')));
    document.body.dataset.runsLoaded = String(loads);
  };
  const refilter = (): void => {
    const query = new URLSearchParams();
    if (status.value) query.set('status', status.value);
    if (flow.value) query.set('name', flow.value);
    if (started.value) query.set('started', started.value);
    if (started.value === 'between' && from.value) query.set('from', from.value);
    if (started.value === 'between' && to.value) query.set('to', to.value);
    between.hidden = started.value !== 'between';
    history.replaceState(null, '', `#/runs${query.size ? `?${query}` : ''}`);
    void load(true);
  };
  status.addEventListener('change', refilter);
  flow.addEventListener('change', refilter);
  for (const control of [started, from, to]) control.addEventListener('change', refilter);
  more.addEventListener('click', () => void load(false));
  mount(
    main,
    h('h1', {}, 'Runs'),
    h('div', { class: 'toolbar' }, h('label', { for: 'filter-status' }, 'Status '), status, h('label', { for: 'filter-flow' }, 'Flow '), flow, h('label', { for: 'filter-started' }, 'Started '), started, between),
    h('table', { class: 'runs' }, h('thead', {}, h('tr', {}, h('th', {}, 'Run'), h('th', {}, 'Flow'), h('th', {}, 'Status'), h('th', {}, 'Started'), h('th', {}, 'Ended'))), body),
    more,
  );
  await load(true);
}

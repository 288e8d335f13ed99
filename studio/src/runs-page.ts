/** The runs the server knows, newest first, filtered by status and flow (GET /v1/runs). */
import { api } from './api.js';
import { h, mount, when } from './dom.js';

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
  status.value = params.get('status') ?? '';
  flow.value = params.get('name') ?? '';
  const body = h('tbody', {});
  const more = h('button', { type: 'button', hidden: true }, 'Show more');
  let cursor: string | null = null;
  const load = async (reset: boolean): Promise<void> => {
    const query = new URLSearchParams({ limit: '50' });
    if (status.value) query.set('status', status.value);
    if (flow.value) query.set('name', flow.value);
    if (!reset && cursor) query.set('cursor', cursor);
    const page = await api<{ runs: RunSummary[]; nextCursor: string | null }>('GET', `/v1/runs?${query}`);
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
  };
  const refilter = (): void => {
    const query = new URLSearchParams();
    if (status.value) query.set('status', status.value);
    if (flow.value) query.set('name', flow.value);
    history.replaceState(null, '', `#/runs${query.size ? `?${query}` : ''}`);
    void load(true);
  };
  status.addEventListener('change', refilter);
  flow.addEventListener('change', refilter);
  more.addEventListener('click', () => void load(false));
  mount(
    main,
    h('h1', {}, 'Runs'),
    h('div', { class: 'toolbar' }, h('label', { for: 'filter-status' }, 'Status '), status, h('label', { for: 'filter-flow' }, 'Flow '), flow),
    h('table', { class: 'runs' }, h('thead', {}, h('tr', {}, h('th', {}, 'Run'), h('th', {}, 'Flow'), h('th', {}, 'Status'), h('th', {}, 'Started'), h('th', {}, 'Ended'))), body),
    more,
  );
  await load(true);
}

/**
 * One flow: its text in the editor, Flowline's messages at their lines as the author types, the
 * graph beside it (live), deploy with a diff, and starting a run.
 */
import type { EditorView } from '@codemirror/view';
import { api, ApiError, can, type Issue, type Role } from './api.js';
import { deployDialog } from './deploy.js';
import { codeText, h, mount } from './dom.js';
import { createEditor, selectLines } from './editor.js';
import { openPalette } from './palette.js';
import { drawGraph, highlightLine, type GraphViewData } from './graph-svg.js';
import { startRunDialog } from './start-run.js';
import { tryPanel } from './try/try-panel.js';

interface DefinitionRead {
  readonly name: string;
  readonly version: number;
  readonly source: string | null;
  readonly definition: Record<string, unknown>;
}

const NEW_FLOW = `dsl: flowline/v1
name: my-flow
version: 1
steps:
  - id: hello
    set:
      greeting: hello
`;

/** Timings the browser tests read (time to interactive, keystroke to update). */
export const studioTimings: { editorReadyAt?: number; lastChangeAt?: number; lastUpdateMs?: number } = {};
(globalThis as { __studio?: unknown }).__studio = studioTimings;

export async function flowPage(main: HTMLElement, role: Role, name?: string, version?: number): Promise<void> {
  const read = name !== undefined && version !== undefined ? await api<DefinitionRead>('GET', `/v1/definitions/${encodeURIComponent(name)}/${version}`) : undefined;
  const text = read ? (read.source ?? JSON.stringify(read.definition, null, 2)) : NEW_FLOW;
  const author = can(role, 'author');
  const graphPane = h('div', { class: 'graph-pane', 'aria-live': 'off' });
  const problems = h('ol', { class: 'problems', 'aria-live': 'polite', id: 'problems' });
  const status = h('p', { class: 'status', id: 'check-status', role: 'status' });
  const editorHost = h('div', { class: 'editor' });
  let graph: GraphViewData | undefined;
  let svg: SVGSVGElement | undefined;
  let view: EditorView | undefined;

  const showGraph = (next: GraphViewData, stale: boolean): void => {
    graph = next;
    svg = drawGraph(next, { onSelect: (node) => view && node.line && selectLines(view, node.line, node.endLine ?? node.line) });
    graphPane.classList.toggle('stale', stale);
    mount(graphPane, stale ? h('p', { class: 'muted' }, 'The graph shows the last version without mistakes.') : null, svg);
  };

  const showProblems = (issues: readonly Issue[]): void => {
    status.textContent = issues.length === 0 ? 'No mistakes found.' : `${issues.length} mistake${issues.length === 1 ? '' : 's'} to fix.`;
    mount(
      problems,
      ...issues.map((issue) =>
        h(
          'li',
          {},
          h('button', { type: 'button', class: 'link', onclick: () => view && issue.line && selectLines(view, issue.line, issue.line) }, `Line ${issue.line ?? '?'}`),
          ': ',
          ...codeText(issue.message),
          issue.hint ? h('div', { class: 'hint' }, ...codeText(issue.hint)) : null,
        ),
      ),
    );
  };

  const check = async (source: string): Promise<readonly Issue[]> => {
    const result = await api<{ valid: boolean; issues: Issue[]; graph?: GraphViewData }>('POST', '/v1/validate?graph=true', source, 'application/yaml');
    if (result.graph) showGraph(result.graph, false);
    else if (graph) showGraph(graph, true);
    showProblems(result.issues);
    if (studioTimings.lastChangeAt !== undefined) studioTimings.lastUpdateMs = performance.now() - studioTimings.lastChangeAt;
    document.body.dataset.checked = String(Date.now());
    return result.issues;
  };

  const title = read ? `${read.name}, version ${read.version}` : 'New flow';
  const deployButton = author ? h('button', { type: 'button', id: 'deploy', onclick: () => view && deployDialog(view.state.doc.toString()) }, 'Deploy as a new version') : null;
  const paletteButtons = author
    ? [
        h('button', { type: 'button', id: 'add-step', onclick: () => view && openPalette(view, 'add') }, 'Add a step'),
        h('button', { type: 'button', id: 'edit-step', onclick: () => view && openPalette(view, 'edit') }, 'Edit this step'),
      ]
    : [];
  const startButton = read && can(role, 'operator') ? h('button', { type: 'button', id: 'start-run', onclick: () => startRunDialog(read.name, read.version, read.definition) }, 'Start a run') : null;
  mount(
    main,
    h('h1', {}, title),
    h('div', { class: 'toolbar' }, ...paletteButtons, deployButton, startButton, author ? h('button', { type: 'button', id: 'go-try', onclick: () => document.getElementById('try-prepare')?.focus() }, 'Try it') : null, read ? h('a', { href: `#/runs?name=${encodeURIComponent(read.name)}` }, 'Runs of this flow') : null),
    h('div', { class: 'split' }, h('section', { class: 'edit', 'aria-label': 'Document' }, editorHost, status, problems), h('section', { class: 'graph-side', 'aria-label': 'Graph' }, graphPane)),
    author ? tryPanel(() => view?.state.doc.toString() ?? text) : null,
  );
  view = createEditor(editorHost, {
    text,
    readOnly: !author,
    ...(author ? { check } : {}),
    onChange: () => (studioTimings.lastChangeAt = performance.now()),
    onCursorLine: (line) => svg && graph && highlightLine(svg, graph, line),
  });
  if (!author && read) {
    try {
      showGraph(await api<GraphViewData>('GET', `/v1/definitions/${encodeURIComponent(read.name)}/${read.version}/graph`), false);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
    }
  }
  studioTimings.editorReadyAt = performance.now();
  document.body.dataset.editorReady = 'true';
}

/** Deploy the edited text as a new version, after a side-by-side diff with the latest deployed one. */
import { api, ApiError } from './api.js';
import { h } from './dom.js';
import { diffLines } from './diff.js';

interface DefinitionList {
  readonly definitions: readonly { readonly name: string; readonly latest: number }[];
}

function documentName(text: string): string | undefined {
  return /^name:\s*["']?([^"'\s#]+)/m.exec(text)?.[1];
}

/** Plain words for a refusal of a deploy. Pure. */
export function explainRefusal(error: ApiError, text: string): string {
  if (error.kind === 'DefinitionConflict') {
    const version = /^version:\s*(\d+)/m.exec(text)?.[1];
    return `Version ${version ?? '?'} of this flow is already deployed with different content. A deployed version never changes, so runs in progress keep the flow they started with. Raise "version:" to a number not used yet and deploy again.`;
  }
  if (error.kind === 'DefinitionInvalid') return `The flow has mistakes; fix them first: ${(error.problem.issues ?? []).map((i) => `line ${i.line ?? '?'}: ${i.message}`).join('; ')}`;
  if (error.kind === 'Forbidden') return 'Your token may not deploy flows: ask for an author token.';
  return error.problem.detail;
}

export async function deployDialog(text: string): Promise<void> {
  const name = documentName(text);
  const { definitions } = await api<DefinitionList>('GET', '/v1/definitions');
  const deployed = definitions.find((d) => d.name === name);
  const before = deployed ? ((await api<{ source: string | null }>('GET', `/v1/definitions/${encodeURIComponent(deployed.name)}/${deployed.latest}`)).source ?? '') : '';
  const rows = diffLines(before, text);
  const changed = rows.filter((r) => r.kind !== 'same').length;
  const table = h(
    'table',
    { class: 'diff', id: 'deploy-diff' },
    h('thead', {}, h('tr', {}, h('th', { colspan: 2 }, deployed ? `deployed: version ${deployed.latest}` : 'not deployed yet'), h('th', { colspan: 2 }, 'your text'))),
    h(
      'tbody',
      {},
      ...rows.map((row) =>
        h(
          'tr',
          { class: row.kind },
          h('td', { class: 'no' }, row.kind === 'added' ? '' : row.leftNo),
          h('td', { class: 'left' }, row.kind === 'added' ? '' : (row.kind === 'removed' ? '− ' : '  ') + row.left),
          h('td', { class: 'no' }, row.kind === 'removed' ? '' : row.rightNo),
          h('td', { class: 'right' }, row.kind === 'removed' ? '' : (row.kind === 'added' ? '+ ' : '  ') + row.right),
        ),
      ),
    ),
  );
  const outcome = h('p', { id: 'deploy-outcome', role: 'status' });
  const confirm = h('button', { type: 'button', id: 'deploy-confirm' }, 'Deploy');
  const dialog = h(
    'dialog',
    { class: 'modal wide', 'aria-labelledby': 'deploy-title' },
    h('h2', { id: 'deploy-title' }, `Deploy ${name ?? 'this flow'}`),
    h('p', {}, changed === 0 ? 'Nothing changed from the deployed version.' : `${changed} line${changed === 1 ? '' : 's'} changed.`),
    h('div', { class: 'diff-scroll' }, table),
    outcome,
    h('div', { class: 'actions' }, confirm, h('button', { type: 'button', onclick: () => dialog.close() }, 'Close')),
  );
  dialog.addEventListener('close', () => dialog.remove());
  confirm.addEventListener('click', async () => {
    try {
      const result = await api<{ name: string; version: number; created: boolean }>('POST', '/v1/definitions', text, 'application/yaml');
      outcome.className = 'ok';
      outcome.textContent = result.created ? `Deployed ${result.name} version ${result.version}.` : `${result.name} version ${result.version} was already deployed with this text; nothing changed.`;
      confirm.disabled = true;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      outcome.className = 'error';
      outcome.textContent = explainRefusal(error, text);
    }
  });
  document.body.append(dialog);
  dialog.showModal();
}

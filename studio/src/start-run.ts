/** Start a run of a deployed flow, its input from a form made from the flow's input schema. */
import { api, ApiError } from './api.js';
import { h } from './dom.js';
import { schemaForm } from './schema-form.js';

export function startRunDialog(name: string, version: number, definition: Record<string, unknown>): void {
  // The definition as the server reads it is the normalised one: its input schema is `inputSchema`.
  const schema = definition.inputSchema ?? { type: 'object' };
  const form = schemaForm(schema, 'input');
  const id = h('input', { type: 'text', id: 'run-id', placeholder: 'leave empty for a new id' });
  const outcome = h('p', { role: 'status', class: 'error' });
  const dialog = h(
    'dialog',
    { class: 'modal', 'aria-labelledby': 'start-title' },
    h('h2', { id: 'start-title' }, `Start ${name} version ${version}`),
    h('div', { class: 'field' }, h('label', { for: 'run-id' }, 'Run id (optional)'), id),
    h('fieldset', {}, h('legend', {}, 'Input'), form.element),
    outcome,
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        {
          type: 'button',
          id: 'start-confirm',
          onclick: async () => {
            try {
              const input = form.value();
              const { runId } = await api<{ runId: string }>('POST', '/v1/runs', { name, version, input, ...(id.value.trim() ? { id: id.value.trim() } : {}) });
              dialog.close();
              location.hash = `#/run/${encodeURIComponent(runId)}`;
            } catch (error) {
              outcome.textContent = error instanceof ApiError ? `${error.problem.detail}${error.problem.issues ? `: ${error.problem.issues.map((i) => i.message).join('; ')}` : ''}` : (error as Error).message;
            }
          },
        },
        'Start',
      ),
      h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel'),
    ),
  );
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

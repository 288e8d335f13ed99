/** The flows the server knows (GET /v1/definitions), searchable. */
import { api, can, type Role } from './api.js';
import { h, mount } from './dom.js';

interface DefinitionList {
  readonly definitions: readonly { readonly name: string; readonly versions: readonly number[]; readonly latest: number }[];
}

export async function flowsPage(main: HTMLElement, role: Role): Promise<void> {
  const { definitions } = await api<DefinitionList>('GET', '/v1/definitions');
  const search = h('input', { type: 'search', id: 'flow-search', placeholder: 'search flows', 'aria-label': 'Search flows' });
  const list = h('ul', { class: 'flow-list' });
  const render = (): void => {
    const q = search.value.trim().toLowerCase();
    mount(
      list,
      ...definitions
        .filter((d) => d.name.toLowerCase().includes(q))
        .map((d) =>
          h(
            'li',
            {},
            h('a', { href: `#/flow/${encodeURIComponent(d.name)}/${d.latest}` }, d.name),
            h('span', { class: 'muted' }, ` version ${d.latest}${d.versions.length > 1 ? ` (${d.versions.length} versions)` : ''}`),
            ' ',
            h('a', { href: `#/runs?name=${encodeURIComponent(d.name)}`, class: 'small' }, 'runs'),
          ),
        ),
    );
    if (!list.children.length) list.append(h('li', { class: 'muted' }, definitions.length ? 'No flow matches.' : 'No flow is deployed yet.'));
  };
  search.addEventListener('input', render);
  render();
  mount(
    main,
    h('h1', {}, 'Flows'),
    h('div', { class: 'toolbar' }, search, can(role, 'author') ? h('a', { href: '#/new', class: 'button' }, 'New flow') : null),
    list,
  );
}

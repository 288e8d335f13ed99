/** The studio's shell: who the caller is, and the page of the address's hash. */
import './style.css';
import { api, ApiError, type Role } from './api.js';
import { h, mount } from './dom.js';
import { flowPage } from './flow-page.js';
import { flowsPage } from './flows-page.js';
import { runPage } from './run-page.js';
import { runsPage } from './runs-page.js';

const main = document.getElementById('main') as HTMLElement;
let role: Role = 'viewer';
let leaving = new AbortController();

async function route(): Promise<void> {
  leaving.abort();
  leaving = new AbortController();
  const [path, query] = (location.hash.slice(1) || '/flows').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  document.body.dataset.editorReady = 'false';
  mount(main, h('p', { class: 'muted' }, 'Loading…'));
  try {
    if (parts[0] === 'flow' && parts.length === 3) await flowPage(main, role, parts[1], Number(parts[2]));
    else if (parts[0] === 'new') await flowPage(main, role);
    else if (parts[0] === 'runs') await runsPage(main, new URLSearchParams(query ?? ''));
    else if (parts[0] === 'run' && parts[1]) await runPage(main, role, parts[1], leaving.signal);
    else await flowsPage(main, role);
  } catch (error) {
    mount(main, h('h1', {}, 'Something went wrong'), h('p', { class: 'error' }, error instanceof ApiError ? error.problem.detail : String(error)));
  }
}

async function start(): Promise<void> {
  const me = await api<{ name: string; role: Role }>('GET', '/v1/whoami');
  role = me.role;
  (document.getElementById('who') as HTMLElement).textContent = `${me.name} (${me.role})`;
  document.body.dataset.role = role;
  window.addEventListener('hashchange', () => void route());
  await route();
}

void start();

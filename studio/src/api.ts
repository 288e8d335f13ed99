/**
 * The studio talks to the server only through the HTTP API (docs/reference/http.md). A 401 asks
 * the person for a token, kept in sessionStorage (gone when the tab closes), and the call is repeated.
 */
import { h } from './dom.js';

const TOKEN_KEY = 'flowline.token';

export interface Issue {
  readonly pointer: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
  readonly hint?: string;
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly issues?: readonly Issue[];
  readonly runId?: string;
}

/** A refusal of the server, with its problem document. `kind` is the problem type's last segment. */
export class ApiError extends Error {
  readonly kind: string;
  constructor(readonly problem: Problem) {
    super(problem.detail);
    this.kind = problem.type.split('/').pop() ?? 'Error';
  }
}

export type Role = 'viewer' | 'operator' | 'author';
const ROLES: readonly Role[] = ['viewer', 'operator', 'author'];
export function can(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const t = token();
  return t ? { ...extra, authorization: `Bearer ${t}` } : extra;
}

/** Calls the API; JSON bodies unless `contentType` says otherwise. Throws ApiError on a refusal. */
export async function api<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
  for (;;) {
    const init: RequestInit = { method, headers: headers(body === undefined ? {} : { 'content-type': contentType }) };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    const response = await fetch(path, init);
    if (response.status === 401) {
      await askToken(token() ? 'That token was not accepted. Paste another one.' : 'This server needs a token. Ask the person who runs it.');
      continue;
    }
    const text = await response.text();
    const data: unknown = text ? JSON.parse(text) : null;
    if (!response.ok) throw new ApiError(data as Problem);
    return data as T;
  }
}

let asking: Promise<void> | undefined;

/** Shows the token dialog once, however many calls were refused meanwhile. */
function askToken(why: string): Promise<void> {
  asking ??= new Promise<void>((resolve) => {
    const input = h('input', { type: 'password', id: 'token-input', autocomplete: 'off', required: true });
    const form = h(
      'form',
      { method: 'dialog' },
      h('h2', {}, 'Sign in'),
      h('p', {}, why),
      h('label', { for: 'token-input' }, 'Token'),
      input,
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Use this token')),
    );
    const dialog = h('dialog', { class: 'modal', id: 'token-dialog' }, form);
    form.addEventListener('submit', () => {
      sessionStorage.setItem(TOKEN_KEY, input.value.trim());
      dialog.close();
      dialog.remove();
      asking = undefined;
      resolve();
    });
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
  });
  return asking;
}

/** One server-sent event of a run's history stream. */
export interface StreamEvent {
  readonly event: string;
  readonly id?: string;
  readonly data: unknown;
}

/**
 * Reads `GET /v1/runs/{id}/events` with fetch (EventSource cannot send a bearer token), resuming
 * after the last entry when the stream breaks, until `event: end` or `signal` aborts.
 */
export async function streamEvents(runId: string, onEvent: (event: StreamEvent) => void, signal: AbortSignal): Promise<void> {
  let lastId: string | undefined;
  while (!signal.aborted) {
    let ended = false;
    try {
      const response = await fetch(`/v1/runs/${encodeURIComponent(runId)}/events`, {
        headers: headers({ accept: 'text/event-stream', ...(lastId === undefined ? {} : { 'last-event-id': lastId }) }),
        signal,
      });
      if (response.status === 401) {
        await askToken('This server needs a token to show a run live.');
        continue;
      }
      if (!response.ok || !response.body) throw new Error(`stream refused: ${response.status}`);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const parsed = parseBlock(block);
          if (!parsed) continue;
          if (parsed.id !== undefined) lastId = parsed.id;
          onEvent(parsed);
          if (parsed.event === 'end') ended = true;
        }
      }
    } catch (error) {
      if (signal.aborted) return;
    }
    if (ended) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function parseBlock(block: string): StreamEvent | undefined {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'id') id = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return undefined;
  return { event, ...(id === undefined ? {} : { id }), data: JSON.parse(data.join('\n')) };
}

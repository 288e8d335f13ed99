/** Helpers of the HTTP API tests: a real server on port 0, JSON requests with fetch, and an SSE reader. */
import type { FastifyInstance } from 'fastify';
import { createServer, type ServerOptions } from '../../src/server/app.js';

export interface LiveServer {
  readonly app: FastifyInstance;
  readonly base: string;
  close(): Promise<void>;
}

/** Starts the API on 127.0.0.1, on a free port. */
export async function startServer(options: ServerOptions): Promise<LiveServer> {
  const app = await createServer(options);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return { app, base: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}

export interface Reply {
  readonly status: number;
  readonly type: string;
  readonly body: any;
  readonly headers: Headers;
}

/** One request; a JSON body unless `raw` (text with its own content type) is given. */
export async function call(
  base: string,
  method: string,
  path: string,
  options: { json?: unknown; raw?: string; contentType?: string; token?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  let body: string | undefined;
  if (options.raw !== undefined) {
    body = options.raw;
    headers['content-type'] = options.contentType ?? 'application/yaml';
  } else if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] = 'application/json';
  }
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const type = response.headers.get('content-type') ?? '';
  const text = await response.text();
  return { status: response.status, type, body: type.includes('json') && text ? JSON.parse(text) : text, headers: response.headers };
}

/** Expects a problem+json refusal with this status and engine error type. */
export function expectProblem(reply: Reply, status: number, type: string): void {
  if (reply.status !== status || !reply.type.startsWith('application/problem+json') || !String(reply.body?.type).endsWith(`/${type}`)) {
    throw new Error(`expected ${status} ${type}, got ${reply.status} ${reply.type} ${JSON.stringify(reply.body)}`);
  }
}

export interface SseEvent {
  readonly id?: string;
  readonly event: string;
  readonly data: string;
}

/** An open event stream: `ready` once the headers arrived, `done` with every event when the server closed it. */
export interface SseClient {
  readonly status: Promise<number>;
  readonly events: SseEvent[];
  readonly comments: string[];
  readonly done: Promise<SseEvent[]>;
  abort(): void;
}

export function openEvents(base: string, runId: string, options: { lastEventId?: number | string; token?: string } = {}): SseClient {
  const controller = new AbortController();
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let resolveStatus!: (status: number) => void;
  const status = new Promise<number>((resolve) => (resolveStatus = resolve));
  const done = (async () => {
    const response = await fetch(`${base}/v1/runs/${encodeURIComponent(runId)}/events`, {
      headers: {
        ...(options.lastEventId === undefined ? {} : { 'last-event-id': String(options.lastEventId) }),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      signal: controller.signal,
    });
    resolveStatus(response.status);
    if (!response.body) return events;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let id: string | undefined;
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) id = line.slice(4);
            else if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length) events.push({ ...(id === undefined ? {} : { id }), event, data: data.join('\n') });
        }
      }
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error;
    }
    return events;
  })();
  done.catch(() => resolveStatus(0));
  return { status, events, comments, done, abort: () => controller.abort() };
}

/** Polls `check` until it holds (bounded, about 10 s). */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting until ${what}`);
}

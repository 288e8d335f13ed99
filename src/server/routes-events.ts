/**
 * `GET /v1/runs/{id}/events`: the run's history entries as Server-Sent Events as they are
 * committed (`id:` = the entry's index, `<generation>.<index>` from a run's second generation on,
 * so `Last-Event-ID` resumes after it — in the same generation, or from the start of a newer one
 * when the run continued as new meanwhile), a comment line as a heartbeat, and an `end` event
 * closing the stream when the run ends. Fed by the engine's `watchHistory` (no polling per client).
 */
import type { FastifyInstance } from 'fastify';
import type { HistoryEntry } from '../interpreter/types.js';
import type { RouteConfig, RouteContext } from './context.js';
import { HttpProblemError } from './problems.js';
import { problemResponses, runIdParams } from './schemas.js';

export function registerEventRoutes(app: FastifyInstance, context: RouteContext): void {
  const { engine, heartbeatMs, headers, record } = context;
  app.get(
    '/v1/runs/:id/events',
    {
      config: { role: 'viewer' } satisfies RouteConfig,
      schema: {
        operationId: 'runEvents',
        summary: 'Live history entries as Server-Sent Events (resume with Last-Event-ID); closes when the run ends',
        tags: ['runs'],
        params: runIdParams,
        headers: { type: 'object', properties: { 'last-event-id': { type: 'string', pattern: '^([0-9]+\\.)?[0-9]+$' } } },
        response: {
          200: { description: 'event: entry (data: a history entry, id: its index, or <generation>.<index> after a continueAsNew) … then event: end (data: {status})', content: { 'text/event-stream': { schema: { type: 'string' } } } },
          ...problemResponses(404, 501),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!engine.watchHistory) throw new HttpProblemError('NotImplemented', 'this engine cannot stream a run\'s history');
      const lastEventId = request.headers['last-event-id'];
      const resumeAfter = typeof lastEventId === 'string' ? parseEventId(lastEventId) : undefined;
      // The generation the watch starts in (entries of a newer one announce it with their RunStarted).
      let generation = (await engine.describe(id)).generation;
      const fromIndex = resumeAfter && resumeAfter.generation === generation ? resumeAfter.index + 1 : 0;
      const begun = process.hrtime.bigint();
      const raw = reply.raw;
      let open = true;
      let heartbeat: NodeJS.Timeout | undefined;
      let unwatch: (() => void) | undefined;
      const close = (): void => {
        if (!open) return;
        open = false;
        if (heartbeat) clearInterval(heartbeat);
        unwatch?.();
        raw.end();
        record('/v1/runs/:id/events', 'GET', 200, Number(process.hrtime.bigint() - begun) / 1e9);
      };
      const write = (text: string): void => {
        if (open) raw.write(text);
      };
      // Entries may arrive before the watch resolves (the backlog): hold them until the headers are out.
      const early: string[] = [];
      let streaming = false;
      const send = (text: string): void => (streaming ? write(text) : void early.push(text));
      let endedEarly = false;
      unwatch = await engine.watchHistory(id, fromIndex, {
        onEntries: (entries) =>
          send(
            entries
              .map((entry) => {
                if (entry.type === 'RunStarted') generation = generationStarted(entry);
                return formatEntry(entry, generation);
              })
              .join(''),
          ),
        onEnded: (status) => {
          send(`event: end\ndata: ${JSON.stringify({ status })}\n\n`);
          if (streaming) close();
          else endedEarly = true;
        },
        onError: () => {
          send('event: error\ndata: {"detail":"the stream was interrupted; reconnect with Last-Event-ID to resume"}\n\n');
          if (streaming) close();
          else endedEarly = true;
        },
      });
      reply.hijack();
      raw.writeHead(200, {
        ...headers,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.on('close', close);
      streaming = true;
      write(`retry: 1000\n\n${early.join('')}`);
      if (endedEarly) {
        close();
        return;
      }
      heartbeat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs);
      heartbeat.unref();
    },
  );
}

/** One history entry as an SSE event; its id carries the generation from the second one on. Pure. */
function formatEntry(entry: HistoryEntry, generation: number): string {
  const id = generation > 1 ? `${generation}.${entry.index}` : String(entry.index);
  return `id: ${id}\nevent: entry\ndata: ${JSON.stringify(entry)}\n\n`;
}

/** `17` (generation 1) or `3.17`. Pure; the route's header schema has checked the form. */
function parseEventId(text: string): { generation: number; index: number } {
  const [first, second] = text.split('.');
  return second === undefined ? { generation: 1, index: Number(first) } : { generation: Number(first), index: Number(second) };
}

/** The generation a RunStarted entry begins (1 unless it records a continuation). Pure. */
function generationStarted(entry: HistoryEntry): number {
  const event = entry.event as { continued?: { generation?: number } } | undefined;
  return event?.continued?.generation ?? 1;
}

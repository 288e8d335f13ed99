/** The run routes of SPEC §12: start, list, describe, history, replay, result (long poll), signal, query, cancel, terminate, retry. */
import type { FastifyInstance } from 'fastify';
import { RunNotActiveError, WaitTimeoutError } from '../errors.js';
import type { Engine } from '../runtime/engine.js';
import type { RunStatus } from '../interpreter/types.js';
import { loadDefinition } from '../definition/load.js';
import type { RouteConfig, RouteContext } from './context.js';
import {
  accepted,
  controlBody,
  describeResponse,
  historyResponse,
  listQuery,
  migrateBody,
  migrateManyBody,
  migrationResponse,
  migrationsResponse,
  listResponse,
  problemResponses,
  replayBody,
  replayResponse,
  resultQuery,
  resultResponse,
  runIdParams,
  runIdResponse,
  signalBody,
  signalParams,
  startBody,
} from './schemas.js';

const read: RouteConfig = { role: 'viewer' };
const operate: RouteConfig = { role: 'operator', audit: true };

export function registerRunRoutes(app: FastifyInstance, { engine, maxWaitMs }: RouteContext): void {
  app.post(
    '/v1/runs',
    {
      config: operate,
      schema: {
        operationId: 'startRun',
        summary: 'Start a run',
        tags: ['runs'],
        body: startBody,
        response: { 201: { description: 'started', content: { 'application/json': { schema: runIdResponse } } }, ...problemResponses(404, 409, 413, 422) },
      },
    },
    async (request, reply) => {
      const body = request.body as { name: string; version?: number; id?: string; input?: unknown };
      const { runId } = await engine.start(body.name, {
        ...(body.version === undefined ? {} : { version: body.version }),
        ...(body.id === undefined ? {} : { id: body.id }),
        ...(body.input === undefined ? {} : { input: body.input }),
      });
      request.auditRunId = runId;
      return reply.code(201).header('location', `/v1/runs/${encodeURIComponent(runId)}`).send({ runId });
    },
  );

  app.get(
    '/v1/runs',
    { config: read, schema: { operationId: 'listRuns', summary: 'List runs, newest first', tags: ['runs'], querystring: listQuery, response: { 200: listResponse, ...problemResponses() } } },
    async (request) => {
      const query = request.query as { status?: RunStatus; name?: string; limit: number; cursor?: string; startedAfter?: string; startedBefore?: string; where?: string[] };
      const where = query.where ?? [];
      // The cursor is an offset into the newest-first list: runs started between two pages shift it.
      const offset = query.cursor === undefined ? 0 : Number(query.cursor);
      const rows = await engine.list({
        ...(query.status ? { status: query.status } : {}),
        ...(query.name ? { name: query.name } : {}),
        ...(query.startedAfter ? { startedAfter: Date.parse(query.startedAfter) } : {}),
        ...(query.startedBefore ? { startedBefore: Date.parse(query.startedBefore) } : {}),
        ...(where.length === 0 ? {} : { where }),
        limit: offset + query.limit + 1,
      });
      const runs = rows.slice(offset, offset + query.limit);
      return { runs, nextCursor: rows.length > offset + query.limit ? String(offset + query.limit) : null };
    },
  );

  app.get(
    '/v1/runs/:id',
    { config: read, schema: { operationId: 'describeRun', summary: 'Describe a run', tags: ['runs'], params: runIdParams, response: { 200: describeResponse, ...problemResponses(404) } } },
    async (request) => engine.describe((request.params as { id: string }).id),
  );

  app.post(
    '/v1/runs/:id/replay',
    {
      config: read,
      schema: {
        operationId: 'replayRun',
        summary: "Replay a run's history against the current code and its definition (or a given document); report the first non-deterministic decision",
        tags: ['runs'],
        params: runIdParams,
        body: replayBody,
        response: { 200: replayResponse, ...problemResponses(404, 422) },
      },
    },
    async (request) => {
      const body = request.body as { document?: string } | null;
      // A document that does not load is refused as DefinitionInvalid (422) with its issues.
      const definition = body?.document === undefined ? undefined : await loadDefinition(body.document, { file: 'document' });
      return engine.replay((request.params as { id: string }).id, definition ? { definition } : {});
    },
  );

  app.get(
    '/v1/runs/:id/history',
    { config: read, schema: { operationId: 'runHistory', summary: 'A run\'s history', tags: ['runs'], params: runIdParams, response: { 200: historyResponse, ...problemResponses(404) } } },
    async (request) => engine.history((request.params as { id: string }).id),
  );

  app.get(
    '/v1/runs/:id/result',
    {
      config: read,
      schema: {
        operationId: 'runResult',
        summary: 'A run\'s outcome; with wait=true, long-polls until it ends or timeoutMs passes (then answers its current state)',
        tags: ['runs'],
        params: runIdParams,
        querystring: resultQuery,
        response: { 200: resultResponse, ...problemResponses(404) },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const query = request.query as { wait: boolean; timeoutMs?: number };
      if (!query.wait) return engine.result(id);
      const timeoutMs = Math.min(query.timeoutMs ?? maxWaitMs, maxWaitMs);
      try {
        return await engine.result(id, { wait: true, timeoutMs });
      } catch (error) {
        // A long poll that ran out answers the current state: the client asks again.
        if (error instanceof WaitTimeoutError) return engine.result(id);
        throw error;
      }
    },
  );

  app.post(
    '/v1/runs/:id/signals/:name',
    {
      config: operate,
      schema: {
        operationId: 'signalRun',
        summary: 'Send a signal (a re-sent signalId is applied once)',
        tags: ['runs'],
        params: signalParams,
        body: signalBody,
        response: { 202: accepted, ...problemResponses(404, 409, 413, 422) },
      },
    },
    async (request, reply) => {
      const { id, name } = request.params as { id: string; name: string };
      const body = (request.body ?? {}) as { data?: unknown; signalId?: string };
      try {
        await engine.signal(id, name, body.data, body.signalId === undefined ? {} : { signalId: body.signalId });
      } catch (error) {
        // A client retrying a signal that was applied before the run ended gets the same answer.
        if (!(error instanceof RunNotActiveError) || body.signalId === undefined || !(await wasReceived(engine, id, body.signalId))) throw error;
      }
      return reply.code(202).send({ runId: id });
    },
  );

  app.get(
    '/v1/runs/:id/queries/:name',
    {
      config: read,
      schema: {
        operationId: 'queryRun',
        summary: 'Evaluate a declared query',
        tags: ['runs'],
        params: signalParams,
        response: { 200: { description: 'the query\'s value', content: { 'application/json': { schema: { type: 'object', required: ['value'], properties: { value: {} } } } } }, ...problemResponses(404) },
      },
    },
    async (request) => {
      const { id, name } = request.params as { id: string; name: string };
      return { value: (await engine.query(id, name)) ?? null };
    },
  );

  for (const operation of ['cancel', 'terminate', 'retry'] as const) {
    app.post(
      `/v1/runs/:id/${operation}`,
      {
        config: operate,
        schema: {
          operationId: `${operation}Run`,
          summary: { cancel: 'Cancel a run (compensations run)', terminate: 'Terminate a run at once', retry: 'Retry a failed run from the failed step' }[operation],
          tags: ['runs'],
          params: runIdParams,
          body: controlBody,
          response: { 202: accepted, ...problemResponses(404, 409) },
        },
      },
      async (request, reply) => {
        const { id } = request.params as { id: string };
        const reason = (request.body as { reason?: string } | null | undefined)?.reason;
        if (operation === 'retry') await engine.retry(id);
        else await engine[operation](id, reason);
        return reply.code(202).send({ runId: id });
      },
    );
  }
}

/** Moving runs to another version (docs/decisions/0015): one run, or every running run of a flow version. */
export function registerMigrationRoutes(app: FastifyInstance, { engine }: RouteContext): void {
  app.post(
    '/v1/runs/:id/migrate',
    {
      config: operate,
      schema: {
        operationId: 'migrateRun',
        summary: 'Move a running run to another version (dryRun: only the plan); 409 MigrationBlocked names each blocking step',
        tags: ['runs'],
        params: runIdParams,
        body: migrateBody,
        response: { 200: migrationResponse, ...problemResponses(404, 409) },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const body = request.body as { toVersion: number; dryRun: boolean };
      return engine.migrate(id, { toVersion: body.toVersion, dryRun: body.dryRun });
    },
  );

  app.post(
    '/v1/migrations',
    {
      config: operate,
      schema: {
        operationId: 'migrateRuns',
        summary: 'Move every running run of a flow version to another version, reporting each run\'s outcome',
        tags: ['runs'],
        body: migrateManyBody,
        response: { 200: migrationsResponse, ...problemResponses(404) },
      },
    },
    async (request) => {
      const body = request.body as { name: string; fromVersion: number; toVersion: number; dryRun: boolean; limit: number };
      return { reports: await engine.migrateMany(body) };
    },
  );
}

/** Whether the run's history holds a signal with this id (read only on the rare refused re-send). */
async function wasReceived(engine: Engine, runId: string, signalId: string): Promise<boolean> {
  const history = await engine.history(runId);
  return history.some((entry) => entry.type === 'SignalReceived' && (entry.event as { signalId?: string } | undefined)?.signalId === signalId);
}

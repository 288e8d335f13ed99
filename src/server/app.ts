/**
 * The HTTP API of SPEC §12 over the Engine port: a fastify instance with request validation by
 * JSON Schema, the OpenAPI 3.1 document from the same schemas, bearer-token roles, problem+json
 * refusals, security headers, request metrics and an audit line per state-changing call.
 * Side effects: none until `listen`; then it serves the engine it was given.
 */
import swagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Registry } from 'prom-client';
import { flowlineVersion } from '../version.js';
import { allows, bearerOf, TokenChecker } from './auth.js';
import { httpMetrics } from './http-metrics.js';
import { HttpProblemError, PROBLEM_CONTENT_TYPE, problemOf, type Problem } from './problems.js';
import { registerDefinitionRoutes } from './routes-definitions.js';
import { registerEventRoutes } from './routes-events.js';
import { registerOpsRoutes } from './routes-ops.js';
import { registerMigrationRoutes, registerRunRoutes } from './routes-runs.js';
import { registerStudioRoutes } from './routes-studio.js';
import { registerTryRoutes } from './routes-try.js';
import { SHARED_SCHEMAS } from './schemas.js';
import type { RouteConfig, RouteContext, ServerOptions } from './context.js';

export type { RouteConfig, RouteContext, ServerOptions, TryPort } from './context.js';

/** Default heartbeat interval of event streams (ms). */
export const DEFAULT_HEARTBEAT_MS = 15_000;
/** Longest `result?wait=true` the server holds a request (ms). */
export const DEFAULT_MAX_WAIT_MS = 60_000;
/** Room around a payload in a request body (JSON envelope, signal id, names). */
const ENVELOPE_BYTES = 64 * 1024;

/** Builds the server (not listening). Call `app.listen({ port, host })`, then `app.close()`. */
export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  const registry = options.registry ?? new Registry();
  const checker = options.tokens && options.tokens.length > 0 ? new TokenChecker(options.tokens) : undefined;
  const app = Fastify({
    logger: false,
    bodyLimit: options.payloadLimitBytes + ENVELOPE_BYTES,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    connectionTimeout: 0,
    return503OnClosing: true,
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false } },
  });
  // Responses are documented by schema but written with JSON.stringify: no field of a run (its
  // output, vars) is ever dropped or coerced by a response serializer.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.decorateRequest('caller', 'anonymous');
  app.decorateRequest('callerRole', 'author');
  app.decorateRequest('auditRunId', undefined);
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);

  const headers: Record<string, string> = {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'same-origin',
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'cache-control': 'no-store',
    ...(options.corsOrigin
      ? { 'access-control-allow-origin': options.corsOrigin, vary: 'Origin', 'access-control-allow-headers': 'authorization, content-type, last-event-id', 'access-control-allow-methods': 'GET, POST, OPTIONS' }
      : {}),
  };

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Flowline HTTP API', version: flowlineVersion, description: 'SPEC §12: the engine behind HTTP.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });

  const record = httpMetrics(registry);
  const started = new WeakMap<FastifyRequest, bigint>();

  app.addHook('onRequest', async (request, reply) => {
    started.set(request, process.hrtime.bigint());
    reply.headers(headers);
    const config = request.routeOptions.config as Partial<RouteConfig>;
    const needed = config.role ?? 'public';
    if (needed === 'public' || !checker) return;
    const presented = bearerOf(request.headers.authorization);
    const token = presented === undefined ? undefined : checker.find(presented);
    if (!token) {
      reply.header('www-authenticate', 'Bearer');
      throw new HttpProblemError('Unauthorized', 'this API needs a bearer token: send `Authorization: Bearer <token>` with a token the server was started with');
    }
    request.caller = token.name;
    request.callerRole = token.role;
    if (!allows(token.role, needed)) {
      throw new HttpProblemError('Forbidden', `the token of "${token.name}" has role ${token.role}; this call needs ${needed} (or above)`);
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const begun = started.get(request) ?? process.hrtime.bigint();
    record(route, request.method, reply.statusCode, Number(process.hrtime.bigint() - begun) / 1e9);
    const config = request.routeOptions.config as Partial<RouteConfig>;
    if (config.audit && options.logger) {
      const runId = (request.params as { id?: string } | undefined)?.id ?? request.auditRunId;
      options.logger.info(
        { audit: true, who: request.caller, method: request.method, route, status: reply.statusCode, ...(runId ? { runId } : {}) },
        'flowline: api call',
      );
    }
  });

  app.setErrorHandler((error: FastifyError, request, reply) => sendProblem(reply, problemFor(error, request)));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problemOf(new HttpProblemError('RouteNotFound', `no route ${request.method} ${request.url.split('?')[0]}; the routes are listed at GET /v1/openapi.json`), request.url)),
  );

  const context: RouteContext = {
    engine: options.engine,
    options,
    heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    maxWaitMs: options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
    record,
    registry,
    headers,
  };
  await app.register(async (scope) => registerDefinitionRoutes(scope, context));
  registerRunRoutes(app, context);
  registerMigrationRoutes(app, context);
  registerEventRoutes(app, context);
  registerOpsRoutes(app, context);
  registerStudioRoutes(app, context);
  registerTryRoutes(app, context);
  if (options.corsOrigin) {
    app.options('/*', { config: { role: 'public' } satisfies RouteConfig, schema: { hide: true } }, async (_request, reply) => reply.code(204).send());
  }
  return app;
}

/** The problem for an error thrown anywhere in a request (validation, body parsing, engine). */
function problemFor(error: FastifyError, request: FastifyRequest): Problem {
  const instance = request.url.split('?')[0];
  if (error.validation) {
    const where = error.validationContext ?? 'body';
    const issues = error.validation.map((v) => ({
      pointer: `/${where}${v.instancePath}${v.keyword === 'required' ? `/${String((v.params as { missingProperty?: string }).missingProperty ?? '')}` : ''}`,
      message: v.message ?? 'is not valid',
    }));
    return problemOf(new HttpProblemError('RequestInvalid', `the request's ${where} does not match the API schema: ${issues.map((i) => `${i.pointer} ${i.message}`).join('; ')}`, issues), instance);
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problemOf(new HttpProblemError('PayloadTooLarge', 'the request body is above the server\'s limit (the engine\'s payload limit plus a small envelope); store large data elsewhere and pass a reference'), instance);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problemOf(new HttpProblemError('UnsupportedMediaType', `content type "${request.headers['content-type'] ?? ''}" is not accepted here: send application/json (documents: application/yaml, application/json or text/plain)`), instance);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return problemOf(new HttpProblemError('BadRequest', 'the request body is not valid JSON'), instance);
    default:
      break;
  }
  if (error instanceof SyntaxError || error.statusCode === 400) {
    return problemOf(new HttpProblemError('BadRequest', 'the request body could not be read as JSON'), instance);
  }
  return problemOf(error, instance);
}

/** Sends a problem document with its status. */
export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

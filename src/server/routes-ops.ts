/** `/healthz`, `/readyz`, `/metrics` and `GET /v1/openapi.json` on the API's own port. */
import type { FastifyInstance } from 'fastify';
import type { RouteConfig, RouteContext } from './context.js';

const open: RouteConfig = { role: 'public' };

export function registerOpsRoutes(app: FastifyInstance, { registry, options }: RouteContext): void {
  app.get('/healthz', { config: open, schema: { hide: true } }, async (_request, reply) => reply.type('text/plain; charset=utf-8').send('ok\n'));

  app.get('/readyz', { config: open, schema: { hide: true } }, async (_request, reply) => {
    try {
      await options.ready?.();
      return reply.type('text/plain; charset=utf-8').send('ready\n');
    } catch (error) {
      return reply.code(503).type('text/plain; charset=utf-8').send(`not ready: ${(error as Error).message}\n`);
    }
  });

  app.get('/metrics', { config: { role: 'viewer' } satisfies RouteConfig, schema: { hide: true } }, async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );

  app.get(
    '/v1/openapi.json',
    { config: open, schema: { operationId: 'openapi', summary: 'This API as an OpenAPI 3.1 document', tags: ['meta'], security: [] } },
    async () => app.swagger(),
  );
}

/**
 * The studio's "Try it" (SPEC §13): `POST /v1/try` runs a flow document that is not deployed on a
 * private engine (timers skipped, activities mocked or their registered handler) and answers its
 * outcome, history and step states; `POST /v1/try/tests` runs its flow tests. Neither touches the
 * server's runs: the only thing read from the engine is the deployed child flows the document uses.
 */
import type { FastifyInstance } from 'fastify';
import { activityNames, childWorkflowNames } from '../definition/definition-walk.js';
import { loadDefinition } from '../definition/load.js';
import { MAX_SOURCE_BYTES } from '../definition/parse.js';
import type { WorkflowDefinition } from '../definition/types.js';
import type { Engine } from '../runtime/engine.js';
import type { RouteConfig, RouteContext, TryPort } from './context.js';
import { graphView } from './graph-view.js';
import { HttpProblemError } from './problems.js';
import { problemResponses, tryBody, tryInfoResponse, tryPlanResponse, tryResponse, tryTestsBody, tryTestsResponse } from './schemas.js';

const author: RouteConfig = { role: 'author' };

export function registerTryRoutes(app: FastifyInstance, context: RouteContext): void {
  const trier = (): TryPort => {
    if (!context.options.trier) throw new HttpProblemError('NotImplemented', 'this server was started without try runs (flowline serve provides them)');
    return context.options.trier;
  };
  // The document, the input and the mocks each may be as large as the server allows.
  const bodyLimit = MAX_SOURCE_BYTES + 2 * context.options.payloadLimitBytes;

  app.get(
    '/v1/try',
    { config: author, schema: { operationId: 'tryInfo', summary: 'What a try can use here: registered activities, test files of the served folder', tags: ['try'], response: { 200: tryInfoResponse, ...problemResponses(501) } } },
    async () => ({ registeredActivities: trier().registeredActivities, testsFromFolder: trier().hasFlowsDir }),
  );

  app.post(
    '/v1/try',
    {
      config: author,
      bodyLimit,
      schema: {
        operationId: 'tryFlow',
        summary: 'Run a flow document that is not deployed, on a private engine: timers skipped, activities mocked or registered',
        tags: ['try'],
        body: tryBody,
        response: { 200: tryResponse, ...problemResponses(413, 422, 429, 501) },
      },
    },
    async (request) => {
      const body = request.body as { document: string; input?: unknown; activities?: Record<string, { mock: unknown } | { registered: true }>; signals?: { name: string; data?: unknown }[]; timeoutMs?: number };
      const port = trier();
      const flow = loadDefinition(body.document);
      return port.run({
        flow,
        children: await deployedChildren(context.engine, flow),
        ...(body.input === undefined ? {} : { input: body.input }),
        ...(body.activities === undefined ? {} : { activities: body.activities }),
        ...(body.signals === undefined ? {} : { signals: body.signals }),
        ...(body.timeoutMs === undefined ? {} : { timeoutMs: body.timeoutMs }),
      });
    },
  );

  app.post(
    '/v1/try/plan',
    {
      config: author,
      bodyLimit: MAX_SOURCE_BYTES + 64 * 1024,
      schema: {
        operationId: 'tryPlan',
        summary: 'What a try of a flow document needs: its input schema, the activities it (and its child flows) call, its signals, its graph',
        tags: ['try'],
        body: tryTestsBody,
        response: { 200: tryPlanResponse, ...problemResponses(413, 422) },
      },
    },
    async (request) => {
      const { document } = request.body as { document: string };
      const flow = loadDefinition(document);
      const children = await deployedChildren(context.engine, flow);
      const activities = new Set<string>();
      for (const definition of [flow, ...children]) for (const name of activityNames(definition.steps)) activities.add(name);
      const registered = new Set(context.options.trier?.registeredActivities ?? []);
      return {
        name: flow.name,
        version: flow.version,
        input: flow.inputSchema ?? null,
        activities: [...activities].map((name) => ({ name, registered: registered.has(name) })),
        signals: Object.entries(flow.signals).map(([name, declared]) => ({ name, schema: declared.schema ?? null })),
        graph: graphView(flow, document),
      };
    },
  );

  app.post(
    '/v1/try/tests',
    {
      config: author,
      bodyLimit: 2 * MAX_SOURCE_BYTES,
      schema: {
        operationId: 'tryTests',
        summary: 'Run a flow document\'s flow tests (given, or the served folder\'s *.test.yaml of this flow) against the document',
        tags: ['try'],
        body: tryTestsBody,
        response: { 200: tryTestsResponse, ...problemResponses(413, 422, 429, 501) },
      },
    },
    async (request) => {
      const body = request.body as { document: string; tests?: string };
      const port = trier();
      const flow = loadDefinition(body.document);
      return port.runTests({ flow, children: await deployedChildren(context.engine, flow), ...(body.tests === undefined ? {} : { tests: body.tests }) });
    },
  );
}

/**
 * The latest deployed version of every flow the document starts as a child (and theirs), read from
 * the server's engine; a child that is not deployed is left out, and the run fails there with the
 * engine's own message, as it would once deployed.
 */
async function deployedChildren(engine: Engine, flow: WorkflowDefinition): Promise<WorkflowDefinition[]> {
  const wanted = [...childWorkflowNames(flow.steps)];
  if (wanted.length === 0 || !engine.listDefinitions || !engine.readDefinition) return [];
  const latest = new Map((await engine.listDefinitions()).map((d) => [d.name, d.latest]));
  const found: WorkflowDefinition[] = [];
  const seen = new Set<string>([flow.name]);
  while (wanted.length > 0) {
    const name = wanted.shift() as string;
    const version = latest.get(name);
    if (seen.has(name) || version === undefined) continue;
    seen.add(name);
    const { definition } = await engine.readDefinition(name, version);
    found.push(definition);
    wanted.push(...childWorkflowNames(definition.steps));
  }
  return found;
}

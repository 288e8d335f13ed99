/** `POST /v1/validate`, `POST /v1/definitions`, `GET /v1/definitions[/{name}/{version}]` (SPEC §12). */
import type { FastifyInstance } from 'fastify';
import { loadDefinition, validateDefinition } from '../definition/load.js';
import { MAX_SOURCE_BYTES } from '../definition/parse.js';
import type { RouteConfig, RouteContext } from './context.js';
import { graphView } from './graph-view.js';
import { HttpProblemError } from './problems.js';
import { definitionListResponse, definitionVersionParams, definitionResponse, deployResponse, documentBody, problemResponses, validateResponse } from './schemas.js';

/** Content types a document may be sent as; its text is kept as is (line and column numbers refer to it). */
const DOCUMENT_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'application/json', 'text/plain'];

/**
 * Registers the definition routes in their own scope, where every document content type is read
 * as text (the loader needs the text itself for line and column numbers).
 */
export function registerDefinitionRoutes(app: FastifyInstance, context: RouteContext): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(DOCUMENT_TYPES, { parseAs: 'string', bodyLimit: MAX_SOURCE_BYTES }, (_request, body, done) => done(null, body));
  const consumes = DOCUMENT_TYPES;

  app.post(
    '/v1/validate',
    {
      config: { role: 'author' } satisfies RouteConfig,
      bodyLimit: MAX_SOURCE_BYTES,
      schema: {
        operationId: 'validate',
        summary: 'Validate a document (with graph=true, also its graph when valid)',
        tags: ['definitions'],
        consumes,
        querystring: { type: 'object', properties: { graph: { type: 'boolean', description: 'add the graph of a valid document (the studio draws it)' } } },
        body: documentBody,
        response: { 200: validateResponse, ...problemResponses(413, 415) },
      },
    },
    async (request) => {
      const text = request.body as string;
      const { definition, issues } = validateDefinition(text);
      const withGraph = (request.query as { graph?: boolean }).graph === true && definition !== undefined;
      return {
        ...(withGraph ? { graph: graphView(definition, text) } : {}),
        valid: issues.length === 0,
        issues: issues.map((issue) => ({
          pointer: issue.pointer,
          message: issue.message,
          ...(issue.line === undefined ? {} : { line: issue.line }),
          ...(issue.column === undefined ? {} : { column: issue.column }),
          ...(issue.hint === undefined ? {} : { hint: issue.hint }),
        })),
      };
    },
  );

  app.post(
    '/v1/definitions',
    {
      config: { role: 'author', audit: true } satisfies RouteConfig,
      bodyLimit: MAX_SOURCE_BYTES,
      schema: {
        operationId: 'deploy',
        summary: 'Deploy a definition (immutable by name + version)',
        tags: ['definitions'],
        consumes,
        body: documentBody,
        response: {
          201: { description: 'deployed', content: { 'application/json': { schema: deployResponse } } },
          200: { description: 'the same content was already deployed', content: { 'application/json': { schema: deployResponse } } },
          ...problemResponses(409, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const text = request.body as string;
      const definition = loadDefinition(text);
      const result = await context.engine.deploy(definition, { source: text });
      return reply.code(result.created ? 201 : 200).send(result);
    },
  );

  app.get(
    '/v1/definitions',
    {
      config: { role: 'viewer' } satisfies RouteConfig,
      schema: { operationId: 'listDefinitions', summary: 'List deployed definitions', tags: ['definitions'], response: { 200: definitionListResponse, ...problemResponses(501) } },
    },
    async () => {
      if (!context.engine.listDefinitions) throw notImplemented('listing definitions');
      return { definitions: await context.engine.listDefinitions() };
    },
  );

  app.get(
    '/v1/definitions/:name/:version',
    {
      config: { role: 'viewer' } satisfies RouteConfig,
      schema: {
        operationId: 'readDefinition',
        summary: 'Read one deployed version (the text as deployed)',
        tags: ['definitions'],
        params: definitionVersionParams,
        response: { 200: definitionResponse, ...problemResponses(404, 501) },
      },
    },
    async (request) => {
      const { name, version } = request.params as { name: string; version: number };
      if (!context.engine.readDefinition) throw notImplemented('reading definitions');
      const { definition, source } = await context.engine.readDefinition(name, version);
      return { name: definition.name, version: definition.version, digest: definition.digest, source, definition };
    },
  );
}

function notImplemented(what: string): HttpProblemError {
  return new HttpProblemError('NotImplemented', `this engine does not support ${what}`);
}

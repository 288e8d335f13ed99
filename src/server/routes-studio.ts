/**
 * What the studio (issue 14, SPEC §13) needs beyond the API of §12: its static files at `/`,
 * who the caller is (to hide what the role cannot do), and a deployed version's graph.
 * The files are read once, when the server is built, and only when `studioDir` is given:
 * nothing of the studio is loaded by the other verbs of the CLI.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RouteConfig, RouteContext } from './context.js';
import { graphView } from './graph-view.js';
import { HttpProblemError } from './problems.js';
import { definitionVersionParams, problemResponses } from './schemas.js';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/**
 * The studio page may load its own scripts and styles and call its own server, nothing else.
 * `style-src 'unsafe-inline'`: CodeMirror writes its theme as style elements and style attributes.
 */
const STUDIO_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

interface StaticFile {
  readonly body: Buffer;
  readonly type: string;
}

/** Reads every file under `dir` (the built studio, a few hundred KB) into memory. Reads the file system. */
function readStudio(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (at: string): void => {
    for (const entry of readdirSync(at)) {
      const path = join(at, entry);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(`/${relative(dir, path).split(sep).join('/')}`, { body: readFileSync(path), type: CONTENT_TYPES[extname(path)] ?? 'application/octet-stream' });
    }
  };
  walk(dir);
  return files;
}

export function registerStudioRoutes(app: FastifyInstance, context: RouteContext): void {
  app.get(
    '/v1/whoami',
    {
      config: { role: 'viewer' } satisfies RouteConfig,
      schema: {
        operationId: 'whoami',
        summary: 'The caller: its token name and role (the studio hides what the role cannot do)',
        tags: ['meta'],
        response: { 200: { type: 'object', required: ['name', 'role'], properties: { name: { type: 'string' }, role: { type: 'string', enum: ['viewer', 'operator', 'author'] } } } },
      },
    },
    async (request) => ({ name: request.caller, role: request.callerRole }),
  );

  app.get(
    '/v1/definitions/:name/:version/graph',
    {
      config: { role: 'viewer' } satisfies RouteConfig,
      schema: {
        operationId: 'definitionGraph',
        summary: 'The graph of one deployed version: nodes (with the step path and lines), edges, boxes',
        tags: ['definitions'],
        params: definitionVersionParams,
        response: { 200: { type: 'object', additionalProperties: true }, ...problemResponses(404, 501) },
      },
    },
    async (request) => {
      const { name, version } = request.params as { name: string; version: number };
      if (!context.engine.readDefinition) throw new HttpProblemError('NotImplemented', 'this engine does not support reading definitions');
      const { definition, source } = await context.engine.readDefinition(name, version);
      return graphView(definition, source);
    },
  );

  const dir = context.options.studioDir;
  if (dir === undefined) return;
  const files = readStudio(dir);
  const send = (reply: FastifyReply, path: string, immutable: boolean): FastifyReply => {
    const file = files.get(path);
    if (!file) throw new HttpProblemError('RouteNotFound', `the studio has no file ${path}`);
    reply.header('content-security-policy', STUDIO_CSP);
    if (immutable) reply.header('cache-control', 'public, max-age=31536000, immutable');
    return reply.type(file.type).send(file.body);
  };
  const publicRoute: RouteConfig = { role: 'public' };
  const open = { config: publicRoute, schema: { hide: true } };
  app.get('/', open, async (_request, reply) => send(reply, '/index.html', false));
  app.get('/favicon.ico', open, async (_request, reply) => reply.code(204).send());
  // Built file names carry a content hash, so they may be cached for good.
  app.get('/assets/:file', open, async (request, reply) => send(reply, `/assets/${(request.params as { file: string }).file}`, true));
}

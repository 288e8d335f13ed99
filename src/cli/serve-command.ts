/** What `flowline serve` does once its options are parsed: loaded on use, so other verbs never load fastify, prom-client or the server. */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { loadActivityModules } from '../activities/module.js';
import { FlowTrier } from '../flowtest/try-run.js';
import { validateDefinition } from '../definition/load.js';
import type { Engine } from '../runtime/engine.js';
import { createEmbeddedEngine } from '../runtime/memory/index.js';
import { createLogger } from '../observability/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { createRunObserver } from '../observability/run-observer.js';
import { parseTokens, type ApiToken } from '../server/auth.js';
import { createServer } from '../server/app.js';
import { isLoopback } from './dashboard.js';
import { CliExit, EXIT_INVALID, EXIT_OK, describeError } from './output.js';
import { collect, parsePositiveInt, resolveRedisTimeout, resolveTarget, withEngine, type RedisCliOptions } from './redis/common.js';


/** Options of `flowline serve` (see serve.ts). */
export interface ServeCliOptions extends RedisCliOptions {
  port: string;
  host: string;
  embedded?: string;
  activities: string[];
  tokens?: string;
  cors?: string;
  heartbeat?: string;
}

const FLOW_FILE = /\.(ya?ml|json)$/i;
const FLOW_TEST_FILE = /\.test\.(ya?ml|json)$/i;

/** Runs the server until SIGINT/SIGTERM; resolves to the exit code. */
export async function serveCommand(options: ServeCliOptions): Promise<number> {
  const port = parsePort(options.port);
  const heartbeatMs = parsePositiveInt(options.heartbeat, '--heartbeat') ?? 15_000;
  const tokens = await readTokens(options.tokens);
  if (tokens.length === 0 && !isLoopback(options.host)) {
    throw new CliExit(
      EXIT_INVALID,
      `refusing to serve on ${options.host} without tokens: anyone who can reach it could start and stop runs. Give --tokens FILE (or FLOWLINE_TOKENS), or bind to 127.0.0.1`,
    );
  }
  if ((options.embedded === undefined) === (options.redis === undefined && process.env.FLOWLINE_REDIS_URL === undefined)) {
    throw new CliExit(EXIT_INVALID, 'give exactly one of --redis URL (or FLOWLINE_REDIS_URL) and --embedded DIR');
  }
  const logger = createLogger();
  const metrics = createMetrics({ defaultMetrics: true });
  const serve = async (engine: Engine, payloadLimitBytes: number, trier: FlowTrier, ready?: () => Promise<void>): Promise<number> => {
    const studioDir = findStudio();
    const app = await createServer({ engine, tokens, payloadLimitBytes, logger, trier, registry: metrics.registry, heartbeatMs, ...(studioDir ? { studioDir } : {}), ...(options.cors ? { corsOrigin: options.cors } : {}), ...(ready ? { ready } : {}) });
    try {
      await app.listen({ port, host: options.host });
    } catch (error) {
      throw new CliExit(EXIT_INVALID, `cannot listen on ${options.host}:${port}: ${describeError(error)}`);
    }
    const address = app.server.address();
    const where = typeof address === 'object' && address ? `${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}` : `${options.host}:${port}`;
    process.stderr.write(
      `flowline serve: listening on http://${where} (${options.embedded ? `embedded, flows from ${options.embedded}` : 'Redis'}); ` +
        (studioDir ? 'the studio is at / ; ' : 'the studio is not built (npm run build), only the API is served; ') +
        (tokens.length ? `${tokens.length} token${tokens.length === 1 ? '' : 's'} configured\n` : 'no tokens: every caller is an author, so it is bound to loopback only\n'),
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await app.close();
    return EXIT_OK;
  };

  if (options.embedded !== undefined) {
    const source = await loadActivityModules(options.activities);
    const activities = source.fresh();
    const engine = createEmbeddedEngine({ activities, observer: createRunObserver({ metrics, logger }) });
    await deployDirectory(engine, options.embedded);
    try {
      // Try runs (the studio's "Try it") may choose these handlers and read the folder's flow tests.
      return await serve(engine, engine.limits.payloadBytes, new FlowTrier({ source, payloadBytes: engine.limits.payloadBytes, flowsDir: options.embedded }));
    } finally {
      await engine.close();
    }
  }
  if (options.activities.length) throw new CliExit(EXIT_INVALID, '--activities runs activities in-process with --embedded; on Redis run `flowline worker --activities …`');
  resolveTarget(options);
  resolveRedisTimeout(options);
  // On Redis the handlers run in workers: a try mocks every activity.
  return withEngine(options, (engine) => serve(engine, engine.runtime.limits.payloadBytes, new FlowTrier({ payloadBytes: engine.runtime.limits.payloadBytes }), async () => void (await engine.runtime.client.ping())));
}

/** Deploys every workflow document of `dir` (flow tests and other files skipped; a broken flow stops start-up with its problems). */
async function deployDirectory(engine: Engine, dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = (await readdir(dir)).sort();
  } catch (error) {
    throw new CliExit(EXIT_INVALID, `--embedded ${dir}: ${(error as Error).message}`);
  }
  let deployed = 0;
  for (const entry of entries) {
    if (!FLOW_FILE.test(entry) || FLOW_TEST_FILE.test(entry) || entry.startsWith('.')) continue;
    const file = join(dir, entry);
    const text = await readFile(file, 'utf8');
    // Only documents that say they are workflows count: other YAML/JSON beside them is skipped.
    if (!/^\s*["']?dsl["']?\s*:\s*["']?flowline\//m.test(text) && !/"dsl"\s*:\s*"flowline\//.test(text)) continue;
    const { definition, issues } = validateDefinition(text, { file });
    if (!definition) {
      throw new CliExit(EXIT_INVALID, issues.map((i) => `${file}:${i.line ?? 0}:${i.column ?? 0}  ${i.message}${i.hint ? `  (${i.hint})` : ''}`).join('\n'));
    }
    await engine.deploy(definition, { source: text });
    deployed++;
  }
  if (deployed === 0) process.stderr.write(`flowline serve: no workflow document in ${dir}; deploy some with POST /v1/definitions\n`);
}

/** The built studio: dist/studio beside dist/cli, or the checkout's dist/studio when run from src/ with tsx. */
export function findStudio(): string | undefined {
  for (const candidate of ['../studio/', '../../dist/studio/']) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return undefined;
}

async function readTokens(file: string | undefined): Promise<ApiToken[]> {
  try {
    if (file !== undefined) return parseTokens(await readFile(file, 'utf8'), file);
    const fromEnv = process.env.FLOWLINE_TOKENS;
    return fromEnv ? parseTokens(fromEnv, 'FLOWLINE_TOKENS') : [];
  } catch (error) {
    throw new CliExit(EXIT_INVALID, describeError(error));
  }
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new CliExit(EXIT_INVALID, `--port ${value}: not a port number (0-65535)`);
  return port;
}

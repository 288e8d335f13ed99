/**
 * `flowline serve`: the HTTP API (SPEC §12) over Redis (`--redis URL`) or over the embedded
 * runtime with every flow of a folder deployed and activities run in-process (`--embedded DIR`).
 * The options live here; the work is in serve-command.ts, the only place that wires a concrete
 * runtime to src/server, loaded when the verb runs.
 */
import type { Command } from 'commander';
import { collect } from './redis/common.js';
import type { ServeCliOptions } from './serve-command.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the HTTP API (SPEC §12) over Redis or over the embedded runtime')
    .option('--port <n>', 'port to listen on', '8080')
    .option('--host <host>', 'address to bind; beyond loopback only with --tokens or FLOWLINE_TOKENS', '127.0.0.1')
    .option('--redis <url>', 'serve the runs of this Redis (default: $FLOWLINE_REDIS_URL); run `flowline worker` beside it')
    .option('--prefix <prefix>', 'key prefix of the Flowline deployment on Redis (default: $FLOWLINE_PREFIX or flowline)')
    .option('--redis-timeout <ms>', 'give up on a Redis command after this many ms (default: $FLOWLINE_REDIS_TIMEOUT or 10000)')
    .option('--embedded <dir>', 'serve the embedded runtime with every flow in DIR deployed (local work, no Redis)')
    .option('--activities <module>', 'activity module run in-process with --embedded (repeatable)', collect, [])
    .option('--tokens <file>', 'bearer tokens: JSON [{token, role, name}] or lines `token role name` (roles: viewer, operator, author); or $FLOWLINE_TOKENS')
    .option('--cors <origin>', 'allow this browser origin (default: no CORS)')
    .option('--heartbeat <ms>', 'event-stream heartbeat interval', '15000')
    .addHelpText(
      'after',
      `
Examples:
  flowline serve --embedded workflows --activities ./activities.ts
  FLOWLINE_TOKENS="$(cat tokens.txt)" flowline serve --redis redis://localhost:6379 --host 0.0.0.0
The routes are listed at GET /v1/openapi.json; see docs/reference/http.md.`,
    )
    .action(async (options: ServeCliOptions) => {
      // Loaded on use: the server, fastify and the metrics are most of this verb's start-up time.
      const { serveCommand } = await import('./serve-command.js');
      process.exitCode = await serveCommand(options);
    });
}


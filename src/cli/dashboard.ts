/** `flowline dashboard`: serves bull-board for Flowline's BullMQ queues, on localhost or behind basic auth. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import type { NextFunction, Request, Response } from 'express';
import { DEFAULT_PREFIX, DEFAULT_REDIS_URL } from '../runtime/redis/defaults.js';
import type { QueueBoard } from '../dashboard/queue-board.js';
import { CliExit, EXIT_INVALID, EXIT_OK, describeError } from './output.js';

/** Credentials for HTTP basic auth. */
export interface BasicAuth {
  readonly user: string;
  readonly password: string;
}

/** Options of {@link startDashboard}. */
export interface DashboardOptions {
  readonly port: number;
  readonly host: string;
  readonly redisUrl: string;
  readonly prefix: string;
  /** Required when `host` is not a loopback address; enforced whenever given. */
  readonly auth?: BasicAuth;
  /** Hide the job action buttons (default true). */
  readonly readOnly?: boolean;
  readonly refreshIntervalMs?: number;
}

/** A running dashboard. */
export interface Dashboard {
  /** Where a browser on this machine opens it. */
  readonly url: string;
  /** The address the server really listens on, e.g. `0.0.0.0:3000` (every interface) or `127.0.0.1:3000`. */
  readonly listening: string;
  readonly board: QueueBoard;
  close(): Promise<void>;
}

/** True for 127.0.0.0/8, ::1 and `localhost`. Pure. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/** Express middleware answering 401 unless the request carries these credentials (compared in constant time). */
export function basicAuth(auth: BasicAuth): (req: Request, res: Response, next: NextFunction) => void {
  const expected = digest(`${auth.user}:${auth.password}`);
  return (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
    const given = match ? Buffer.from(match[1], 'base64').toString('utf8') : '';
    if (match && timingSafeEqual(digest(given), expected)) return next();
    res.setHeader('WWW-Authenticate', 'Basic realm="flowline dashboard", charset="UTF-8"');
    res.status(401).type('text/plain').send('authentication required\n');
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Starts the dashboard. Throws CliExit when bound beyond loopback without credentials.
 * Side effects: a Redis connection, an HTTP server.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  if (options.auth && (options.auth.user === '' || options.auth.password === '')) {
    throw new CliExit(
      EXIT_INVALID,
      `the dashboard's basic auth needs a user and a password: FLOWLINE_DASHBOARD_${options.auth.user === '' ? 'USER' : 'PASSWORD'} is empty`,
    );
  }
  if (!isLoopback(options.host) && !options.auth) {
    throw new CliExit(
      EXIT_INVALID,
      `the dashboard shows job payloads: binding it to ${options.host} needs basic auth — set FLOWLINE_DASHBOARD_USER and FLOWLINE_DASHBOARD_PASSWORD (or bind to 127.0.0.1)`,
    );
  }
  // Loaded on demand so that other verbs do not pay for express and bull-board at start-up.
  const [{ ExpressAdapter }, { default: express }, { mountQueueBoard }] = await Promise.all([
    import('@bull-board/express'),
    import('express'),
    import('../dashboard/queue-board.js'),
  ]);
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath('/');
  const board = await mountQueueBoard(serverAdapter, {
    connection: options.redisUrl,
    prefix: options.prefix,
    readOnly: options.readOnly ?? true,
    ...(options.refreshIntervalMs === undefined ? {} : { refreshIntervalMs: options.refreshIntervalMs }),
  });
  const app = express();
  app.disable('x-powered-by');
  if (options.auth) app.use(basicAuth(options.auth));
  app.use('/', serverAdapter.getRouter());
  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const listening = app.listen(options.port, options.host, (error?: Error) => (error ? reject(error) : resolve(listening)));
      listening.once('error', reject);
    });
  } catch (error) {
    await board.close();
    throw error;
  }
  const bound = server.address() as AddressInfo;
  const bracket = (address: string): string => (address.includes(':') ? `[${address}]` : address);
  const everywhere = bound.address === '0.0.0.0' || bound.address === '::';
  return {
    url: `http://${everywhere ? '127.0.0.1' : bracket(bound.address)}:${bound.port}/`,
    listening: `${bracket(bound.address)}:${bound.port}`,
    board,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await board.close();
    },
  };
}

interface DashboardCliOptions {
  port: string;
  host: string;
  redis?: string;
  prefix?: string;
  allowActions?: boolean;
}

export function registerDashboard(program: Command): void {
  program
    .command('dashboard')
    .description("serve a web dashboard (bull-board) of Flowline's BullMQ queues")
    .option('--port <n>', 'HTTP port', '3000')
    .option('--host <host>', 'address to bind; anything but localhost requires basic auth', '127.0.0.1')
    .option('--redis <url>', `Redis URL (default: $FLOWLINE_REDIS_URL or ${DEFAULT_REDIS_URL})`)
    .option('--prefix <prefix>', `key prefix of this Flowline deployment (default: $FLOWLINE_PREFIX or ${DEFAULT_PREFIX})`)
    .option('--allow-actions', 'show the retry/remove/promote job buttons (default: read-only)')
    .addHelpText(
      'after',
      `
Basic auth: set FLOWLINE_DASHBOARD_USER and FLOWLINE_DASHBOARD_PASSWORD. Required when --host is not
a loopback address; enforced whenever set.

Example:
  flowline dashboard --port 3000 --redis redis://127.0.0.1:6379`,
    )
    .action(async (options: DashboardCliOptions) => {
      if (!/^\d{1,5}$/.test(options.port) || Number(options.port) > 65_535) {
        throw new CliExit(EXIT_INVALID, `--port must be a port number, not "${options.port}"`);
      }
      const user = process.env.FLOWLINE_DASHBOARD_USER;
      const password = process.env.FLOWLINE_DASHBOARD_PASSWORD;
      if ((user === undefined) !== (password === undefined)) {
        throw new CliExit(EXIT_INVALID, 'set both FLOWLINE_DASHBOARD_USER and FLOWLINE_DASHBOARD_PASSWORD, or neither');
      }
      let dashboard: Dashboard;
      try {
        dashboard = await startDashboard({
          port: Number(options.port),
          host: options.host,
          redisUrl: options.redis ?? process.env.FLOWLINE_REDIS_URL ?? DEFAULT_REDIS_URL,
          prefix: options.prefix ?? process.env.FLOWLINE_PREFIX ?? DEFAULT_PREFIX,
          readOnly: !options.allowActions,
          ...(user !== undefined && password !== undefined ? { auth: { user, password } } : {}),
        });
      } catch (error) {
        if (error instanceof CliExit) throw error;
        throw new CliExit(EXIT_INVALID, `cannot start the dashboard: ${describeError(error)}`);
      }
      const where = dashboard.url.includes(dashboard.listening) ? dashboard.url : `${dashboard.url} (listening on ${dashboard.listening}: every interface of this machine)`;
      process.stderr.write(`flowline dashboard on ${where} (queues: ${dashboard.board.queues().join(', ') || 'none yet'})\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => void dashboard.close().then(resolve, resolve);
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      process.exitCode = EXIT_OK;
    });
}

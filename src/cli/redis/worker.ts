/** `flowline worker`: serves interpreter and activity work from Redis until SIGTERM/SIGINT, then stops gracefully. */
import type { Command } from 'commander';
import { parseDuration } from '../../definition/duration.js';
import { loadActivities } from '../../activities/module.js';
import { CliExit, EXIT_INVALID, EXIT_OK, describeError } from '../output.js';
import { RedisUnavailableError } from '../../errors.js';
import { addRateLimitFlag, type RateLimitOption } from '../../runtime/common/rate-limits.js';
import { collect, parsePositiveInt, redactUrl, resolveTarget, withRedisOptions, type RedisCliOptions } from './common.js';

interface WorkerCliOptions extends RedisCliOptions {
  activities: string[];
  concurrency?: string;
  taskQueue: string[];
  interpreter?: boolean;
  eager?: boolean;
  rateLimit: Record<string, RateLimitOption>;
  lockDuration?: string;
  stalledInterval?: string;
  metricsPort?: string;
  metricsHost?: string;
  retention?: string;
  maintenanceInterval?: string;
  maxWorkerCrashes?: string;
  startupTimeout?: string;
}

export function registerWorker(program: Command): void {
  withRedisOptions(
    program
      .command('worker')
      .description('serve interpreter and activity work from Redis (any number of workers, on any machines)')
      .option('--activities <module>', 'JS/TS module whose default export (or `activities`) maps activity names to handlers (repeatable)', collect, [])
      .option('--concurrency <n>', 'jobs run at once per queue (default 10)')
      .option('--task-queue <name>', 'task queue to serve activities from (repeatable; default "default")', collect, [])
      .option('--no-interpreter', 'serve activities only (no timers, child runs or schedules)')
      .option('--no-eager', "queue every activity attempt as a job (by default a run's next attempt on a served task queue runs at once in the slot its last answer freed)")
      .option('--rate-limit <name=max/per>', 'at most MAX calls of an activity (or of every activity of `queue:NAME`) per PER, shared by all workers, e.g. partner.charge=10/1s (repeatable)', addRateLimitFlag, {})
      .option('--lock-duration <ms>', "how long a job stays owned without renewal before another worker takes it (default 30000)")
      .option('--stalled-interval <ms>', 'how often lost jobs are looked for (default 30000)')
      .option('--retention <duration>', 'how long finished runs stay readable, e.g. 7d, 12h (default: $FLOWLINE_RETENTION or 7d)')
      .option('--maintenance-interval <ms>', 'how often repairs and index pruning run (default 60000)')
      .option('--max-worker-crashes <n>', 'fail a run (WorkerCrashed) once its job was abandoned by this many dead workers (default 3; 0 never)')
      .option('--metrics-port <port>', 'serve /metrics, /healthz and /readyz on this port (default: $FLOWLINE_METRICS_PORT; none)')
      .option('--metrics-host <host>', 'address the metrics port binds (default 0.0.0.0)')
      .option('--startup-timeout <ms>', 'wait this long for Redis to answer at start-up before exiting 2 (default: $FLOWLINE_STARTUP_TIMEOUT or 30000)'),
    { redisTimeout: false },
  )
    .addHelpText(
      'after',
      `
Stops on SIGTERM or SIGINT after finishing the jobs it is running; a second signal stops at once
and hands the unfinished jobs back (another worker runs them again).
Refuses to start unless Redis's maxmemory-policy is noeviction. While Redis does not answer at
start-up it says why on stderr and retries; after --startup-timeout it exits 2. Once started it
waits through Redis restarts.

Example:
  flowline worker --activities ./activities.ts --concurrency 20 --redis redis://127.0.0.1:6379`,
    )
    .action(async (options: WorkerCliOptions) => {
      // Loaded on use, so other verbs start without ioredis, BullMQ and the metrics stack.
      const [{ startWorker }, { QueueProbe }, { createWorkerObservability, metricsPortFromEnv }] = await Promise.all([
        import('../../runtime/redis/index.js'),
        import('../../runtime/redis/queue-probe.js'),
        import('../../observability/setup.js'),
      ]);
      const { url, prefix } = resolveTarget(options);
      const activities = await loadActivities(...options.activities);
      const concurrency = parsePositiveInt(options.concurrency, '--concurrency');
      const lockDurationMs = parsePositiveInt(options.lockDuration, '--lock-duration');
      const stalledIntervalMs = parsePositiveInt(options.stalledInterval, '--stalled-interval');
      const maintenanceIntervalMs = parsePositiveInt(options.maintenanceInterval, '--maintenance-interval');
      const maxWorkerCrashes = parseCrashLimit(options.maxWorkerCrashes);
      const startupTimeoutMs =
        parsePositiveInt(options.startupTimeout, '--startup-timeout') ?? parsePositiveInt(process.env.FLOWLINE_STARTUP_TIMEOUT || undefined, 'FLOWLINE_STARTUP_TIMEOUT');
      const retentionMs = parseRetention(options.retention ?? process.env.FLOWLINE_RETENTION);
      // Observability (src/observability): logs, metrics, spans and the /metrics /healthz /readyz server.
      const metricsPort = options.metricsPort === undefined ? metricsPortFromEnv() : parsePort(options.metricsPort);
      const observability = createWorkerObservability({
        ...(metricsPort === undefined ? {} : { metricsPort }),
        ...(options.metricsHost === undefined ? {} : { metricsHost: options.metricsHost }),
      });
      let handle;
      try {
        handle = await startWorker({
          url,
          prefix,
          activities,
          ...(concurrency === undefined ? {} : { concurrency }),
          taskQueues: options.taskQueue,
          interpreter: options.interpreter !== false,
          eager: options.eager !== false,
          rateLimits: options.rateLimit,
          ...(lockDurationMs === undefined ? {} : { lockDurationMs }),
          ...(stalledIntervalMs === undefined ? {} : { stalledIntervalMs }),
          ...(maintenanceIntervalMs === undefined ? {} : { maintenanceIntervalMs }),
          ...(maxWorkerCrashes === undefined ? {} : { maxWorkerCrashes }),
          ...(retentionMs === undefined ? {} : { limits: { retentionMs } }),
          observer: observability.observer,
          logger: observability.logger,
          ...(observability.codec ? { codec: observability.codec } : {}),
          ...(startupTimeoutMs === undefined ? {} : { startupTimeoutMs }),
          onWaitingForRedis: waitingReporter(redactUrl(url)),
        });
      } catch (error) {
        // Exit at once: the activity module may hold open handles (connections, timers) that would
        // otherwise keep a worker that refused to start alive.
        const hint = error instanceof RedisUnavailableError ? ' (--startup-timeout to wait longer)' : '';
        process.stderr.write(`flowline: cannot start the worker against ${redactUrl(url)}: ${describeError(error)}${hint}\n`);
        process.exit(EXIT_INVALID);
      }
      const { outboxesRepaired, timersRearmed } = handle.startup;
      process.stderr.write(
        `flowline worker ready (pid ${process.pid}, prefix ${prefix}, queues ${handle.queues.join(', ')}; ` +
          `${Object.keys(activities).length} activities; repaired ${outboxesRepaired} outboxes, re-armed ${timersRearmed} timers)\n`,
      );
      const worker = handle;
      const probe = new QueueProbe(url, prefix);
      const server = await observability.serve(
        { live: () => probe.ping(), ready: async () => worker.isReady() },
        { queueJobCounts: () => probe.jobCounts(), redisMemory: () => probe.memory(), runCounts: () => probe.runCounts() },
      );
      if (server) process.stderr.write(`flowline worker: metrics and health on ${server.url}/metrics, /healthz, /readyz\n`);
      await new Promise<void>((resolve) => {
        let stops = 0;
        const stop = (signal: NodeJS.Signals): void => {
          stops++;
          const force = stops > 1;
          process.stderr.write(
            force
              ? `flowline worker: ${signal} again, stopping now and handing unfinished jobs back\n`
              : `flowline worker: ${signal}, finishing running jobs (send it again to stop at once)\n`,
          );
          void worker.close({ force }).then(resolve, resolve);
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      });
      await observability.close();
      await probe.close();
      process.stderr.write('flowline worker stopped\n');
      // As above: handles the activity module opened must not keep a stopped worker alive.
      process.exit(EXIT_OK);
    });
}

/**
 * Prints why the worker is still waiting for Redis at start-up: on the first failure, when the
 * reason changes, and at least every 10 s — not on every retry.
 */
function waitingReporter(shownUrl: string): (reason: string, retryInMs: number) => void {
  let lastReason: string | undefined;
  let lastAt = 0;
  return (reason) => {
    if (reason === lastReason && Date.now() - lastAt < 10_000) return;
    lastReason = reason;
    lastAt = Date.now();
    process.stderr.write(`flowline worker: waiting for Redis at ${shownUrl}: ${reason}; retrying\n`);
  };
}

/** Parses `--retention` (a duration such as `7d`). Throws CliExit. */
function parseRetention(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseDuration(value);
  } catch (error) {
    throw new CliExit(EXIT_INVALID, `--retention: ${(error as Error).message}`);
  }
}

/** Parses `--metrics-port` (0 picks a free port). Throws CliExit. */
function parsePort(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) throw new CliExit(EXIT_INVALID, `--metrics-port must be a port number, not "${value}"`);
  return Number(value);
}

/** `--max-worker-crashes`: a whole number, 0 allowed (never fail a run for crashes). Throws CliExit. */
function parseCrashLimit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) throw new CliExit(EXIT_INVALID, `--max-worker-crashes must be a whole number (0 or more), got "${value}"`);
  return Number(value.trim());
}

/** The worker's observability endpoint: `/metrics`, `/healthz` and `/readyz` on one port, with plain node:http. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.js';

/** Health probes; each resolves true when healthy. A probe that throws or takes longer than `probeTimeoutMs` counts as unhealthy. */
export interface HealthChecks {
  /** Liveness: the process is alive and Redis answers (`/healthz`). */
  live(): Promise<boolean>;
  /** Readiness: the worker loop is consuming jobs (`/readyz`). */
  ready(): Promise<boolean>;
}

/** Options of {@link startObservabilityServer}. */
export interface ObservabilityServerOptions {
  /** 0 picks a free port (see the returned `port`). */
  readonly port: number;
  /** Default `0.0.0.0` (probes come from the kubelet / Docker, not from localhost). */
  readonly host?: string;
  readonly metrics: Metrics;
  readonly health: HealthChecks;
  /** Bound on one probe (default 2000 ms): a hung Redis call must not hang the kubelet's probe. */
  readonly probeTimeoutMs?: number;
}

/** A running server. */
export interface ObservabilityServer {
  readonly port: number;
  readonly host: string;
  /** `http://host:port`. */
  readonly url: string;
  /** Stops accepting connections and closes open ones. */
  close(): Promise<void>;
}

/**
 * Starts the HTTP server and resolves once it listens. Side effects: binds a TCP port.
 * `GET /metrics` → Prometheus text; `GET /healthz`, `GET /readyz` → 200 `ok` or 503 with a JSON
 * reason; `HEAD` works on all three; anything else → 404 (405 for other methods).
 */
export async function startObservabilityServer(options: ObservabilityServerOptions): Promise<ObservabilityServer> {
  const host = options.host ?? '0.0.0.0';
  const timeoutMs = options.probeTimeoutMs ?? 2000;
  const server = createServer((request, response) => {
    handle(request, response, options, timeoutMs).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', `internal error: ${describe(error)}\n`);
      else response.destroy();
    });
  });
  await listen(server, options.port, host);
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    port,
    host,
    url: `http://${shownHost === '0.0.0.0' ? '127.0.0.1' : shownHost}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  options: ObservabilityServerOptions,
  timeoutMs: number,
): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  const known = path === '/metrics' || path === '/healthz' || path === '/readyz';
  if (!known) return send(response, 404, 'text/plain; charset=utf-8', 'not found: try /metrics, /healthz or /readyz\n');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    return send(response, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
  }
  if (path === '/metrics') {
    const body = await options.metrics.scrape();
    return send(response, 200, options.metrics.contentType, body, request.method === 'HEAD');
  }
  const probe = path === '/healthz' ? options.health.live : options.health.ready;
  const result = await runProbe(() => probe.call(options.health), timeoutMs);
  if (result.ok) return send(response, 200, 'text/plain; charset=utf-8', 'ok\n', request.method === 'HEAD');
  return send(
    response,
    503,
    'application/json',
    `${JSON.stringify({ status: 'unavailable', probe: path.slice(1), reason: result.reason })}\n`,
    request.method === 'HEAD',
  );
}

/** Runs a probe with a time bound; never rejects. */
async function runProbe(probe: () => Promise<boolean>, timeoutMs: number): Promise<{ ok: boolean; reason?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<{ ok: boolean; reason: string }>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: `probe took longer than ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    const checked = probe().then(
      (ok) => (ok ? { ok: true } : { ok: false, reason: 'check failed' }),
      (error: unknown) => ({ ok: false, reason: describe(error) }),
    );
    return await Promise.race([checked, timedOut]);
  } catch (error) {
    return { ok: false, reason: describe(error) };
  } finally {
    clearTimeout(timer);
  }
}

function send(response: ServerResponse, status: number, contentType: string, body: string, headOnly = false): void {
  response.statusCode = status;
  response.setHeader('content-type', contentType);
  response.setHeader('cache-control', 'no-store');
  response.setHeader('content-length', Buffer.byteLength(body));
  response.end(headOnly ? undefined : body);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

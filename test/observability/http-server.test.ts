import { afterEach, describe, expect, it } from 'vitest';
import { startObservabilityServer, type ObservabilityServer } from '../../src/observability/http-server.js';
import { createMetrics } from '../../src/observability/metrics.js';

let server: ObservabilityServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(health: { live(): Promise<boolean>; ready(): Promise<boolean> }, probeTimeoutMs?: number) {
  const metrics = createMetrics();
  metrics.runStarted('order');
  server = await startObservabilityServer({ port: 0, host: '127.0.0.1', metrics, health, probeTimeoutMs });
  return server;
}

describe('observability HTTP server', () => {
  it('serves /metrics in the Prometheus text format', async () => {
    const { url } = await start({ live: async () => true, ready: async () => true });
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await response.text()).toContain('flowline_runs_started_total{workflow="order"} 1');
  });

  it('answers /healthz and /readyz from their own checks', async () => {
    let ready = false;
    const { url } = await start({ live: async () => true, ready: async () => ready });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ status: 'unavailable', probe: 'readyz' });
    ready = true;
    const nowReady = await fetch(`${url}/readyz`);
    expect(nowReady.status).toBe(200);
    expect(await nowReady.text()).toBe('ok\n');
  });

  it('turns a throwing or hanging probe into 503 with a reason', async () => {
    const { url } = await start(
      {
        live: async () => {
          throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
        },
        ready: () => new Promise<boolean>(() => {}),
      },
      50,
    );
    const live = await fetch(`${url}/healthz`);
    expect(live.status).toBe(503);
    expect((await live.json()).reason).toContain('ECONNREFUSED');
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect((await ready.json()).reason).toMatch(/longer than 50 ms/);
  });

  it('supports HEAD, refuses other methods and unknown paths', async () => {
    const { url } = await start({ live: async () => true, ready: async () => true });
    const head = await fetch(`${url}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(`${url}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    expect((await fetch(`${url}/metrics?x=1`)).status).toBe(200);
  });

  it('frees its port on close', async () => {
    const first = await start({ live: async () => true, ready: async () => true });
    const port = first.port;
    await first.close();
    server = await startObservabilityServer({
      port,
      host: '127.0.0.1',
      metrics: createMetrics(),
      health: { live: async () => true, ready: async () => true },
    });
    expect(server.port).toBe(port);
  });
});

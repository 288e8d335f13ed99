import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, isLoopback, startDashboard, type Dashboard } from '../../src/cli/dashboard.js';
import { CliExit } from '../../src/cli/output.js';
import { discoverQueueNames } from '../../src/runtime/redis/queue-probe.js';
import { deletePrefix, rawClient, TEST_REDIS_URL, uniquePrefix } from '../redis/helpers.js';

const prefix = uniquePrefix('flobs-dash');
const client = rawClient();
const queues: Queue[] = [];

beforeAll(async () => {
  for (const name of ['activities.default', 'timers']) {
    const { hostname, port } = new URL(TEST_REDIS_URL);
    const queue = new Queue(name, { connection: { host: hostname, port: Number(port || 6379) }, prefix });
    queues.push(queue);
    await queue.add('attempt', { runId: 'r1' }, { jobId: `job-${name}` });
  }
  // A run key that also ends in :meta-like text must not be taken for a queue.
  await client.set(`${prefix}:run:{a:b}:meta`, '1');
});
afterAll(async () => {
  await Promise.all(queues.map((q) => q.close()));
  await deletePrefix(client, prefix);
  client.disconnect();
});

describe('queue discovery', () => {
  it('finds the BullMQ queues under a prefix and nothing else', async () => {
    expect(await discoverQueueNames(client, prefix)).toEqual(['activities.default', 'timers']);
    expect(await discoverQueueNames(client, `${prefix}-none`)).toEqual([]);
  });
});

describe('flowline dashboard', () => {
  let dashboard: Dashboard | undefined;
  afterAll(async () => dashboard?.close());

  it('serves bull-board with Flowline\'s queues on localhost', async () => {
    dashboard = await startDashboard({ port: 0, host: '127.0.0.1', redisUrl: TEST_REDIS_URL, prefix, refreshIntervalMs: 0 });
    expect(dashboard.board.queues()).toEqual(['activities.default', 'timers']);
    const page = await fetch(dashboard.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Flowline</title>');
    const api = await fetch(`${dashboard.url}api/queues`);
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: { name: string; readOnlyMode: boolean; counts: Record<string, number> }[] };
    const defaultQueue = body.queues.find((q) => q.name === 'activities.default');
    expect(defaultQueue?.readOnlyMode).toBe(true);
    expect(defaultQueue?.counts.waiting).toBe(1);
  });

  it('refuses to bind beyond loopback without credentials', async () => {
    await expect(startDashboard({ port: 0, host: '0.0.0.0', redisUrl: TEST_REDIS_URL, prefix })).rejects.toThrow(CliExit);
    await expect(startDashboard({ port: 0, host: '0.0.0.0', redisUrl: TEST_REDIS_URL, prefix })).rejects.toThrow(/FLOWLINE_DASHBOARD_USER/);
  });

  it('requires basic auth when credentials are set', async () => {
    const secured = await startDashboard({
      port: 0,
      host: '0.0.0.0',
      redisUrl: TEST_REDIS_URL,
      prefix,
      auth: { user: 'ops', password: 's3cret' },
      refreshIntervalMs: 0,
    });
    try {
      // It says where it really listens: every interface, not the loopback URL a browser here opens.
      expect(secured.listening).toMatch(/^0\.0\.0\.0:\d+$/);
      expect(secured.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const anonymous = await fetch(secured.url);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toContain('Basic');
      const wrong = await fetch(secured.url, { headers: { authorization: `Basic ${Buffer.from('ops:nope').toString('base64')}` } });
      expect(wrong.status).toBe(401);
      const right = await fetch(`${secured.url}api/queues`, { headers: { authorization: `Basic ${Buffer.from('ops:s3cret').toString('base64')}` } });
      expect(right.status).toBe(200);
    } finally {
      await secured.close();
    }
  });

  it('refuses empty credentials', async () => {
    for (const auth of [{ user: 'ops', password: '' }, { user: '', password: 's3cret' }]) {
      await expect(startDashboard({ port: 0, host: '0.0.0.0', redisUrl: TEST_REDIS_URL, prefix, auth })).rejects.toThrow(/is empty/);
    }
  });

  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3']) expect(isLoopback(host)).toBe(true);
    for (const host of ['0.0.0.0', '10.0.0.1', '::', 'example.com']) expect(isLoopback(host)).toBe(false);
    expect(typeof basicAuth({ user: 'a', password: 'b' })).toBe('function');
  });
});

/**
 * The payload codec on the Redis runtime: with FLOWLINE_CODEC_KEYS-style keys, runs complete and
 * can be queried, and no plaintext of their payloads is left anywhere under the prefix in Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDefinition } from '../../src/definition/load.js';
import { codecFromEnv, generateCodecKey } from '../../src/codec/payload-codec.js';
import { createRedisEngine, startWorker, type RedisEngine, type WorkerHandle } from '../../src/runtime/redis/index.js';
import { decodeState } from '../../src/runtime/redis/store.js';
import { deletePrefix, rawClient, TEST_REDIS_URL, uniquePrefix } from '../redis/helpers.js';
import { waitForHistory } from '../conformance/harness.js';

const FLOW = `
dsl: flowline/v1
name: vault
version: 1
signals:
  approve: {}
queries:
  ssn: '\${ $vars.ssn }'
steps:
  - id: lookup
    call: kyc.lookup
    with: { card: '\${ $input.card }' }
  - set:
      ssn: '\${ $steps.lookup.ssn }'
  - id: approval
    waitSignal: approve
  - id: child
    workflow: vault-child
    with: { token: '\${ $steps.lookup.token }' }
output: '\${ { "note": "card " & $input.card, "by": $steps.approval.pin, "child": $steps.child } }'
`;
const CHILD = `
dsl: flowline/v1
name: vault-child
version: 1
steps:
  - id: echo
    call: kyc.echo
    with: '\${ $input }'
`;
// Marked payloads: the run input, an activity output, a signal's data, a child's input and output.
const SECRETS = ['CARD-4111-1111-1111-1111', 'SSN-078-05-1120', 'TOKEN-tok-live-9f8e7d', 'PIN-2468-1357'];

const prefix = uniquePrefix('flobs-codec');
const client = rawClient();
const codec = codecFromEnv({ FLOWLINE_CODEC_KEYS: `${generateCodecKey('k2')},${generateCodecKey('k1')}` })!;
let engine: RedisEngine;
let worker: WorkerHandle;

beforeAll(async () => {
  engine = createRedisEngine({ url: TEST_REDIS_URL, prefix, codec });
  worker = await startWorker({
    url: TEST_REDIS_URL,
    prefix,
    codec,
    maintenanceIntervalMs: 0,
    activities: {
      'kyc.lookup': async (input: { card: string }) => {
        expect(input.card).toBe(SECRETS[0]);
        return { ssn: SECRETS[1], token: SECRETS[2] };
      },
      'kyc.echo': async (input: unknown) => input,
    },
  });
});
afterAll(async () => {
  await worker?.close();
  await engine?.close();
  await deletePrefix(client, prefix);
  client.disconnect();
});

/** Every value stored under the prefix, whatever the key type, as text. */
async function dumpPrefix(): Promise<{ keys: number; text: string }> {
  const parts: string[] = [];
  let cursor = '0';
  let keys = 0;
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    for (const key of batch) {
      keys += 1;
      const type = await client.type(key);
      parts.push(key);
      // A run's state may be stored deflated: read it as the store does, so plaintext would show.
      if (type === 'string' && key.endsWith(':state')) parts.push(decodeState((await client.getBuffer(key)) ?? Buffer.alloc(0)));
      else if (type === 'string') parts.push(String(await client.get(key)));
      else if (type === 'hash') parts.push(JSON.stringify(await client.hgetall(key)));
      else if (type === 'list') parts.push(JSON.stringify(await client.lrange(key, 0, -1)));
      else if (type === 'set') parts.push(JSON.stringify(await client.smembers(key)));
      else if (type === 'zset') parts.push(JSON.stringify(await client.zrange(key, '0', '-1')));
      else if (type === 'stream') parts.push(JSON.stringify(await client.xrange(key, '-', '+')));
      else parts.push(`<${type}>`);
    }
  } while (cursor !== '0');
  return { keys, text: parts.join('\n') };
}

describe('payload codec on Redis', () => {
  let runId: string;

  it('runs complete and can be queried, described and read back', async () => {
    await engine.deploy(loadDefinition(CHILD));
    await engine.deploy(loadDefinition(FLOW));
    // A schedule's input is a payload too (a yearly cron: it does not fire during the test).
    await engine.schedules.create({ id: 'vault-yearly', workflow: 'vault', cron: '0 0 1 1 *', input: { card: SECRETS[0] } });
    expect((await engine.schedules.get('vault-yearly'))?.input).toEqual({ card: SECRETS[0] });
    ({ runId } = await engine.start('vault', { id: `vault-${prefix}`, input: { card: SECRETS[0] } }));
    // Wait until the run waits for its signal, then look inside Redis mid-run too.
    await waitForHistory(engine, runId, (entry) => entry.type === 'VariablesSet', 'the set step');
    expect(await engine.query(runId, 'ssn')).toBe(SECRETS[1]);
    const midRun = await dumpPrefix();
    for (const secret of SECRETS) expect(midRun.text, `mid-run: ${secret}`).not.toContain(secret);

    await engine.signal(runId, 'approve', { pin: SECRETS[3] });
    const result = await engine.result(runId, { wait: true, timeoutMs: 20_000 });
    expect(result.status).toBe('completed');
    expect(result.output).toEqual({ note: `card ${SECRETS[0]}`, by: SECRETS[3], child: { token: SECRETS[2] } });
    const description = await engine.describe(runId);
    expect(description.vars).toEqual({ ssn: SECRETS[1] });
    const history = await engine.history(runId);
    expect(history[0].event).toMatchObject({ type: 'RunStarted', input: { card: SECRETS[0] } });
  });

  it('leaves no plaintext of any payload anywhere under the prefix', async () => {
    const { keys, text } = await dumpPrefix();
    expect(keys).toBeGreaterThan(5);
    for (const secret of SECRETS) expect(text, secret).not.toContain(secret);
    // The envelopes name their key id: the current key, k2.
    expect(text).toMatch(/kid\\*":\\*"k2/);
  });

  it('a process without the keys cannot read the runs', async () => {
    const blind = createRedisEngine({ url: TEST_REDIS_URL, prefix });
    try {
      await expect(blind.describe(runId)).rejects.toMatchObject({ type: 'PayloadCodecError', message: expect.stringContaining('FLOWLINE_CODEC_KEYS') });
      // It still lists the schedule, with the input as stored (an envelope naming its key).
      expect((await blind.schedules.get('vault-yearly'))?.input).toMatchObject({ kid: 'k2' });
    } finally {
      await blind.close();
    }
  });
});

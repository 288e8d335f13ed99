/**
 * A private Redis Cluster for tests and benchmarks: N masters (and R replicas per master) started
 * as `redis-server --cluster-enabled yes` on free loopback ports, each in its own temporary
 * directory, joined with `redis-cli --cluster create`. Never the shared server on 6379.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from './private-server.js';

const run = promisify(execFile);

/** One redis-server of the cluster. */
export interface ClusterNode {
  readonly port: number;
  readonly process: ChildProcess;
  /** A plain (non-cluster) client of this node, for INFO, CLUSTER and assertions. */
  readonly admin: Redis;
}

/** A running private cluster. */
export interface PrivateCluster {
  /** Every node, in start order (the first `masters` were created as masters). */
  readonly nodes: readonly ClusterNode[];
  /** `redis+cluster://127.0.0.1:p1,127.0.0.1:p2,…` naming every node. */
  readonly url: string;
  /** `[{ host, port }]` of every node (ioredis Cluster start-up nodes). */
  readonly startupNodes: readonly { host: string; port: number }[];
  /** The nodes that are masters now (asks each node its role). */
  masters(): Promise<ClusterNode[]>;
  /** Kills one node with SIGKILL and waits for its exit. */
  kill(node: ClusterNode): Promise<void>;
  /** Kills every node and removes the directory. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Masters (default 3: the smallest cluster `redis-cli --cluster create` accepts). */
  readonly masters?: number;
  /** Replicas per master (default 0). */
  readonly replicasPerMaster?: number;
  /** Extra redis-server arguments for every node (e.g. `--appendonly yes`). */
  readonly extraArgs?: readonly string[];
  /** `cluster-node-timeout` in ms (default 1,000: a failover within a few seconds). */
  readonly nodeTimeoutMs?: number;
}

/** Starts the cluster and resolves once every node reports `cluster_state:ok` and all slots are covered. */
export async function startRedisCluster(options: ClusterOptions = {}): Promise<PrivateCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 0;
  const total = masters * (1 + replicas);
  const dir = await mkdtemp(join(tmpdir(), 'flowline-cluster-'));
  const nodes: ClusterNode[] = [];
  const exits = new Map<number, Promise<unknown>>();
  const stopAll = async (): Promise<void> => {
    for (const node of nodes) {
      node.admin.disconnect();
      if (node.process.exitCode === null && node.process.signalCode === null) node.process.kill('SIGKILL');
    }
    await Promise.all([...exits.values()]);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < total; i++) {
      const port = await freePort();
      const child = spawn(
        'redis-server',
        [
          '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
          '--maxmemory-policy', 'noeviction', '--cluster-enabled', 'yes',
          '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--dir', dir,
          '--cluster-node-timeout', String(options.nodeTimeoutMs ?? 1000),
          ...(options.extraArgs ?? []),
        ],
        { stdio: 'ignore' },
      );
      exits.set(port, new Promise((resolve) => child.on('exit', resolve)));
      const admin = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 3, retryStrategy: (times) => (times > 100 ? null : 50) });
      admin.on('error', () => undefined);
      nodes.push({ port, process: child, admin });
    }
    await Promise.all(nodes.map((node) => node.admin.ping()));
    await run('redis-cli', [
      '--cluster', 'create', ...nodes.map((node) => `127.0.0.1:${node.port}`),
      '--cluster-replicas', String(replicas), '--cluster-yes',
    ]);
    await waitForClusterOk(nodes, total);
    await waitForReplicasInSync(nodes);
  } catch (error) {
    await stopAll();
    throw error;
  }
  const startupNodes = nodes.map((node) => ({ host: '127.0.0.1', port: node.port }));
  return {
    nodes,
    startupNodes,
    url: `redis+cluster://${startupNodes.map((n) => `${n.host}:${n.port}`).join(',')}`,
    async masters() {
      const roles = await Promise.all(
        nodes.map(async (node) => {
          if (node.process.exitCode !== null || node.process.signalCode !== null) return undefined;
          const role = (await node.admin.call('ROLE')) as unknown[];
          return role[0] === 'master' ? node : undefined;
        }),
      );
      return roles.filter((node): node is ClusterNode => node !== undefined);
    },
    async kill(node) {
      node.admin.disconnect();
      node.process.kill('SIGKILL');
      await exits.get(node.port);
    },
    stop: stopAll,
  };
}

/** Polls ROLE until every replica's link to its master is up: a replica that never synced would not be promoted. */
async function waitForReplicasInSync(nodes: readonly ClusterNode[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const roles = (await Promise.all(nodes.map((node) => node.admin.call('ROLE')))) as unknown[][];
    if (roles.every((role) => role[0] === 'master' || role[3] === 'connected')) return;
    if (Date.now() > deadline) throw new Error('the test cluster\'s replicas did not finish their first sync');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Polls CLUSTER INFO on every node until all agree the cluster is whole (gossip takes a moment). */
async function waitForClusterOk(nodes: readonly ClusterNode[], total: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const infos = await Promise.all(nodes.map((node) => node.admin.call('CLUSTER', 'INFO') as Promise<string>));
    const ok = infos.every(
      (info) => info.includes('cluster_state:ok') && info.includes('cluster_slots_ok:16384') && info.includes(`cluster_known_nodes:${total}`),
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`the test cluster did not become ready: ${infos.map((i) => i.split('\r\n')[0]).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

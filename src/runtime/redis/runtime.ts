/**
 * The shared core of the Redis runtime: one connection, the key layout, run store, definition
 * registry, queues, dispatcher, indexes and the transition protocol, plus the operations both the
 * engine (API) and the worker need (starting runs and child runs, answering parents).
 */
import type { Redis } from 'ioredis';
import type { WorkflowDefinition } from '../../definition/types.js';
import type { Logger } from 'pino';
import { lazyLogger } from '../../observability/logger.js';
import { RunNotFoundError } from '../../errors.js';
import type { RunState } from '../../interpreter/types.js';
import { resolveLimits, type EngineLimits, type EngineLimitsOptions } from '../common/limits.js';
import { assertNever } from '../common/events.js';
import { cancelChildRun, notifyParentRun, startChildRun } from '../core/child-runs.js';
import { startRun } from '../core/run-operations.js';
import { connectionOptions, createClient, describeConnection, type ClientRole, type RedisConnection } from './connection.js';
import type { RedisTarget } from './errors.js';
import { Dispatcher } from './dispatcher.js';
import { RunIndexes } from './indexes.js';
import { DEFAULT_PREFIX, KeyLayout } from './keys.js';
import { MemoryGate } from './memory.js';
import { QueueSet, type InterpreterJob } from './queues.js';
import { DefinitionRegistry } from './registry.js';
import { withScripts, type ScriptedClient } from './scripts.js';
import { safeError } from './safe-error.js';
import { RunStore } from './store.js';
import { Transitions } from './transition.js';
import { processStateCaches, StateCache } from './state-cache.js';
import type { RunObserver } from '../../observability/run-observer.js';
import { storedJson, type PayloadCodec } from '../../codec/payload-codec.js';

/** How to reach Redis and what to store there. */
export interface RedisRuntimeOptions {
  /** A URL (`redis://user:pass@host:6379/0`, `rediss://…`) or ioredis options. Default redis://127.0.0.1:6379. */
  readonly url?: string;
  readonly connection?: RedisConnection;
  /** Key prefix (and BullMQ prefix). Default `flowline`. */
  readonly prefix?: string;
  /** Payload, expression and retention limits. */
  readonly limits?: EngineLimitsOptions;
  /** Outbox entries older than this are re-dispatched when their run is next touched (default 5 s). */
  readonly outboxGraceMs?: number;
  /** Observability hook (logs, metrics, spans): told of every committed transition and wraps activity attempts. */
  readonly observer?: RunObserver;
  /**
   * Payload codec (e.g. AES-256-GCM from FLOWLINE_CODEC_KEYS): run state, history, outbox and job
   * payloads pass through it. Must be synchronous. Every process of a deployment needs the same keys.
   */
  readonly codec?: PayloadCodec;
  /**
   * Share the cache of last committed run states with the other runtimes of this process on the
   * same Redis and prefix (default true), so an engine and a worker in one process hand runs
   * over without a read. False gives this runtime a cache of its own, as another process has.
   */
  readonly shareStateCache?: boolean;
  /** This runtime's own cache of last committed states (overrides `shareStateCache`). */
  readonly stateCache?: StateCache;
  /** Time source (epoch ms) of event stamps and job delays (default Date.now). */
  readonly now?: () => number;
  /**
   * Where the runtime's own warnings and handlers' `ctx.log` go (default: JSON lines on stderr at
   * `FLOWLINE_LOG_LEVEL`, default `warn`, made on first use).
   */
  readonly logger?: Logger;
}

/** Everything one process needs to move runs stored in Redis. Owns its connection. */
export class RedisRuntime {
  readonly keys: KeyLayout;
  readonly limits: EngineLimits;
  readonly client: ScriptedClient;
  readonly store: RunStore;
  readonly registry: DefinitionRegistry;
  readonly queues: QueueSet;
  readonly dispatcher: Dispatcher;
  readonly indexes: RunIndexes;
  readonly transitions: Transitions;
  readonly connection: ReturnType<typeof connectionOptions>;
  /** `redis://host:port` (no credentials) and the command timeout, for messages. */
  readonly target: RedisTarget;
  /** Observability hook (src/observability/run-observer.ts), when one was given. */
  readonly observer: RunObserver | undefined;
  /** Closed while Redis refuses writes (maxmemory): workers wait on it instead of failing and re-running jobs. */
  readonly memory: MemoryGate;
  /** This runtime's logger (observability/logger.ts lazyLogger): no process-wide one. */
  readonly log: () => Logger;
  private closed = false;

  constructor(options: RedisRuntimeOptions, role: ClientRole) {
    this.connection = connectionOptions(options.connection ?? options.url);
    this.target = {
      description: describeConnection(this.connection),
      ...(role.commandTimeoutMs === undefined ? {} : { commandTimeoutMs: role.commandTimeoutMs }),
    };
    this.keys = new KeyLayout(options.prefix ?? DEFAULT_PREFIX);
    this.limits = resolveLimits(options.limits);
    this.observer = options.observer;
    this.log = lazyLogger(options.logger);
    this.client = withScripts(createClient(this.connection, role));
    // An 'error' listener keeps ioredis from printing every reconnection attempt as unhandled.
    this.client.on('error', () => undefined);
    this.memory = new MemoryGate(this.client, { warn: (fields, message) => this.log().warn(fields, message) });
    const now = options.now ?? ((): number => Date.now());
    this.store = new RunStore(this.client, this.keys, storedJson(options.codec));
    this.registry = new DefinitionRegistry(this.client, this.keys);
    this.queues = new QueueSet(this.client, this.keys.prefix);
    this.dispatcher = new Dispatcher(this.client, this.queues, this.keys, now, this.store.json);
    this.indexes = new RunIndexes(this.client, this.keys);
    this.transitions = new Transitions({
      store: this.store,
      registry: this.registry,
      dispatcher: this.dispatcher,
      limits: this.limits,
      now,
      outboxGraceMs: options.outboxGraceMs ?? 5_000,
      stateCache:
        options.stateCache ??
        (options.shareStateCache === false
          ? new StateCache()
          : processStateCaches.forScope(`${this.connection.path ?? describeConnection(this.connection)}/${this.connection.db ?? 0}/${this.keys.prefix}`)),
      ...(options.observer ? { observer: options.observer } : {}),
      onDispatchError: (runId, error) => {
        // A full Redis is reported by the gate (once per interval), not once per dispatch.
        if (this.memory.noteError(error)) return;
        this.log().warn({ runId, err: safeError(error) }, 'flowline: dispatch after commit failed; the outbox keeps it for repair');
      },
    });
  }

  /** Creates a run (input already checked). Throws RunAlreadyExistsError when the id is running. */
  startRun(
    definition: WorkflowDefinition,
    runId: string,
    input: unknown,
    parent?: { runId: string; seq: number },
    trace?: Readonly<Record<string, string>>,
    latestCheck?: { definitionsKey: string; version: number },
  ): Promise<RunState> {
    return startRun(this.transitions.driver, definition, runId, input, { ...(parent ? { parent } : {}), ...(trace ? { trace } : {}) }, latestCheck ? { latestCheck } : {});
  }

  /** The state of a run. Throws RunNotFoundError. */
  async mustLoad(runId: string): Promise<RunState> {
    const state = await this.store.loadState(runId);
    if (!state) throw new RunNotFoundError(runId);
    return state;
  }

  /** States of several runs (null for missing ones), in one round trip. */
  async loadStates(runIds: readonly string[]): Promise<(RunState | null)[]> {
    return this.store.loadStates(runIds);
  }


  /**
   * Carries out one interpreter job: start a child run then answer its parent, cancel a child,
   * or deliver a child's end to its parent. Safe to run twice.
   */
  async runInterpreterJob(job: InterpreterJob): Promise<void> {
    switch (job.name) {
      case 'start-child': {
        // Job payloads pass through the codec (see Dispatcher).
        const data = { ...job.data, input: this.store.json.decodeValue<unknown>(job.data.input) };
        return startChildRun(this.transitions.driver, (name, version) => this.registry.get(name, version), data.parentRunId, data);
      }
      case 'cancel-child':
        return cancelChildRun(this.transitions.driver, job.data.childRunId);
      case 'notify-parent': {
        const data = { ...job.data, output: this.store.json.decodeValue<unknown>(job.data.output) };
        await notifyParentRun(this.transitions.driver, data.childRunId, data);
        return;
      }
      default:
        assertNever(job, 'interpreter job');
    }
  }

  /**
   * Closes queues and the connection. `force` drops the connection first instead of waiting for
   * Redis to answer a QUIT (after Redis stopped answering); commands still under way fail.
   */
  async close(options: { force?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.memory.close();
    // Not connected (Redis down or not answering): a QUIT would only wait in the offline queue.
    if (options.force || this.client.status !== 'ready') this.client.disconnect();
    await this.transitions.flushDispatched();
    await this.queues.close();
    await this.client.quit().catch(() => this.client.disconnect());
  }
}


/** Re-exported for engine/worker option types. */
export type { Redis };

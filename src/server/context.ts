/** What the server's parts share: its options, per-route settings and the context route modules get. */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { WorkflowDefinition } from '../definition/types.js';
import type { Engine } from '../runtime/engine.js';
import type { ApiToken, Role } from './auth.js';
import type { RecordRequest } from './http-metrics.js';

/** Options of `createServer` (app.ts). */
export interface ServerOptions {
  readonly engine: Engine;
  /** Configured tokens; none = no auth (the caller must bind to loopback only: `flowline serve` enforces it). */
  readonly tokens?: readonly ApiToken[];
  /** The engine's payload limit (bytes): bodies above it plus an envelope are refused with 413. */
  readonly payloadLimitBytes: number;
  /** Audit lines go here (pino); none = no audit log. */
  readonly logger?: Logger;
  /** Registry of `/metrics` (e.g. the engine's `createMetrics().registry`); a fresh one by default. */
  readonly registry?: Registry;
  readonly heartbeatMs?: number;
  readonly maxWaitMs?: number;
  /** Answer requests that take longer than this with 503 (ms, default 30 000; event streams excepted). */
  readonly requestTimeoutMs?: number;
  /** Allowed CORS origin; none = no CORS headers at all. */
  readonly corsOrigin?: string;
  /** Readiness probe of `/readyz` (e.g. Redis answers); resolves when ready, throws when not. */
  readonly ready?: () => Promise<void>;
  /** Folder of the built studio (issue 14) served at `/`; none = no studio, only the API. */
  readonly studioDir?: string;
  /** Runs `POST /v1/try` and `/v1/try/tests` on private engines (src/flowtest's FlowTrier); none = 501. */
  readonly trier?: TryPort;
}

/**
 * What the try routes need (the studio's "Try it"): implemented by src/flowtest's FlowTrier and
 * wired by cli/serve-command.ts, so the server never holds a concrete runtime itself.
 */
export interface TryPort {
  /** Activities the server runs in-process, which a try may choose instead of a mock. */
  readonly registeredActivities: readonly string[];
  /** True when test files are looked up in the served folder (`--embedded DIR`). */
  readonly hasFlowsDir: boolean;
  run(request: {
    readonly flow: WorkflowDefinition;
    readonly children?: readonly WorkflowDefinition[];
    readonly input?: unknown;
    readonly activities?: Readonly<Record<string, { readonly mock: unknown } | { readonly registered: true }>>;
    readonly signals?: readonly { readonly name: string; readonly data?: unknown }[];
    readonly timeoutMs?: number;
  }): Promise<object>;
  runTests(request: { readonly flow: WorkflowDefinition; readonly children?: readonly WorkflowDefinition[]; readonly tests?: string }): Promise<{ readonly files: readonly object[] }>;
}

/** Per-route settings, read by the hooks. */
export interface RouteConfig {
  /** Least role that may call the route; `public` needs no token. */
  readonly role: Role | 'public';
  /** Writes an audit line (who, what, run id — never payloads). */
  readonly audit?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who called (token name), for the audit line. */
    caller: string;
    /** The caller's role (`author` when the server has no tokens). */
    callerRole: Role;
    /** The run the call concerned when it is not in the path (a start), for the audit line. */
    auditRunId: string | undefined;
  }
}

/** What route modules get. */
export interface RouteContext {
  readonly engine: Engine;
  readonly options: ServerOptions;
  readonly heartbeatMs: number;
  readonly maxWaitMs: number;
  readonly record: RecordRequest;
  readonly registry: Registry;
  /** Security (and CORS) headers, also written by hijacked responses (event streams). */
  readonly headers: Readonly<Record<string, string>>;
}


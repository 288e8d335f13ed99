/**
 * The JSON Schemas of the HTTP API: fastify validates requests with them (ajv) and
 * @fastify/swagger publishes them in the OpenAPI 3.1 document, so the two cannot drift.
 */
import { PROBLEM_CONTENT_TYPE } from './problems.js';

const RUN_STATUSES = ['running', 'completed', 'failed', 'compensated', 'compensation_failed', 'cancelled', 'terminated', 'timed_out'];

/** Shared schemas, registered with `addSchema` and referenced as `<$id>#`. */
export const SHARED_SCHEMAS = [
  {
    $id: 'Problem',
    type: 'object',
    description: 'A refusal (RFC 9457). `type` ends with the engine error type, e.g. …/RunNotFound.',
    required: ['type', 'title', 'status', 'detail'],
    properties: {
      type: { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      instance: { type: 'string' },
      runId: { type: 'string' },
      issues: { type: 'array', items: { $ref: 'Issue#' } },
      blockers: { type: 'array', description: 'MigrationBlocked: each step that blocks the move', items: { $ref: 'MigrationBlocker#' } },
    },
  },
  {
    $id: 'MigrationBlocker',
    type: 'object',
    required: ['step', 'reason'],
    properties: {
      step: { type: ['string', 'null'], description: 'the step id (or kind and path), null when the whole version blocks' },
      reason: { type: 'string' },
    },
  },
  {
    $id: 'MigrationReport',
    type: 'object',
    description: 'One run\'s move to another version: the plan and whether it was carried out (docs/reference/api.md#migrate).',
    required: ['runId', 'outcome', 'fromVersion', 'toVersion', 'allowed', 'blockers', 'warnings', 'moves'],
    properties: {
      runId: { type: 'string' },
      outcome: { type: 'string', enum: ['migrated', 'planned', 'blocked', 'skipped'] },
      fromVersion: { type: 'integer' },
      toVersion: { type: 'integer' },
      allowed: { type: 'boolean' },
      blockers: { type: 'array', items: { $ref: 'MigrationBlocker#' } },
      warnings: { type: 'array', items: { type: 'string' } },
      moves: {
        type: 'array',
        items: {
          type: 'object',
          required: ['step', 'kind', 'from', 'to'],
          properties: { step: { type: 'string' }, kind: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
        },
      },
    },
  },
  {
    $id: 'Issue',
    type: 'object',
    required: ['pointer', 'message'],
    properties: {
      pointer: { type: 'string', description: 'JSON pointer into the document or body' },
      message: { type: 'string' },
      line: { type: 'integer' },
      column: { type: 'integer' },
      hint: { type: 'string' },
    },
  },
  {
    $id: 'ErrorInfo',
    type: ['object', 'null'],
    properties: { type: { type: 'string' }, message: { type: 'string' }, step: { type: 'string' } },
  },
  {
    $id: 'RunResult',
    type: 'object',
    required: ['runId', 'status', 'output', 'error'],
    properties: {
      runId: { type: 'string' },
      status: { type: 'string', enum: RUN_STATUSES },
      output: {},
      error: { $ref: 'ErrorInfo#' },
    },
  },
  {
    $id: 'RunSummary',
    type: 'object',
    required: ['runId', 'name', 'version', 'status', 'startedAt', 'endedAt'],
    properties: {
      runId: { type: 'string' },
      name: { type: 'string' },
      version: { type: 'integer' },
      status: { type: 'string', enum: RUN_STATUSES },
      startedAt: { type: 'string' },
      endedAt: { type: ['string', 'null'] },
    },
  },
  {
    $id: 'HistoryEntry',
    type: 'object',
    required: ['index', 'at', 'type'],
    properties: {
      index: { type: 'integer' },
      at: { type: 'number' },
      type: { type: 'string' },
      path: { type: 'string' },
      stepId: { type: 'string' },
      attempt: { type: 'integer' },
      seq: { type: 'integer' },
      details: { type: 'object' },
      event: { type: 'object' },
    },
  },
] as const;

const ref = (id: string) => ({ $ref: `${id}#` });

/** Error responses every route may give: one problem schema per class of status. */
export function problemResponses(...statuses: number[]): Record<number, unknown> {
  const out: Record<number, unknown> = {};
  for (const status of [400, 401, 403, ...statuses, 503]) {
    out[status] = { description: 'a refusal (RFC 9457 problem)', content: { [PROBLEM_CONTENT_TYPE]: { schema: ref('Problem') } } };
  }
  return out;
}

const json = (schema: unknown, description: string) => ({ description, content: { 'application/json': { schema } } });

export const runIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

/** `{name}/{version}` of a deployed definition. */
export const definitionVersionParams = {
  type: 'object',
  required: ['name', 'version'],
  properties: { name: { type: 'string', minLength: 1 }, version: { type: 'integer', minimum: 1 } },
} as const;

export const documentBody = {
  type: 'string',
  description: 'the workflow document as YAML or JSON text (at most 1 MiB)',
} as const;

export const validateResponse = json(
  {
    type: 'object',
    required: ['valid', 'issues'],
    properties: {
      valid: { type: 'boolean' },
      issues: { type: 'array', items: ref('Issue') },
      graph: { type: 'object', additionalProperties: true, description: 'with graph=true and a valid document: nodes (step path, lines), edges and boxes' },
    },
  },
  'the document is valid, or every problem found',
);

export const deployResponse = {
  type: 'object',
  required: ['name', 'version', 'created'],
  properties: { name: { type: 'string' }, version: { type: 'integer' }, created: { type: 'boolean' } },
} as const;

export const definitionListResponse = json(
  {
    type: 'object',
    required: ['definitions'],
    properties: {
      definitions: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name', 'versions', 'latest'],
          properties: { name: { type: 'string' }, versions: { type: 'array', items: { type: 'integer' } }, latest: { type: 'integer' } },
        },
      },
    },
  },
  'every deployed workflow with its versions',
);

export const definitionResponse = json(
  {
    type: 'object',
    required: ['name', 'version', 'digest', 'source', 'definition'],
    properties: {
      name: { type: 'string' },
      version: { type: 'integer' },
      digest: { type: 'string' },
      source: { type: ['string', 'null'], description: 'the text as deployed; null when deployed from code' },
      definition: { type: 'object', description: 'the normalised definition' },
    },
  },
  'one deployed version',
);

export const startBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1 },
    version: { type: 'integer', minimum: 1 },
    id: { type: 'string', minLength: 1, maxLength: 200, description: 'business id; starting an id that is running answers 409' },
    input: { description: 'the run input, checked against the flow\'s input schema' },
  },
} as const;

export const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: RUN_STATUSES },
    name: { type: 'string', minLength: 1 },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
    cursor: { type: 'string', pattern: '^[0-9]+$', description: 'nextCursor of the previous page' },
    startedAfter: { type: 'string', format: 'date-time', description: 'Only runs started at or after this instant (ISO-8601 with a time zone, e.g. `2026-12-03T09:00:00Z`).' },
    startedBefore: { type: 'string', format: 'date-time', description: 'Only runs started before this instant (ISO-8601 with a time zone).' },
    where: {
      type: 'array',
      items: { type: 'string', minLength: 1, maxLength: 1000 },
      maxItems: 20,
      description: 'search attribute conditions, all of which must hold: where=customer=ann&where=total>100 (URL-encoded; operators = != < <= > >=)',
    },
  },
} as const;

export const listResponse = json(
  {
    type: 'object',
    required: ['runs', 'nextCursor'],
    properties: { runs: { type: 'array', items: ref('RunSummary') }, nextCursor: { type: ['string', 'null'] } },
  },
  'runs, newest first',
);

export const describeResponse = json(
  {
    type: 'object',
    required: ['runId', 'status', 'name', 'version', 'startedAt'],
    properties: {
      runId: { type: 'string' },
      status: { type: 'string', enum: RUN_STATUSES },
      output: {},
      error: ref('ErrorInfo'),
      name: { type: 'string' },
      version: { type: 'integer' },
      startedAt: { type: 'string' },
      endedAt: { type: ['string', 'null'] },
      vars: { type: 'object' },
      parentRunId: { type: ['string', 'null'] },
      attempt: { type: 'integer' },
      historyLength: { type: 'integer', description: "entries in the run's history (its current generation)" },
      generation: { type: 'integer', description: '1, then one more each time a continueAsNew step started the flow again' },
      continuedFrom: {
        type: 'array',
        description: 'the latest earlier generations (at most 10), oldest first',
        items: {
          type: 'object',
          properties: { generation: { type: 'integer' }, startedAt: { type: 'string' }, continuedAt: { type: 'string' }, historyLength: { type: 'integer' } },
        },
      },
      warnings: {
        type: 'array',
        description: 'e.g. HistoryLarge: the history is above the engine\'s historyWarningEntries (suggests continueAsNew)',
        items: { type: 'object', properties: { type: { type: 'string' }, message: { type: 'string' } } },
      },
    },
  },
  'the run',
);

export const replayBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    document: {
      type: 'string',
      maxLength: 2_000_000,
      description: 'a flow document (YAML or JSON text) to replay against instead of the definition the run is pinned to, e.g. an edited version',
    },
  },
} as const;

export const replayResponse = json(
  {
    type: 'object',
    required: ['runId', 'workflow', 'deterministic', 'entries', 'decisions', 'divergence'],
    properties: {
      runId: { type: 'string' },
      workflow: { type: 'object', properties: { name: { type: 'string' }, version: { type: 'integer' }, digest: { type: 'string' } } },
      deterministic: { type: 'boolean' },
      entries: { type: 'integer', description: 'history entries checked' },
      decisions: { type: 'integer', description: 'recorded decisions made again' },
      divergence: {
        type: ['object', 'null'],
        description: 'the first non-deterministic decision, or null',
        properties: {
          message: { type: 'string' },
          entryIndex: { type: 'integer' },
          eventIndex: { type: 'integer' },
          eventType: { type: 'string' },
          stepId: { type: ['string', 'null'] },
          path: { type: ['string', 'null'] },
          expected: { type: ['string', 'null'] },
          got: { type: ['string', 'null'] },
          field: { type: ['string', 'null'] },
        },
      },
    },
  },
  'the replay report (200 whether or not the history replays deterministically)',
);

export const historyResponse = json({ type: 'array', items: ref('HistoryEntry') }, 'the run\'s history, in order');

export const resultQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    wait: { type: 'boolean', default: false },
    timeoutMs: { type: 'integer', minimum: 0, maximum: 300_000, description: 'how long to wait at most (capped by the server)' },
  },
} as const;

export const signalParams = {
  type: 'object',
  required: ['id', 'name'],
  properties: { id: runIdParams.properties.id, name: { type: 'string', minLength: 1 } },
} as const;

export const signalBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    data: { description: 'the signal payload, checked against its schema' },
    signalId: { type: 'string', minLength: 1, maxLength: 200, description: 'the same signalId re-sent is applied once' },
  },
} as const;

export const controlBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { reason: { type: 'string', maxLength: 2000 } },
} as const;

export const migrateBody = {
  type: 'object',
  additionalProperties: false,
  required: ['toVersion'],
  properties: {
    toVersion: { type: 'integer', minimum: 1, description: 'the deployed version to move to' },
    dryRun: { type: 'boolean', default: false, description: 'only report the plan or what blocks it' },
  },
} as const;

export const migrateManyBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'fromVersion', 'toVersion'],
  properties: {
    name: { type: 'string', minLength: 1 },
    fromVersion: { type: 'integer', minimum: 1, description: 'the version whose running runs move' },
    toVersion: { type: 'integer', minimum: 1 },
    dryRun: { type: 'boolean', default: false },
    limit: { type: 'integer', minimum: 1, maximum: 10000, default: 1000 },
  },
} as const;

export const migrationResponse = json(ref('MigrationReport'), 'the move\'s report (outcome migrated, or planned on a dry run)');
export const migrationsResponse = json(
  { type: 'object', required: ['reports'], properties: { reports: { type: 'array', items: ref('MigrationReport') } } },
  'each matching run\'s report',
);

export const accepted = json({ type: 'object', properties: { runId: { type: 'string' } } }, 'accepted');

export const runIdResponse = {
  type: 'object',
  required: ['runId'],
  properties: { runId: { type: 'string' } },
} as const;

export const resultResponse = json(ref('RunResult'), 'the run\'s outcome (status running and output null while it runs)');

/** One mocked answer of an activity in a try: a fixed output, or an error it throws. */
const tryMockAnswer = {
  oneOf: [
    { type: 'object', required: ['output'], additionalProperties: false, properties: { output: { description: 'what the activity answers' } } },
    {
      type: 'object',
      required: ['error'],
      additionalProperties: false,
      properties: {
        error: {
          type: 'object',
          required: ['type'],
          additionalProperties: false,
          properties: {
            type: { type: 'string', minLength: 1, maxLength: 200, description: 'the error type the flow sees (what `retry.nonRetryable` and `catch` match)' },
            message: { type: 'string', maxLength: 2000 },
            details: {},
            nonRetryable: { type: 'boolean', description: 'true: no retry, whatever the step\'s retry policy' },
          },
        },
      },
    },
  ],
} as const;

export const tryBody = {
  type: 'object',
  required: ['document'],
  additionalProperties: false,
  properties: {
    document: { type: 'string', minLength: 1, maxLength: 1024 * 1024, description: 'the flow document\'s text (YAML or JSON), as typed; it is not deployed' },
    input: { description: 'the run input, checked against the flow\'s input schema' },
    activities: {
      type: 'object',
      maxProperties: 500,
      description: 'per activity name: `{ mock: answer }`, `{ mock: [answer, …] }` (one per attempt, the last repeats), or `{ registered: true }` (the handler the server runs in-process). Activities not listed are not available.',
      additionalProperties: {
        oneOf: [
          {
            type: 'object',
            required: ['mock'],
            additionalProperties: false,
            properties: { mock: { anyOf: [tryMockAnswer, { type: 'array', minItems: 1, maxItems: 100, items: tryMockAnswer }] } },
          },
          { type: 'object', required: ['registered'], additionalProperties: false, properties: { registered: { const: true } } },
        ],
      },
    },
    signals: {
      type: 'array',
      maxItems: 100,
      description: 'signals sent right after the start, in order (a waiting run takes them as it reaches each wait)',
      items: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1 }, data: {} } },
    },
    timeoutMs: { type: 'integer', minimum: 1, maximum: 20_000, description: 'wall-clock bound of the try (default 10 000); timers are skipped, so only real work counts' },
  },
} as const;

const STEP_STATES = ['running', 'waiting', 'done', 'failed', 'skipped', 'cancelled', 'compensated'];

export const tryResponse = json(
  {
    type: 'object',
    required: ['status', 'output', 'error', 'waitingFor', 'steps', 'history', 'historyTruncated', 'calls', 'vars', 'durationMs'],
    properties: {
      status: { type: 'string', enum: [...RUN_STATUSES, 'waiting'], description: '`waiting`: only a signal can move the run on (see waitingFor); `running`: stopped by the time bound (see stopped)' },
      output: {},
      error: ref('ErrorInfo'),
      waitingFor: {
        type: 'array',
        items: { type: 'object', required: ['signal', 'path'], properties: { signal: { type: 'string' }, path: { type: 'string' }, stepId: { type: 'string' } } },
      },
      steps: { type: 'object', additionalProperties: { type: 'string', enum: STEP_STATES }, description: 'each step\'s last state by step path (the graph nodes\' `path`)' },
      history: { type: 'array', items: ref('HistoryEntry') },
      historyTruncated: { type: 'boolean' },
      calls: { type: 'array', items: { type: 'string' }, description: 'activity names in the order their handlers were called (every attempt)' },
      vars: { type: 'object' },
      stopped: { type: 'string', description: 'why a run still going was stopped' },
      durationMs: { type: 'integer' },
    },
  },
  'the try run: how it ended (or what it waits for), its history and each step\'s state',
);

export const tryInfoResponse = json(
  {
    type: 'object',
    required: ['registeredActivities', 'testsFromFolder'],
    properties: {
      registeredActivities: { type: 'array', items: { type: 'string' }, description: 'activities a try may run with `{ registered: true }`' },
      testsFromFolder: { type: 'boolean', description: 'true: `POST /v1/try/tests` without `tests` runs the `*.test.yaml` files of the served folder' },
    },
  },
  'what a try can use on this server',
);

export const tryTestsBody = {
  type: 'object',
  required: ['document'],
  additionalProperties: false,
  properties: {
    document: tryBody.properties.document,
    tests: { type: 'string', minLength: 1, maxLength: 1024 * 1024, description: 'a flow test document (SPEC §11; its `flow:` is ignored: the cases run against `document`). Without it: the served folder\'s test files of this flow.' },
  },
} as const;

export const tryTestsResponse = json(
  {
    type: 'object',
    required: ['files'],
    properties: {
      files: {
        type: 'array',
        items: {
          type: 'object',
          required: ['file', 'cases'],
          properties: {
            file: { type: 'string' },
            invalid: { type: 'array', items: { type: 'string' }, description: 'why the test document cannot be used (no case ran)' },
            cases: {
              type: 'array',
              items: {
                type: 'object',
                required: ['name', 'passed', 'reasons', 'durationMs', 'expected'],
                properties: {
                  name: { type: 'string' },
                  passed: { type: 'boolean' },
                  reasons: { type: 'array', items: { type: 'string' }, description: 'each difference, in words (`status: expected compensated, got completed`)' },
                  durationMs: { type: 'number' },
                  expected: { type: 'object', description: 'the case\'s `expect`' },
                  actual: { type: 'object', description: 'what happened: status, output, error, calls, vars' },
                },
              },
            },
          },
        },
      },
    },
  },
  'each test file with each case\'s pass or fail and, on failure, the differences',
);

export const tryPlanResponse = json(
  {
    type: 'object',
    required: ['name', 'version', 'input', 'activities', 'signals', 'graph'],
    properties: {
      name: { type: 'string' },
      version: { type: 'integer' },
      input: { type: ['object', 'boolean', 'null'], description: 'the input JSON Schema, or null when the flow declares none' },
      activities: {
        type: 'array',
        description: 'every activity the flow and its deployed child flows call (compensations included)',
        items: { type: 'object', required: ['name', 'registered'], properties: { name: { type: 'string' }, registered: { type: 'boolean', description: 'a try may use its registered handler' } } },
      },
      signals: { type: 'array', items: { type: 'object', required: ['name', 'schema'], properties: { name: { type: 'string' }, schema: { type: ['object', 'boolean', 'null'] } } } },
      graph: { type: 'object', additionalProperties: true, description: 'the graph, as /v1/validate?graph=true gives it' },
    },
  },
  'what the studio needs to build a try form',
);

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

export const accepted = json({ type: 'object', properties: { runId: { type: 'string' } } }, 'accepted');

export const runIdResponse = {
  type: 'object',
  required: ['runId'],
  properties: { runId: { type: 'string' } },
} as const;

export const resultResponse = json(ref('RunResult'), 'the run\'s outcome (status running and output null while it runs)');

/**
 * The JSON Schema of a flow test file (SPEC §11), used to validate `*.test.yaml` before anything
 * runs. Draft-07, like the workflow schema, so yaml-language-server can use it too.
 */

const errorSchema = {
  type: 'object',
  description: 'The error the mocked activity throws.',
  required: ['type'],
  properties: {
    type: { type: 'string', minLength: 1, description: 'Error type, matched by `catch` and `retry.nonRetryable`.' },
    message: { type: 'string' },
    details: { description: 'Any JSON value, visible as `$error.details`.' },
    nonRetryable: { type: 'boolean', description: 'true stops retries whatever the step’s retry policy says.' },
  },
  additionalProperties: false,
} as const;

const answerSchema = {
  type: 'object',
  description: 'One mocked answer: `{ output: … }` or `{ error: { type, message } }`.',
  oneOf: [
    { required: ['output'], properties: { output: {} }, additionalProperties: false },
    { required: ['error'], properties: { error: errorSchema }, additionalProperties: false },
  ],
} as const;

/** The flow test file schema (JSON Schema draft-07). */
export const FLOW_TEST_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://flowline.dev/schema/flow-test.schema.json',
  title: 'Flowline flow test',
  type: 'object',
  required: ['flow', 'cases'],
  properties: {
    $schema: { type: 'string' },
    flow: { type: 'string', minLength: 1, description: 'Path of the flow under test, relative to this file.' },
    description: { type: 'string' },
    cases: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string', minLength: 1, description: 'Shown on the pass/fail line.' },
          description: { type: 'string' },
          input: { description: 'The run input.' },
          signals: {
            type: 'array',
            description: 'Signals delivered right after the start, in order.',
            items: {
              type: 'object',
              required: ['name'],
              properties: { name: { type: 'string', minLength: 1 }, data: {} },
              additionalProperties: false,
            },
          },
          mocks: {
            type: 'object',
            description: 'Activity name → a mocked answer, or a list consumed one per call (the last repeats).',
            additionalProperties: {
              anyOf: [answerSchema, { type: 'array', minItems: 1, items: answerSchema }],
            },
          },
          expect: {
            type: 'object',
            properties: {
              status: {
                enum: ['running', 'completed', 'failed', 'compensated', 'compensation_failed', 'cancelled', 'terminated', 'timed_out'],
              },
              output: { description: 'Deep-equal to the run output.' },
              error: {
                description: 'Subset of the run error, e.g. `{ type: CardDeclined }`; null means no error.',
                anyOf: [
                  { type: 'null' },
                  {
                    type: 'object',
                    properties: { type: { type: 'string' }, message: { type: 'string' }, step: { type: ['string', 'null'] }, details: {} },
                    additionalProperties: false,
                  },
                ],
              },
              calls: { type: 'array', items: { type: 'string' }, description: 'Activity names in call order.' },
              vars: { type: 'object', description: 'Each variable listed must deep-equal the run’s.' },
            },
            additionalProperties: false,
          },
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
} as const;

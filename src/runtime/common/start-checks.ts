/** Checks made before a run starts: the input against the definition's schema and size limit, and the run id. */
import { randomUUID } from 'node:crypto';
import { checkInput } from '../../definition/payload-validation.js';
import type { WorkflowDefinition } from '../../definition/types.js';
import { InputInvalidError, PayloadTooLargeError, type ValidationIssue } from '../../errors.js';
import { jsonByteSize, toJsonValue } from './payload-limits.js';

/**
 * Returns the input as it will be stored (plain JSON), or throws InputInvalidError (schema or
 * not JSON) / PayloadTooLargeError. Pure.
 */
export function checkStartInput(definition: WorkflowDefinition, input: unknown, payloadLimitBytes: number): unknown {
  let value: unknown;
  try {
    value = toJsonValue(input === undefined ? null : input);
  } catch (error) {
    throw new InputInvalidError(`the input of ${definition.name} is not JSON: ${(error as Error).message}`);
  }
  const size = jsonByteSize(value);
  if (size > payloadLimitBytes) throw new PayloadTooLargeError('run input', size, payloadLimitBytes);
  const issues = checkInput(definition, value);
  if (issues.length > 0) {
    const list = issues.map((issue: ValidationIssue) => `${issue.pointer || '/'} ${issue.message}`).join('; ');
    throw new InputInvalidError(`the input of ${definition.name} v${definition.version} does not match its schema: ${list}`, issues);
  }
  return value;
}

const MAX_RUN_ID_LENGTH = 256;

/**
 * The caller's run id, checked (non-empty, at most 256 characters, no control characters), or
 * a fresh random UUID when none is given. Throws InputInvalidError for a malformed id.
 */
export function resolveRunId(id: string | undefined): string {
  if (id === undefined) return randomUUID();
  // eslint-disable-next-line no-control-regex
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_RUN_ID_LENGTH || /[\u0000-\u001f\u007f]/.test(id)) {
    throw new InputInvalidError(`run id must be 1–${MAX_RUN_ID_LENGTH} printable characters`);
  }
  return id;
}

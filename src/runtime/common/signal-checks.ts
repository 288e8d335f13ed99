/** Checks made before a signal is accepted (SPEC §6): the run is running, the name declared, the payload valid and small enough. */
import { checkSignalPayload } from '../../definition/payload-validation.js';
import type { WorkflowDefinition } from '../../definition/types.js';
import { PayloadTooLargeError, RunNotActiveError, SignalNotDeclaredError, SignalPayloadInvalidError } from '../../errors.js';
import type { RunStatus } from '../../interpreter/types.js';
import { jsonByteSize, toJsonValue } from './payload-limits.js';

/**
 * Returns the payload as it will be stored (plain JSON), or throws the typed refusal:
 * RunNotActiveError, SignalNotDeclaredError, SignalPayloadInvalidError, PayloadTooLargeError.
 * Pure; a refused signal must leave nothing stored.
 */
export function checkSignal(
  definition: WorkflowDefinition,
  run: { readonly runId: string; readonly status: RunStatus },
  name: string,
  data: unknown,
  payloadLimitBytes: number,
): unknown {
  if (run.status !== 'running') throw new RunNotActiveError(run.runId, run.status, `signal "${name}" to`);
  if (!Object.prototype.hasOwnProperty.call(definition.signals, name)) {
    throw new SignalNotDeclaredError(name, Object.keys(definition.signals));
  }
  let value: unknown;
  try {
    value = toJsonValue(data === undefined ? null : data);
  } catch (error) {
    throw new SignalPayloadInvalidError(name, [{ pointer: '', message: `is not JSON (${(error as Error).message})` }]);
  }
  const size = jsonByteSize(value);
  if (size > payloadLimitBytes) throw new PayloadTooLargeError(`data of signal "${name}"`, size, payloadLimitBytes);
  const issues = checkSignalPayload(definition, name, value);
  if (issues.length > 0) throw new SignalPayloadInvalidError(name, issues);
  return value;
}

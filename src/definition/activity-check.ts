/** With a known set of registered activities (`--activities`), reports `call`s of unknown names. Pure. */
import type { RawIssue } from './issue.js';
import { isRecord, own } from './raw-data.js';
import { walkSteps } from './step-walk.js';
import { didYouMean, preview } from './hints.js';

/**
 * One issue per `call` (compensations included) whose activity is not in `registered`.
 * `source` names where activities come from, for the message (e.g. the module path).
 */
export function checkActivities(document: unknown, registered: ReadonlySet<string>, source = 'the activity module'): RawIssue[] {
  const names = [...registered];
  const issues: RawIssue[] = [];
  walkSteps(document, ({ pointer, step, resolution }) => {
    if (resolution.kind !== 'call' || !isRecord(step)) return;
    const activity = own(step, 'call');
    if (typeof activity !== 'string' || registered.has(activity)) return;
    issues.push({
      pointer: `${pointer}/call`,
      message: `activity \`${preview(activity)}\` is not registered in ${source}`,
      hint: didYouMean(activity, names) ?? (names.length ? `registered: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''}` : 'the module registers no activities'),
    });
  });
  return issues;
}

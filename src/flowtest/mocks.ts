/**
 * The activities a flow test case runs with: its mocks, the real handlers for everything not
 * mocked, and a recorder of the order in which handlers were called.
 */
import { ActivityError } from '../activities/errors.js';
import type { ActivityHandler, ActivityMap } from '../activities/types.js';
import type { Mock, MockAnswer } from './types.js';

/** Activities for one case plus the calls they saw, in order. */
export interface CaseActivities {
  readonly activities: ActivityMap;
  /** Activity names, one entry per handler call (each attempt; compensations and child flows included). */
  readonly calls: string[];
}

function answerOf(mock: Mock, callIndex: number): MockAnswer {
  if (!Array.isArray(mock)) return mock as MockAnswer;
  // A list is consumed one answer per call; once exhausted, the last answer repeats.
  return mock[Math.min(callIndex, mock.length - 1)] as MockAnswer;
}

/** A handler answering from a mock: a deep copy of `output`, or a thrown ActivityError. */
function mockHandler(name: string, mock: Mock): ActivityHandler {
  let callIndex = 0;
  return () => {
    const answer = answerOf(mock, callIndex++);
    if ('error' in answer) {
      const { type, message, details, nonRetryable } = answer.error;
      throw new ActivityError(type, message ?? `mocked ${type} from ${name}`, {
        nonRetryable: nonRetryable ?? false,
        ...(details === undefined ? {} : { details }),
      });
    }
    return answer.output === undefined ? null : structuredClone(answer.output);
  };
}

/**
 * Combine real handlers and mocks (mocks win) and record every call. Activities neither mocked
 * nor registered stay unregistered, so the run fails with `ActivityNotFound` as it would in production.
 */
export function caseActivities(real: ActivityMap, mocks: Readonly<Record<string, Mock>> = {}): CaseActivities {
  const calls: string[] = [];
  const activities: Record<string, ActivityHandler> = {};
  const record = (name: string, handler: ActivityHandler): ActivityHandler => (input, ctx) => {
    calls.push(name);
    return handler(input, ctx);
  };
  for (const [name, handler] of Object.entries(real)) activities[name] = record(name, handler);
  for (const [name, mock] of Object.entries(mocks)) activities[name] = record(name, mockHandler(name, mock));
  return { activities, calls };
}

/** Maps each step kind to its module (exhaustive: a new kind does not compile until it is handled). */
import type { StepKind } from '../definition/types.js';
import type { StepKindHandler } from './context.js';
import { call } from './steps/call.js';
import { continueAsNew } from './steps/continue-as-new.js';
import { compensate } from './steps/compensate.js';
import { fail } from './steps/fail.js';
import { forEach } from './steps/for-each.js';
import { parallel } from './steps/parallel.js';
import { repeat } from './steps/repeat.js';
import { returnStep } from './steps/return.js';
import { sequence } from './steps/sequence.js';
import { set } from './steps/set.js';
import { switchStep } from './steps/switch.js';
import { wait } from './steps/wait.js';
import { waitSignal } from './steps/wait-signal.js';
import { workflow } from './steps/workflow.js';

/** The handler of a step kind. Pure lookup. */
export function handlerFor(kind: StepKind): StepKindHandler {
  switch (kind) {
    case 'call':
      return call as StepKindHandler;
    case 'steps':
    case 'try':
      return sequence as StepKindHandler;
    case 'parallel':
      return parallel as StepKindHandler;
    case 'forEach':
      return forEach as StepKindHandler;
    case 'switch':
      return switchStep as StepKindHandler;
    case 'repeat':
      return repeat as StepKindHandler;
    case 'wait':
      return wait as StepKindHandler;
    case 'waitSignal':
      return waitSignal as StepKindHandler;
    case 'set':
      return set as StepKindHandler;
    case 'workflow':
      return workflow as StepKindHandler;
    case 'compensate':
      return compensate as StepKindHandler;
    case 'fail':
      return fail as StepKindHandler;
    case 'return':
      return returnStep as StepKindHandler;
    case 'continueAsNew':
      return continueAsNew as StepKindHandler;
    default: {
      const never: never = kind;
      throw new Error(`unknown step kind ${String(never)}`);
    }
  }
}

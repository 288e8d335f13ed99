/** The activity registry: dotted activity names mapped to their handlers. */
import { ActivityModuleError } from '../errors.js';
import type { ActivityHandler, ActivityMap } from './types.js';

const NAME = /^[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$-]*)*$/;

/** A mutable set of handlers looked up by name. Owned by one engine. */
export class ActivityRegistry {
  private readonly handlers = new Map<string, ActivityHandler>();

  /** Builds a registry from an activity map; throws ActivityModuleError on a non-function or a malformed name. */
  constructor(activities: ActivityMap = {}) {
    for (const [name, handler] of Object.entries(activities)) this.register(name, handler);
  }

  /** Adds or replaces the handler of `name`. Throws ActivityModuleError when the name or handler is malformed. */
  register(name: string, handler: ActivityHandler): void {
    if (!NAME.test(name)) {
      throw new ActivityModuleError(`activity name "${name}" is not a dotted name like "inventory.reserve"`);
    }
    if (typeof handler !== 'function') {
      throw new ActivityModuleError(`activity "${name}" is not a function (got ${handler === null ? 'null' : typeof handler})`);
    }
    this.handlers.set(name, handler);
  }

  /** The handler of `name`, or undefined when none is registered. Pure. */
  get(name: string): ActivityHandler | undefined {
    return this.handlers.get(name);
  }

  has(name: string): boolean {
    return this.handlers.has(name);
  }

  /** Registered names, sorted. */
  names(): string[] {
    return [...this.handlers.keys()].sort();
  }
}

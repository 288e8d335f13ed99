/** The embedded runtime's deployed definitions: immutable by name + version, latest chosen by default (SPEC §7). */
import type { WorkflowDefinition } from '../../definition/types.js';
import { DefinitionConflictError, DefinitionNotFoundError } from '../../errors.js';
import type { DeployResult } from '../engine.js';

/** Name → version → definition, in memory. */
export class DefinitionRegistry {
  private readonly byName = new Map<string, Map<number, WorkflowDefinition>>();

  /** Registers a definition. Same digest again: no-op (`created: false`); different digest: DefinitionConflictError. */
  deploy(definition: WorkflowDefinition): DeployResult {
    const versions = this.byName.get(definition.name) ?? new Map<number, WorkflowDefinition>();
    const existing = versions.get(definition.version);
    if (existing) {
      if (existing.digest !== definition.digest) throw new DefinitionConflictError(definition.name, definition.version);
      return { name: definition.name, version: definition.version, created: false };
    }
    versions.set(definition.version, definition);
    this.byName.set(definition.name, versions);
    return { name: definition.name, version: definition.version, created: true };
  }

  /** The named version, or the highest deployed one. Throws DefinitionNotFoundError. */
  resolve(name: string, version?: number): WorkflowDefinition {
    const versions = this.byName.get(name);
    if (versions && version !== undefined) {
      const found = versions.get(version);
      if (found) return found;
    } else if (versions && versions.size > 0) {
      return versions.get(Math.max(...versions.keys())) as WorkflowDefinition;
    }
    throw new DefinitionNotFoundError(name, version);
  }
}

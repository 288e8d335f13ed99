/** The embedded runtime's deployed definitions: immutable by name + version, latest chosen by default (SPEC §7). */
import type { WorkflowDefinition } from '../../definition/types.js';
import { DefinitionConflictError, DefinitionNotFoundError } from '../../errors.js';
import type { DefinitionSummary, DeployedDefinition, DeployResult } from '../engine.js';

/** Name → version → definition, in memory. */
export class DefinitionRegistry {
  private readonly byName = new Map<string, Map<number, WorkflowDefinition>>();
  /** Source texts by `name@version`, when deployed with one. */
  private readonly sources = new Map<string, string>();

  /** Registers a definition. Same digest again: no-op (`created: false`); different digest: DefinitionConflictError. */
  deploy(definition: WorkflowDefinition, source?: string): DeployResult {
    const key = `${definition.name}@${definition.version}`;
    // The first text deployed is kept; the same content deployed again from code keeps it.
    const keepSource = (): void => {
      if (source !== undefined && !this.sources.has(key)) this.sources.set(key, source);
    };
    const versions = this.byName.get(definition.name) ?? new Map<number, WorkflowDefinition>();
    const existing = versions.get(definition.version);
    if (existing) {
      if (existing.digest !== definition.digest) throw new DefinitionConflictError(definition.name, definition.version);
      keepSource();
      return { name: definition.name, version: definition.version, created: false };
    }
    versions.set(definition.version, definition);
    keepSource();
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

  /** Every name with its versions, names in order. */
  list(): DefinitionSummary[] {
    return [...this.byName.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, versions]) => {
        const numbers = [...versions.keys()].sort((a, b) => a - b);
        return { name, versions: numbers, latest: numbers[numbers.length - 1] as number };
      });
  }

  /** One version with its source text. Throws DefinitionNotFoundError. */
  read(name: string, version: number): DeployedDefinition {
    const definition = this.resolve(name, version);
    return { definition, source: this.sources.get(`${name}@${version}`) ?? null };
  }
}

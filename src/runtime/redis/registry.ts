/**
 * The definition registry on Redis: each name+version is stored immutably (same digest again is
 * a no-op, a different digest is refused), the latest version is tracked, and definitions are
 * cached in memory by digest (a pinned definition never changes, so the cache never goes stale).
 */
import type { WorkflowDefinition } from '../../definition/types.js';
import { DefinitionNotFoundError } from '../../errors.js';
import type { DeployResult } from '../engine.js';
import { CorruptStateError, ScriptCode, errorForCode } from './errors.js';
import type { KeyLayout } from './keys.js';
import type { ScriptedClient } from './scripts.js';

/** Name, version and digest a run is pinned to. */
export interface DefinitionPin {
  readonly name: string;
  readonly version: number;
  readonly digest: string;
}

/** Deployed definitions. Side effects: Redis I/O and an in-process cache. */
export class DefinitionRegistry {
  private readonly byDigest = new Map<string, WorkflowDefinition>();
  /** Deployed versions seen by this process, by `name@version` (immutable once deployed). */
  private readonly byVersion = new Map<string, WorkflowDefinition>();
  /** The latest version of each name as this process last saw it (may be stale: see forStart). */
  private readonly latestSeen = new Map<string, number>();

  constructor(
    private readonly client: ScriptedClient,
    private readonly keys: KeyLayout,
  ) {}

  /** Stores `definition` under its name+version. Throws DefinitionConflictError on a different digest. */
  async deploy(definition: WorkflowDefinition, source?: string): Promise<DeployResult> {
    const code = Number(
      await this.client.flDeployDefinition(
        this.keys.definitions(definition.name),
        definition.version,
        definition.digest,
        JSON.stringify(definition),
      ),
    );
    if (code !== ScriptCode.Ok && code !== ScriptCode.NoChange) {
      throw errorForCode(code, { name: definition.name, version: definition.version });
    }
    // The names set spans workflows (another slot): written after, idempotently. The source text
    // (`s:<n>`) likewise: HSETNX keeps the first text of an immutable version.
    await this.client.sadd(this.keys.definitionNames, definition.name);
    if (source !== undefined) await this.client.hsetnx(this.keys.definitions(definition.name), `s:${definition.version}`, source);
    this.byDigest.set(definition.digest, definition);
    // This deploy may have made a new latest version: the next start resolves it again.
    this.latestSeen.delete(definition.name);
    return { name: definition.name, version: definition.version, created: code === ScriptCode.Ok };
  }

  /** The definition of `name` at `version` (latest when absent). Throws DefinitionNotFoundError. */
  async get(name: string, version?: number): Promise<WorkflowDefinition> {
    const key = this.keys.definitions(name);
    // Version and digest in one round trip; the JSON only when this digest is not cached yet.
    const [resolved, digest] = (await this.client.flResolveDefinition(key, version ?? '')) as [number, string | null];
    if (!resolved) throw new DefinitionNotFoundError(name, version);
    if (digest === null) throw new DefinitionNotFoundError(name, version ?? resolved);
    if (version === undefined) this.latestSeen.set(name, resolved);
    const cached = this.byDigest.get(digest);
    if (cached) {
      this.byVersion.set(`${name}@${resolved}`, cached);
      return cached;
    }
    const text = await this.client.hget(key, `v:${resolved}`);
    if (text === null) throw new DefinitionNotFoundError(name, version ?? resolved);
    const definition = parse(text, name, resolved);
    this.byDigest.set(digest, definition);
    this.byVersion.set(`${name}@${resolved}`, definition);
    return definition;
  }

  /**
   * The definition a new run starts on, without a round trip when this process has seen it: a
   * named version is immutable once deployed; the latest version comes with `latestCheck`, for
   * the create commit to refuse (LatestVersionMovedError) if a newer version was deployed since.
   * Throws DefinitionNotFoundError.
   */
  async forStart(name: string, version?: number): Promise<{ definition: WorkflowDefinition; latestCheck?: { definitionsKey: string; version: number } }> {
    const wanted = version ?? this.latestSeen.get(name);
    const cached = wanted === undefined ? undefined : this.byVersion.get(`${name}@${wanted}`);
    if (cached) {
      if (version !== undefined) return { definition: cached };
      return { definition: cached, latestCheck: { definitionsKey: this.keys.definitions(name), version: cached.version } };
    }
    return { definition: await this.get(name, version) };
  }

  /** Forgets the latest version seen of `name` (a start found it stale). */
  forgetLatest(name: string): void {
    this.latestSeen.delete(name);
  }

  /** The exact definition a run is pinned to (from cache when possible). */
  async pinned(pin: DefinitionPin): Promise<WorkflowDefinition> {
    const cached = this.byDigest.get(pin.digest);
    if (cached) return cached;
    const definition = await this.get(pin.name, pin.version);
    if (definition.digest !== pin.digest) {
      throw new CorruptStateError(`${pin.name} v${pin.version} in Redis has digest ${definition.digest}, the run pins ${pin.digest}`);
    }
    return definition;
  }

  /** The source text a version was deployed from, or null (deployed from code, or before sources were kept). */
  async source(name: string, version: number): Promise<string | null> {
    return this.client.hget(this.keys.definitions(name), `s:${version}`);
  }

  /** Every deployed name with its versions (ascending) and latest. */
  async list(): Promise<{ name: string; versions: number[]; latest: number }[]> {
    const names = (await this.client.smembers(this.keys.definitionNames)).sort();
    const out: { name: string; versions: number[]; latest: number }[] = [];
    for (const name of names) {
      const fields = await this.client.hkeys(this.keys.definitions(name));
      const versions = fields
        .filter((f) => f.startsWith('d:'))
        .map((f) => Number(f.slice(2)))
        .sort((a, b) => a - b);
      if (versions.length) out.push({ name, versions, latest: versions[versions.length - 1] });
    }
    return out;
  }
}

function parse(text: string, name: string, version: number): WorkflowDefinition {
  try {
    return JSON.parse(text) as WorkflowDefinition;
  } catch {
    throw new CorruptStateError(`the stored definition of ${name} v${version} is not valid JSON`);
  }
}

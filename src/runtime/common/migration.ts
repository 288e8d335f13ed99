/**
 * Moving runs to another version, written once for both runtimes (docs/decisions/0015): the plan,
 * the RunMigrated event that carries it out, and the report each caller gets. Pure.
 */
import type { WorkflowDefinition } from '../../definition/types.js';
import { MigrationBlockedError } from '../../errors.js';
import { planMigration, type MigrationPlan } from '../../interpreter/index.js';
import type { RunState } from '../../interpreter/types.js';
import type { MigrateOptions, MigrationReport } from '../engine.js';
import type { EventInput } from './events.js';

/** Default bound of `migrateMany`. */
export const DEFAULT_MIGRATE_MANY_LIMIT = 1000;

/** What to do about one run: report a plan as it is, or apply `event`. */
export type MigrationStep =
  | { readonly kind: 'report'; readonly report: MigrationReport }
  | { readonly kind: 'apply'; readonly plan: MigrationPlan; readonly event: EventInput };

/**
 * Plans moving `state` (pinned to `source`) to `target`. A dry run or a blocked plan is reported
 * as it is (`throwWhenBlocked`: a blocked plan throws MigrationBlockedError instead); an allowed
 * one gives the RunMigrated event to decide. Pure.
 */
export function migrationStep(
  source: WorkflowDefinition,
  target: WorkflowDefinition,
  state: RunState,
  options: MigrateOptions,
  throwWhenBlocked: boolean,
): MigrationStep {
  const plan = planMigration(source, target, state);
  if (!plan.allowed) {
    if (throwWhenBlocked && !options.dryRun) throw new MigrationBlockedError(state.runId, plan.fromVersion, plan.toVersion, plan.blockers);
    return { kind: 'report', report: migrationReport(state.runId, plan, state.status === 'running' ? 'blocked' : 'skipped') };
  }
  if (options.dryRun) return { kind: 'report', report: migrationReport(state.runId, plan, 'planned') };
  return {
    kind: 'apply',
    plan,
    event: { type: 'RunMigrated', from: { version: source.version, digest: source.digest }, to: { version: target.version, digest: target.digest }, remap: plan.remap },
  };
}

/** The report of one run. Pure. */
export function migrationReport(runId: string, plan: MigrationPlan, outcome: MigrationReport['outcome']): MigrationReport {
  const { remap: _remap, ...visible } = plan;
  return { runId, ...visible, outcome };
}

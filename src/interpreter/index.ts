/** The interpreter core's public surface (pure: decide, replay, queries and the core's data types). */
export { decide, isTerminal, type DecideOptions } from './decide.js';
export { replay } from './replay.js';
export { replayStrict, REPLAY_EXPRESSION_TIMEOUT_MS, type StrictReplayOptions } from './strict-replay.js';
export { replayHistory } from './replay-check.js';
export { evaluateQuery } from './query.js';
export { RETRYABLE_STATUSES } from './run-control.js';
export { CoreMisuseError, CoreInvariantError, QueryFailedError, NonDeterminismError, type NonDeterminismDetails } from './errors.js';
export { deterministicUuid } from './determinism.js';
export { awaitsActivity, stepAwaiting, signalWaits, type SignalWait } from './core-state.js';
export { planMigration, type MigrationPlan, type MigrationBlocker, type MigrationMove } from './migrate.js';
export {
  RUN_STATUSES,
  TERMINAL_STATUSES,
  BUILTIN_ERROR_TYPES,
  type RunStatus,
  type ErrorInfo,
  type RunEvent,
  type RunMigratedEvent,
  type MigrationRemap,
  type RunEventType,
  type Command,
  type HistoryEntry,
  type HistoryEntryType,
  type RunState,
  type Decision,
  type EvaluationLimits,
  type EpochMs,
  type TimerPurpose,
  type ScheduleActivityCommand,
  type StartTimerCommand,
  type StartChildCommand,
  type NotifyParentCommand,
  type ReplayReport,
  type ReplayDivergence,
  type RunGeneration,
  type GenerationLink,
} from './types.js';

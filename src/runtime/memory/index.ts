/** The embedded runtime's public surface. */
export { createEmbeddedEngine, EmbeddedEngine, type EmbeddedEngineOptions, type RunOptions, type RunSignal } from './engine.js';
export { ManualClock, SystemClock, type Clock, type TimerHandle } from './clock.js';
export type { PendingTimer } from './timer-table.js';

/** What a commit updates beside the state: the run's pending timers and awaited activities. Pure. */
import type { Command, RunEvent } from '../../interpreter/types.js';

/** The per-run timer and awaited-activity bookkeeping a decision implies. Pure. */
export function bookkeeping(
  commands: readonly Command[],
  events: readonly RunEvent[],
): {
  timersAdded: { seq: number; at: number }[];
  timersRemoved: number[];
  activitiesAdded: number[];
  activitiesRemoved: number[];
} {
  const timersAdded: { seq: number; at: number }[] = [];
  const timersRemoved: number[] = [];
  const activitiesAdded: number[] = [];
  const activitiesRemoved: number[] = [];
  for (const event of events) {
    if (event.type === 'TimerFired') timersRemoved.push(event.seq);
    if (event.type === 'ActivityCompleted' || event.type === 'ActivityFailed') activitiesRemoved.push(event.seq);
  }
  for (const command of commands) {
    if (command.type === 'StartTimer') timersAdded.push({ seq: command.seq, at: command.at });
    else if (command.type === 'CancelTimer') timersRemoved.push(command.seq);
    else if (command.type === 'ScheduleActivity') activitiesAdded.push(command.seq);
    else if (command.type === 'CancelActivity') activitiesRemoved.push(command.seq);
  }
  return { timersAdded, timersRemoved, activitiesAdded, activitiesRemoved };
}

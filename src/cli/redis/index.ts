/** The Redis-runtime verbs of SPEC §9 (deploy, worker, start, signal, query, describe, history, list, result, cancel, terminate, retry, migrate, schedule, replay). */
import type { Command } from 'commander';
import { registerControl } from './control.js';
import { registerDeploy } from './deploy.js';
import { registerMigrate } from './migrate.js';
import { registerDescribe, registerHistory, registerList, registerResult } from './inspect.js';
import { registerReplay } from './replay.js';
import { registerSchedule } from './schedule.js';
import { registerQuery, registerSignal } from './signal.js';
import { registerStart } from './start.js';
import { registerWorker } from './worker.js';

export function registerRedisVerbs(program: Command): void {
  registerDeploy(program);
  registerWorker(program);
  registerStart(program);
  registerSignal(program);
  registerQuery(program);
  registerDescribe(program);
  registerHistory(program);
  registerList(program);
  registerResult(program);
  registerControl(program);
  registerMigrate(program);
  registerSchedule(program);
  registerReplay(program);
}

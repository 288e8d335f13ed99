/** The Redis-runtime verbs of SPEC §9 (deploy, worker, start, signal, query, describe, history, list, result, cancel, terminate, retry, schedule). */
import type { Command } from 'commander';
import { registerControl } from './redis/control.js';
import { registerDeploy } from './redis/deploy.js';
import { registerDescribe, registerHistory, registerList, registerResult } from './redis/inspect.js';
import { registerSchedule } from './redis/schedule.js';
import { registerQuery, registerSignal } from './redis/signal.js';
import { registerStart } from './redis/start.js';
import { registerWorker } from './redis/worker.js';

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
  registerSchedule(program);
}

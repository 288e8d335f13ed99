/** Measures the hand-written BullMQ chain (bench/floor.ts) once, for the profile's comparison. Run: npx tsx bench/profile-floor.ts */
import { measureFloor } from './floor.js';

const result = await measureFloor({
  redisUrl: 'redis://127.0.0.1:6379',
  prefix: `flprof-floor-${process.pid}`,
  flows: 500,
  stepsPerFlow: 3,
  concurrency: 50,
  unloadedFlows: 100,
});
console.log(JSON.stringify(result));
process.exit(0);

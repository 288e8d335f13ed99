/** No-op activities for the benchmarks (`flowline worker --activities bench/noop-activities.ts`): each returns at once, so a bench measures the runtime, not the work. */
import type { ActivityMap } from '../src/activities/types.js';

const activities: ActivityMap = {
  'bench.noop': () => null,
};

export default activities;

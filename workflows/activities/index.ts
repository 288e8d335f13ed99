/**
 * Every example's activities in one module, so `--activities workflows/activities/index.ts` works
 * for every flow in workflows/. The default export shares one set of in-memory stores for the
 * whole process; `createActivities()` makes a fresh set (flow tests call it once per case).
 */
import type { ActivityMap } from '../../src/activities/types.js';
import { createBatchActivities } from './batch.js';
import { createPipelineActivities } from './data-pipeline.js';
import { createApprovalActivities } from './human-approval.js';
import { createOrderActivities } from './order-fulfilment.js';
import { createReportActivities } from './scheduled-report.js';
import { createOrchestrationActivities } from './service-orchestration.js';
import { createSubscriptionActivities } from './subscription-renewal.js';

/** A fresh map of every example activity, each example with new, empty in-memory stores. */
export function createActivities(): ActivityMap {
  return {
    ...createOrderActivities().activities,
    ...createPipelineActivities().activities,
    ...createBatchActivities().activities,
    ...createOrchestrationActivities().activities,
    ...createReportActivities().activities,
    ...createApprovalActivities().activities,
    ...createSubscriptionActivities().activities,
  };
}

export default createActivities();

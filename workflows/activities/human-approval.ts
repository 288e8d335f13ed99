/**
 * Activities of workflows/human-approval.yaml: an in-memory request register and a notifier that
 * records the reminders and notices it "sends". No outside services.
 */
import { ActivityError } from '../../src/activities/errors.js';
import type { ActivityContext, ActivityMap } from '../../src/activities/types.js';

/** A request in the fake register. */
export interface ApprovalRequest {
  readonly requestId: string;
  readonly requester: string;
  readonly amount: number;
  readonly purpose: string;
  state: 'open' | 'approved' | 'withdrawn';
  approvedBy: string[];
  withdrawnBecause?: string;
}

/** The stores behind one set of approval activities. */
export interface ApprovalStores {
  readonly requests: Map<string, ApprovalRequest>;
  /** Every notification sent, e.g. `reminder manager REQ-0001`. */
  readonly notifications: string[];
}

/** Fresh approval activities with their own register. */
export function createApprovalActivities(): { activities: ActivityMap; stores: ApprovalStores } {
  const stores: ApprovalStores = { requests: new Map(), notifications: [] };
  const byKey = new Map<string, string>();
  const find = (requestId: string): ApprovalRequest => {
    const request = stores.requests.get(requestId);
    if (!request) throw new ActivityError('RequestNotFound', `no request ${requestId}`, { nonRetryable: true });
    return request;
  };

  const activities: ActivityMap = {
    'approvals.open': (input: { requester: string; amount: number; purpose: string }, ctx: ActivityContext) => {
      // One request per step execution, however often the attempt is delivered.
      const known = byKey.get(ctx.idempotencyKey);
      if (known) return { requestId: known };
      const requestId = `REQ-${String(stores.requests.size + 1).padStart(4, '0')}`;
      stores.requests.set(requestId, { requestId, ...input, state: 'open', approvedBy: [] });
      byKey.set(ctx.idempotencyKey, requestId);
      return { requestId };
    },

    'approvals.remind': (input: { requestId: string; level: string }) => {
      find(input.requestId);
      stores.notifications.push(`reminder ${input.level} ${input.requestId}`);
      return { reminded: input.level };
    },

    'approvals.close': (input: { requestId: string; approvedBy: string[] }) => {
      const request = find(input.requestId);
      request.state = 'approved';
      request.approvedBy = input.approvedBy;
      stores.notifications.push(`approved ${input.requestId} for ${request.requester}`);
      return { requestId: input.requestId, state: request.state };
    },

    'approvals.withdraw': (input: { requestId: string; reason?: string }) => {
      const request = find(input.requestId);
      if (request.state !== 'withdrawn') {
        request.state = 'withdrawn';
        request.withdrawnBecause = input.reason ?? 'unknown';
        stores.notifications.push(`withdrawn ${input.requestId} (${request.withdrawnBecause})`);
      }
      return { requestId: input.requestId, state: request.state };
    },
  };
  return { activities, stores };
}

export default createApprovalActivities().activities;

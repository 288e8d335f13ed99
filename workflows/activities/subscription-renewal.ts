/**
 * Activities of workflows/subscription-renewal.yaml: a fake payment partner (its charges, with a
 * customer whose card is always declined), receipts and customer notices. No outside services.
 */
import { ActivityError } from '../../src/activities/errors.js';
import type { ActivityMap } from '../../src/activities/types.js';

/** Monthly price of each plan. */
export const PLAN_PRICES: Readonly<Record<string, number>> = { basic: 9, pro: 29 };

/** The customer whose card the fake partner always declines. */
export const DECLINED_CUSTOMER = 'mallory';

/** What the fakes recorded. */
export interface SubscriptionStores {
  /** Charges by id; a retried charge with the same idempotency key is charged once. */
  readonly charges: Map<string, { customer: string; period: number; amount: number }>;
  readonly receipts: string[];
  readonly notices: { customer: string; reason: string }[];
}

/** Fresh subscription activities with empty stores. */
export function createSubscriptionActivities(): { activities: ActivityMap; stores: SubscriptionStores } {
  const stores: SubscriptionStores = { charges: new Map(), receipts: [], notices: [] };
  const byKey = new Map<string, string>();

  const activities: ActivityMap = {
    'paymentPartner.charge': (input: { customer: string; plan: string; period: number }, ctx) => {
      if (input.customer === DECLINED_CUSTOMER) {
        throw new ActivityError('CardDeclined', `the card of ${input.customer} was declined`, { nonRetryable: true });
      }
      const amount = PLAN_PRICES[input.plan];
      if (amount === undefined) throw new ActivityError('UnknownPlan', `no plan ${input.plan}`, { nonRetryable: true });
      // The partner deduplicates by idempotency key: a retry after a lost answer is not charged twice.
      let chargeId = byKey.get(ctx.idempotencyKey);
      if (!chargeId) {
        chargeId = `ch-${input.customer}-${input.period}`;
        byKey.set(ctx.idempotencyKey, chargeId);
        stores.charges.set(chargeId, { customer: input.customer, period: input.period, amount });
      }
      return { chargeId, amount };
    },

    'subscriptions.sendReceipt': (input: { customer: string; chargeId: string; amount: number }) => {
      const receiptId = `rc-${String(stores.receipts.length + 1).padStart(4, '0')}`;
      stores.receipts.push(receiptId);
      return { receiptId, to: input.customer, amount: input.amount };
    },

    'subscriptions.notify': (input: { customer: string; reason: string }) => {
      stores.notices.push({ customer: input.customer, reason: input.reason });
      return { sent: true };
    },
  };
  return { activities, stores };
}

/**
 * Activities of workflows/service-orchestration.yaml and its child credit-check.yaml: fakes of a
 * CRM, an order service, two recommendation services and a credit bureau, backed by in-memory
 * data. No outside services.
 */
import { ActivityError } from '../../src/activities/errors.js';
import type { ActivityMap } from '../../src/activities/types.js';

/** Customers the fake CRM knows. */
export const CUSTOMERS: Readonly<Record<string, { name: string; tier: string; creditScore: number }>> = {
  'cust-1': { name: 'Ada Lovelace', tier: 'gold', creditScore: 780 },
  'cust-2': { name: 'Charles Babbage', tier: 'silver', creditScore: 610 },
  'cust-3': { name: 'New Customer', tier: 'bronze', creditScore: 420 },
};

/** Recent orders per customer; `cust-3` has none and its order history service is down. */
export const ORDERS: Readonly<Record<string, readonly { orderId: string; total: number }[]>> = {
  'cust-1': [
    { orderId: 'o-9', total: 120 },
    { orderId: 'o-8', total: 35 },
    { orderId: 'o-7', total: 60 },
    { orderId: 'o-6', total: 12 },
  ],
  'cust-2': [{ orderId: 'o-5', total: 80 }],
};

/** Fresh service-orchestration activities. `calls` counts calls per activity (for tests). */
export function createOrchestrationActivities(): { activities: ActivityMap; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const count = (name: string): void => {
    calls.set(name, (calls.get(name) ?? 0) + 1);
  };

  const activities: ActivityMap = {
    'crm.getAccount': (input: { customerId: string }) => {
      count('crm.getAccount');
      const customer = CUSTOMERS[input.customerId];
      if (!customer) throw new ActivityError('CustomerNotFound', `no customer ${input.customerId}`, { nonRetryable: true });
      return { customerId: input.customerId, name: customer.name, tier: customer.tier };
    },

    'orders.recent': (input: { customerId: string; limit: number }) => {
      count('orders.recent');
      const orders = ORDERS[input.customerId];
      if (!orders) throw new ActivityError('OrdersUnavailable', `order history of ${input.customerId} is unavailable`);
      return orders.slice(0, input.limit);
    },

    // The personalised service only knows gold customers; others fail fast so the fallback wins.
    'recs.personalised': (input: { customerId: string }) => {
      count('recs.personalised');
      if (CUSTOMERS[input.customerId]?.tier !== 'gold') {
        throw new ActivityError('NoProfile', `no personalised profile for ${input.customerId}`, { nonRetryable: true });
      }
      return { source: 'personalised', items: ['telescope', 'brass gears'] };
    },

    'recs.popular': () => {
      count('recs.popular');
      return { source: 'popular', items: ['notebook', 'pencil'] };
    },

    'credit.score': (input: { customerId: string }) => {
      count('credit.score');
      const customer = CUSTOMERS[input.customerId];
      if (!customer) throw new ActivityError('NoCreditFile', `no credit file for ${input.customerId}`, { nonRetryable: true });
      return { customerId: input.customerId, score: customer.creditScore };
    },
  };
  return { activities, calls };
}

export default createOrchestrationActivities().activities;

/**
 * Activities of workflows/scheduled-report.yaml: fakes of a sales database, a support desk, a
 * report renderer and an outbox, backed by in-memory data. No outside services.
 */
import type { ActivityMap } from '../../src/activities/types.js';

/** Sales per day in the fake database; days not listed had no orders. */
export const SALES: Readonly<Record<string, { orders: number; revenue: number }>> = {
  '2026-03-01': { orders: 42, revenue: 3150.5 },
  '2026-03-02': { orders: 7, revenue: 410 },
};

/** Support tickets per day; days not listed had none. */
export const TICKETS: Readonly<Record<string, { tickets: number; solved: number }>> = {
  '2026-03-01': { tickets: 12, solved: 11 },
  '2026-03-03': { tickets: 2, solved: 2 },
};

/** Fresh report activities; `outbox` holds every mail "sent". */
export function createReportActivities(): { activities: ActivityMap; outbox: { to: string[]; subject: string; body: string }[] } {
  const outbox: { to: string[]; subject: string; body: string }[] = [];
  const sentKeys = new Set<string>();
  const activities: ActivityMap = {
    'reports.salesSummary': (input: { day: string }) => ({ day: input.day, ...(SALES[input.day] ?? { orders: 0, revenue: 0 }) }),

    'reports.supportSummary': (input: { day: string }) => ({ day: input.day, ...(TICKETS[input.day] ?? { tickets: 0, solved: 0 }) }),

    'reports.render': (input: {
      day: string;
      sales: { orders: number; revenue: number };
      support: { tickets: number; solved: number };
    }) => {
      const headline = `${input.sales.orders} orders, ${input.support.tickets} tickets`;
      const text = [
        `Report for ${input.day}`,
        `Sales: ${input.sales.orders} orders, revenue ${input.sales.revenue.toFixed(2)}`,
        `Support: ${input.support.tickets} tickets, ${input.support.solved} solved`,
      ].join('\n');
      return { headline, text };
    },

    // Sending is keyed by the idempotency key: a retried attempt never mails twice.
    'reports.email': (input: { to: string[]; subject: string; body: string }, ctx) => {
      if (!sentKeys.has(ctx.idempotencyKey)) {
        sentKeys.add(ctx.idempotencyKey);
        outbox.push({ to: input.to, subject: input.subject, body: input.body });
      }
      return { messageId: `msg-${sentKeys.size}`, recipients: input.to.length };
    },
  };
  return { activities, outbox };
}

export default createReportActivities().activities;

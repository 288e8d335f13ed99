/**
 * Activities of workflows/order-fulfilment.yaml: realistic fakes of an inventory service, a payment
 * provider, a notifier and a carrier, backed by in-memory stores. No outside services.
 */
import { ActivityError } from '../../src/activities/errors.js';
import type { ActivityContext, ActivityMap } from '../../src/activities/types.js';

/** Stock and prices the fake inventory starts with. */
export const CATALOGUE: Readonly<Record<string, { stock: number; unitPrice: number }>> = {
  A1: { stock: 100, unitPrice: 10 },
  B2: { stock: 5, unitPrice: 25 },
  C3: { stock: 0, unitPrice: 99 },
};

/** Customers whose cards the fake payment provider declines. */
export const DECLINED_CUSTOMERS: readonly string[] = ['mallory'];

interface Reservation {
  readonly reservationId: string;
  readonly sku: string;
  readonly qty: number;
  released: boolean;
}
interface Charge {
  readonly chargeId: string;
  readonly amount: number;
  refunded: boolean;
}

/** The stores behind one set of order activities; tests read them to check side effects. */
export interface OrderStores {
  readonly stock: Map<string, number>;
  readonly reservations: Map<string, Reservation>;
  readonly charges: Map<string, Charge>;
  readonly shipments: Map<string, { trackingNumber: string; orderId: string }>;
  readonly escalations: string[];
}

/**
 * Fresh order activities with their own stores. Every write is keyed by the step's
 * idempotencyKey, so a retried or re-delivered attempt returns the first result instead of
 * reserving, charging or shipping twice.
 */
export function createOrderActivities(): { activities: ActivityMap; stores: OrderStores } {
  const stores: OrderStores = {
    stock: new Map(Object.entries(CATALOGUE).map(([sku, item]) => [sku, item.stock])),
    reservations: new Map(),
    charges: new Map(),
    shipments: new Map(),
    escalations: [],
  };
  let sequence = 0;
  const nextId = (prefix: string): string => `${prefix}-${String(++sequence).padStart(4, '0')}`;

  const activities: ActivityMap = {
    'inventory.reserve': (input: { sku: string; qty: number }, ctx: ActivityContext) => {
      const existing = stores.reservations.get(ctx.idempotencyKey);
      const item = CATALOGUE[input.sku];
      if (existing) return { reservationId: existing.reservationId, sku: existing.sku, qty: existing.qty, unitPrice: item?.unitPrice };
      if (!item) throw new ActivityError('UnknownSku', `no product with sku ${input.sku}`, { nonRetryable: true });
      const available = stores.stock.get(input.sku) ?? 0;
      if (available < input.qty) {
        throw new ActivityError('OutOfStock', `only ${available} of ${input.sku} left, ${input.qty} wanted`, {
          nonRetryable: true,
          details: { sku: input.sku, available, wanted: input.qty },
        });
      }
      stores.stock.set(input.sku, available - input.qty);
      const reservation: Reservation = { reservationId: nextId('res'), sku: input.sku, qty: input.qty, released: false };
      stores.reservations.set(ctx.idempotencyKey, reservation);
      return { reservationId: reservation.reservationId, sku: input.sku, qty: input.qty, unitPrice: item.unitPrice };
    },

    'inventory.release': (input: { reservationId: string }) => {
      const reservation = [...stores.reservations.values()].find((r) => r.reservationId === input.reservationId);
      if (!reservation) throw new ActivityError('ReservationNotFound', `no reservation ${input.reservationId}`, { nonRetryable: true });
      if (!reservation.released) {
        reservation.released = true;
        stores.stock.set(reservation.sku, (stores.stock.get(reservation.sku) ?? 0) + reservation.qty);
      }
      return { reservationId: reservation.reservationId, released: true };
    },

    'payments.charge': (input: { customer: string; amount: number }, ctx: ActivityContext) => {
      const existing = stores.charges.get(ctx.idempotencyKey);
      if (existing) return { chargeId: existing.chargeId, amount: existing.amount };
      if (DECLINED_CUSTOMERS.includes(input.customer)) {
        throw new ActivityError('CardDeclined', `the card of ${input.customer} was declined`, { nonRetryable: true });
      }
      const charge: Charge = { chargeId: nextId('ch'), amount: input.amount, refunded: false };
      stores.charges.set(ctx.idempotencyKey, charge);
      return { chargeId: charge.chargeId, amount: charge.amount };
    },

    'payments.refund': (input: { chargeId: string; reason?: string }) => {
      const charge = [...stores.charges.values()].find((c) => c.chargeId === input.chargeId);
      if (!charge) throw new ActivityError('ChargeNotFound', `no charge ${input.chargeId}`, { nonRetryable: true });
      charge.refunded = true;
      return { chargeId: charge.chargeId, refunded: charge.amount, reason: input.reason ?? null };
    },

    'notifications.escalate': (input: { orderId: string }) => {
      stores.escalations.push(input.orderId);
      return { notified: 'on-call-lead', orderId: input.orderId };
    },

    'shipping.create': (input: { orderId: string; address?: string }, ctx: ActivityContext) => {
      const existing = stores.shipments.get(ctx.idempotencyKey);
      if (existing) return existing;
      const shipment = { orderId: input.orderId, trackingNumber: nextId('TRK'), carrier: 'fake-post', address: input.address ?? 'on file' };
      stores.shipments.set(ctx.idempotencyKey, shipment);
      return shipment;
    },
  };
  return { activities, stores };
}

/** The activities `flowline run --activities` registers for this example (one shared store). */
export default createOrderActivities().activities;

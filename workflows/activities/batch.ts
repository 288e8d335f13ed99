/**
 * Activities of workflows/batch.yaml: an in-memory product catalogue, a pricing service that
 * fails transiently on some chunks' first attempt, and a report store. No outside services.
 */
import { ActivityError } from '../../src/activities/errors.js';
import type { ActivityContext, ActivityMap } from '../../src/activities/types.js';

/** A product of the fake catalogue. `discontinued` products are skipped, not re-priced. */
export interface Product {
  readonly sku: string;
  price: number;
  readonly discontinued: boolean;
}

/** Catalogues the fake serves: `spring` has 120 products (every 17th discontinued); `locked` refuses changes. */
export function makeCatalogue(size: number): Product[] {
  return Array.from({ length: size }, (_, i) => ({
    sku: `P${String(i + 1).padStart(4, '0')}`,
    price: 10 + (i % 7),
    discontinued: (i + 1) % 17 === 0,
  }));
}

/** The stores behind one set of batch activities. */
export interface BatchStores {
  readonly catalogues: Map<string, Product[]>;
  readonly reports: Map<string, unknown>;
  /** Every attempt the pricing service saw, as `chunkNo/attempt`. */
  readonly attempts: string[];
}

/** Fresh batch activities with their own catalogue. */
export function createBatchActivities(): { activities: ActivityMap; stores: BatchStores } {
  const stores: BatchStores = {
    catalogues: new Map([
      ['spring', makeCatalogue(120)],
      ['small', makeCatalogue(3)],
      ['locked', makeCatalogue(10)],
    ]),
    reports: new Map(),
    attempts: [],
  };
  const applied = new Set<string>();

  const activities: ActivityMap = {
    'batch.plan': (input: { catalogue: string; chunkSize: number }) => {
      const products = stores.catalogues.get(input.catalogue);
      if (!products) throw new ActivityError('CatalogueNotFound', `no catalogue ${input.catalogue}`, { nonRetryable: true });
      const skus = products.map((p) => p.sku);
      const chunks: string[][] = [];
      for (let i = 0; i < skus.length; i += input.chunkSize) chunks.push(skus.slice(i, i + input.chunkSize));
      return { total: skus.length, chunkSize: input.chunkSize, chunks };
    },

    'batch.processChunk': (
      input: { catalogue: string; chunkNo: number; items: string[]; increasePercent: number },
      ctx: ActivityContext,
    ) => {
      stores.attempts.push(`${input.chunkNo}/${ctx.attempt}`);
      if (input.catalogue === 'locked') {
        throw new ActivityError('CatalogueLocked', 'the catalogue is locked for a stock-take', { nonRetryable: true });
      }
      // The pricing service drops every third chunk's first attempt: the step's retry policy absorbs it.
      if (input.chunkNo % 3 === 1 && ctx.attempt === 1) {
        throw new ActivityError('PricingUnavailable', `pricing service busy (chunk ${input.chunkNo})`);
      }
      const products = new Map((stores.catalogues.get(input.catalogue) ?? []).map((p) => [p.sku, p]));
      let updated = 0;
      const skipped: string[] = [];
      for (const sku of input.items) {
        const product = products.get(sku);
        if (!product || product.discontinued) {
          skipped.push(sku);
          continue;
        }
        // Keyed by idempotencyKey + sku: a re-delivered attempt never raises a price twice.
        const key = `${ctx.idempotencyKey}:${sku}`;
        if (!applied.has(key)) {
          applied.add(key);
          product.price = Math.round(product.price * (100 + input.increasePercent)) / 100;
        }
        updated += 1;
      }
      return { chunkNo: input.chunkNo, updated, skipped, attempts: ctx.attempt };
    },

    'batch.report': (input: { catalogue: string; results: { chunkNo: number; updated: number; skipped: string[]; attempts: number }[] }) => {
      const results = input.results ?? [];
      const report = {
        catalogue: input.catalogue,
        chunks: results.length,
        updated: results.reduce((n, r) => n + r.updated, 0),
        skipped: results.flatMap((r) => r.skipped),
        retriedChunks: results.filter((r) => r.attempts > 1).map((r) => r.chunkNo),
      };
      stores.reports.set(input.catalogue, report);
      return report;
    },
  };
  return { activities, stores };
}

export default createBatchActivities().activities;

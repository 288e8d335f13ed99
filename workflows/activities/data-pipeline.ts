/**
 * Activities of workflows/data-pipeline.yaml: an in-memory "source system" to extract from, a
 * record cleaner, a quarantine store and a warehouse to load into. No outside services.
 */
import { ActivityError } from '../../src/activities/errors.js';
import type { ActivityMap } from '../../src/activities/types.js';

/** A raw record as the source system has it. */
export interface RawRecord {
  readonly id: string;
  readonly name?: string;
  readonly email?: string;
  readonly country?: string;
}

/** The data sets the fake source system serves, by name. */
export const SOURCES: Readonly<Record<string, readonly RawRecord[]>> = {
  'customers-2024': [
    { id: 'c1', name: '  ada LOVELACE ', email: 'ADA@example.com', country: 'gb' },
    { id: 'c2', name: 'Grace Hopper', email: 'grace@example.com', country: 'us' },
    { id: 'c3', name: 'Alan Turing', email: 'not-an-email', country: 'gb' },
    { id: 'c4', name: 'Katherine Johnson', email: 'kj@example.com', country: 'US' },
    { id: 'c5', email: 'nobody@example.com', country: 'fr' },
    { id: 'c6', name: 'Edsger Dijkstra', email: 'ewd@example.com', country: 'nl' },
  ],
  'customers-clean': [
    { id: 'k1', name: 'Barbara Liskov', email: 'liskov@example.com', country: 'us' },
    { id: 'k2', name: 'Donald Knuth', email: 'knuth@example.com', country: 'us' },
  ],
};

/** A cleaned record: trimmed, title-cased name, lower-case email, upper-case country. */
export interface CleanRecord {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly country: string;
  readonly status: 'ok';
}

/** The stores behind one set of pipeline activities. */
export interface PipelineStores {
  readonly quarantine: { source: string; id: string; reason: string }[];
  readonly warehouse: Map<string, CleanRecord>;
}

const titleCase = (s: string): string =>
  s.trim().toLowerCase().replace(/\s+/g, ' ').replace(/\b\p{L}/gu, (c) => c.toUpperCase());

/** Fresh pipeline activities with their own stores. */
export function createPipelineActivities(): { activities: ActivityMap; stores: PipelineStores } {
  const stores: PipelineStores = { quarantine: [], warehouse: new Map() };
  const activities: ActivityMap = {
    'pipeline.extract': (input: { source: string }) => {
      const records = SOURCES[input.source];
      if (!records) throw new ActivityError('SourceNotFound', `no data set named ${input.source}`, { nonRetryable: true });
      return { source: input.source, records };
    },

    'pipeline.transform': (input: { record: RawRecord }): CleanRecord => {
      const { record } = input;
      if (!record.name) throw new ActivityError('InvalidRecord', `record ${record.id} has no name`, { details: { id: record.id } });
      if (!record.email || !/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(record.email)) {
        throw new ActivityError('InvalidRecord', `record ${record.id} has an invalid email`, { details: { id: record.id } });
      }
      return {
        id: record.id,
        name: titleCase(record.name),
        email: record.email.toLowerCase(),
        country: (record.country ?? 'unknown').toUpperCase(),
        status: 'ok',
      };
    },

    'pipeline.quarantine': (input: { source: string; record: RawRecord; reason: string }) => {
      stores.quarantine.push({ source: input.source, id: input.record.id, reason: input.reason });
      return { id: input.record.id, status: 'quarantined', reason: input.reason };
    },

    'pipeline.load': (input: { source: string; records?: CleanRecord[] }) => {
      // Loading is an upsert by id, so a retried load never duplicates rows.
      const records = input.records ?? [];
      for (const record of records) stores.warehouse.set(record.id, record);
      return { loaded: records.length, warehouseSize: stores.warehouse.size };
    },
  };
  return { activities, stores };
}

export default createPipelineActivities().activities;

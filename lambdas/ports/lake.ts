import type { DuplicateFacts, EventFacts, ImportFacts, OrderFacts } from '../domain/lake/rows.ts';
import type { RequestState } from '../domain/privacy/request.ts';
import type { ProfileState } from '../domain/profile.ts';

/**
 * What the operational stores hold, as the KPI publisher reads it (one pass over the table). The source numbers the
 * profiles it meets (`key` of a profile, `profileKey` of its events and orders): one number per profile id, the same
 * in every part of the scan, unique across parts, small (an int), and the same again for the same table.
 */
export interface LakeVisitor {
  profile(state: ProfileState, key: number): void;
  merged(profileId: string, into: string): void;
  event(facts: EventFacts): void;
  order(facts: OrderFacts): void;
  request(state: RequestState): void;
  duplicate(facts: DuplicateFacts): void;
  /** Called by the source between pages: resolves once the visitor's writes have caught up (back-pressure). */
  drain(): Promise<void>;
}

/** A share of the table scan: part `index` of `count` disjoint parts that together cover the table. */
export interface ScanPart {
  readonly index: number;
  readonly count: number;
}

export interface LakeSource {
  /** Every active profile, merged tombstone, timeline event, order, privacy request and duplicate candidate (of one part of the table). */
  scan(visitor: LakeVisitor, part?: ScanPart): Promise<void>;
  /** The import reports kept in the raw bucket. */
  importReports(): AsyncIterable<ImportFacts>;
}

/** The lake bucket. */
export interface LakeStore {
  put(key: string, bytes: Uint8Array, contentHash: string): Promise<void>;
  /** The content hash an object was written with (undefined when absent or written by something else). */
  contentHash(key: string): Promise<string | undefined>;
  get(key: string): Promise<Uint8Array | undefined>;
  list(prefix: string): AsyncIterable<string>;
  delete(key: string): Promise<void>;
}

/** Athena in AWS, DuckDB on the twin: runs a KPI's SQL over the curated tables. */
export interface SqlEngine {
  /** Makes the curated tables just written visible (the twin mirrors the lake's files; Athena needs nothing). */
  refresh(): Promise<void>;
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** Queries worth running at once (Athena queues them server-side; one DuckDB connection runs one); default 1. */
  readonly concurrency?: number;
}

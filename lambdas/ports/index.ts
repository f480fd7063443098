import type { Readable } from 'node:stream';
import type { CanonicalRecord } from '../domain/canonical.ts';
import type { ProfileAttributes } from '../domain/resolve.ts';

export interface ObjectHead {
  readonly body: Readable;
  readonly versionId?: string;
  readonly etag?: string;
  readonly contentLength?: number;
}

/** Objects in a bucket (landing, raw, lake, exports). */
export interface ObjectStore {
  /** From `range` (a byte offset) to the end; with `ifMatch`, fails if the object changed since. */
  getStream(bucket: string, key: string, options?: { range?: number; ifMatch?: string }): Promise<ObjectHead>;
  /** The object's text, or undefined when there is no such object. */
  getText(bucket: string, key: string): Promise<string | undefined>;
  put(bucket: string, key: string, body: string | Uint8Array, contentType: string): Promise<void>;
}

/** The records queue between ingestion and resolution. */
export interface RecordQueue {
  /** Sends records, packing them into as few requests as the queue allows. */
  send(records: readonly CanonicalRecord[]): Promise<void>;
}

/** Where an import that must continue in a fresh invocation leaves its checkpoint. */
export interface ContinuationQueue {
  schedule(checkpoint: unknown): Promise<void>;
}

export interface StoredProfile {
  readonly profileId: string;
  readonly attributes: ProfileAttributes;
  readonly version: number;
}

/** Profiles, identities and their items in the single table. */
export interface ProfileStore {
  /** Owner profile per identifier key, for those that are claimed. */
  findOwners(identifierKeys: readonly string[]): Promise<Map<string, string>>;
  /** Claims an identifier for a profile; returns the owner afterwards (another profile when it won the race). */
  claim(identifierKey: string, profileId: string, recordId: string): Promise<string>;
  getProfile(profileId: string): Promise<StoredProfile | undefined>;
  /**
   * Applies a record to a profile at most once: timeline event, lineage and survived attributes, conditioned on the
   * profile's version. Returns 'applied', 'duplicate' (the record was applied before) or 'conflict' (retry).
   */
  applyRecord(
    profile: StoredProfile | { profileId: string; version: 0 },
    record: CanonicalRecord,
    attributes: ProfileAttributes,
  ): Promise<'applied' | 'duplicate' | 'conflict'>;
}

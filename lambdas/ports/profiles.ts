import type { CanonicalRecord } from '../domain/canonical.ts';
import type { ProfileState } from '../domain/profile.ts';

/** An identifier value's owners (profile ids), with the version its conditional updates check. */
export interface IdentityItem {
  readonly key: string;
  readonly owners: readonly string[];
  readonly version: number;
}

export type ProfileStatus = 'active' | 'merging' | 'merged';

export interface StoredProfile {
  readonly state: ProfileState;
  readonly status: ProfileStatus;
  /** Where a merging or merged profile goes. */
  readonly into?: string;
  readonly version: number;
}

export interface StoredOrder {
  readonly total?: number;
  readonly placedAt?: string;
  readonly occurredAt: string;
  readonly recordId: string;
}

/** One item of a profile's partition other than the profile itself (timeline events, orders, consents, lineage). */
export interface ProfileItem {
  readonly sk: string;
  readonly [attribute: string]: unknown;
}

/** What applying a record writes besides the profile state. */
export interface RecordWrite {
  readonly record: CanonicalRecord;
  readonly state: ProfileState;
  /** The order item as it should be after this record, when the record changes it. */
  readonly order?: { readonly key: string; readonly item: StoredOrder & Record<string, unknown>; readonly expectedRecordId?: string };
  readonly blocked: readonly { readonly key: string; readonly reason: string; readonly profileId?: string }[];
  /** Identifiers the profile takes ownership of, in the same transaction, each at the version it was read at. */
  readonly claims: readonly { readonly key: string; readonly expected?: IdentityItem }[];
}

/** Profiles, identities and their items in the single table (ARCHITECTURE.md, "Stores"). */
export interface ProfileStore {
  getIdentities(keys: readonly string[]): Promise<Map<string, IdentityItem>>;
  getProfiles(ids: readonly string[]): Promise<Map<string, StoredProfile>>;
  /** Replaces `from` by `to` among an identifier's owners (idempotent). */
  repointIdentity(key: string, from: string, to: string): Promise<void>;
  wasApplied(recordId: string): Promise<boolean>;
  /**
   * Applies a record once, atomically: marker, identifier claims, profile state (conditioned on `version`; 0 creates
   * the profile), timeline event, lineage and order. A profile therefore never exists without its claims, nor a claim
   * without its profile. 'duplicate' when the record was applied before; 'conflict' when anything changed (retry).
   */
  applyRecord(profileId: string, version: number, write: RecordWrite): Promise<'applied' | 'duplicate' | 'conflict'>;

  /** Starts merging `other` into `into`: only from active, at the version read. */
  markMerging(other: string, into: string, version: number): Promise<'ok' | 'conflict'>;
  /** Points a merging profile at a new survivor (its survivor merged on). */
  retargetMerge(other: string, from: string, to: string): Promise<'ok' | 'conflict'>;
  /** Every item of a profile's partition but the profile itself, read consistently. */
  listItems(profileId: string): Promise<ProfileItem[]>;
  /** Moves one item to another profile while that profile is active; 'inactive' when it no longer is. */
  moveItem(from: string, to: string, item: ProfileItem): Promise<'ok' | 'inactive'>;
  /** Orders of a profile (with their sort keys), for recounting totals. */
  listOrders(profileId: string): Promise<(StoredOrder & { readonly sk: string })[]>;
  /** Every active profile (for exports), page by page. */
  listProfiles(): AsyncIterable<StoredProfile>;
  /** Where a profile's records came from: one entry per timeline event. */
  listLineage(profileId: string): Promise<{ source: string; objectKey: string; recordKey: string; line?: number; deliveryId?: string }[]>;
  /** Writes the survivor's merged state and marks `other` merged, atomically. */
  completeMerge(target: string, version: number, state: ProfileState, other: string): Promise<'ok' | 'conflict' | 'alreadyMerged'>;
}

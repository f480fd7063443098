import type { CanonicalRecord } from '../domain/canonical.ts';
import type { FieldComparison, MatchSnapshot } from '../domain/matching.ts';
import type { ProfileState } from '../domain/profile.ts';
import type { SplitPlan } from '../domain/split.ts';

/**
 * An identifier value's owners (the profiles it links), the profiles that carry it without being linked by it (a blocked
 * value such as `info@`, or one past its limit of people), and the version conditional updates check. Lookups (`cdp
 * profiles get`, data-subject requests) find both; only owners link records.
 */
export interface IdentityItem {
  readonly key: string;
  readonly owners: readonly string[];
  readonly carriers: readonly string[];
  readonly version: number;
}

/** Every profile an identifier item names: its owners, then the profiles that carry it unlinked. */
export const holdersOf = (item: IdentityItem | undefined): string[] => (item ? [...new Set([...item.owners, ...item.carriers])] : []);

/**
 * `erasing`: an erasure has begun; nothing is applied or merged into it any more. `splitting`: an unmerge is regrouping
 * it (or, with `splitOf`, it is a group being split off another); whoever meets it finishes the split first.
 */
export type ProfileStatus = 'active' | 'merging' | 'merged' | 'erasing' | 'splitting';

export interface StoredProfile {
  readonly state: ProfileState;
  readonly status: ProfileStatus;
  /** Where a merging or merged profile goes. */
  readonly into?: string;
  /** The unmerge a splitting profile is going through. */
  readonly split?: SplitPlan;
  /** The profile a group being split off comes from. */
  readonly splitOf?: string;
  /**
   * Profiles merging into this one whose merge has not completed (their items may be half moved). An unmerge waits
   * for them: it splits the records the merge brings too.
   */
  readonly incoming?: readonly string[];
  readonly version: number;
}

export interface StoredOrder {
  readonly source?: string;
  readonly orderId?: string;
  /** The vendor's own id of the order, where it is known by another (see Order.ref). */
  readonly ref?: string;
  /** One line of the order (see Order.line): `total` is then the line's amount. */
  readonly line?: string;
  readonly currency?: string;
  readonly total?: number;
  /** As cleaned (lower case): a cancelled or refunded order counts toward no total. */
  readonly status?: string;
  /** A test order (Order.test): it counts toward no total either. */
  readonly test?: boolean;
  readonly placedAt?: string;
  readonly occurredAt: string;
  readonly receivedAt?: string;
  readonly recordId: string;
  /** `orderVersion` of the fields above, kept as one attribute for the merge's condition (DynamoDB compares it). */
  readonly v?: string;
}

/** One record as the profile's timeline keeps it (what access bundles show and erasure follows). */
export interface TimelineEntry {
  readonly recordId: string;
  readonly source: string;
  readonly kind: string;
  readonly occurredAt: string;
  /** When it reached the product, kept only where that came before its date (see knownAt). */
  readonly receivedAt?: string;
  readonly channel?: string;
  readonly identifiers?: readonly { type: string; value: string; namespace?: string }[];
  readonly lineage: { readonly objectKey: string; readonly recordKey: string; readonly line?: number; readonly deliveryId?: string; readonly importId?: string };
  readonly interaction?: unknown;
  readonly order?: unknown;
  readonly consents?: readonly { purpose: string; granted: boolean; at: string; proof?: unknown }[];
  readonly lead?: unknown;
  /** What the record said of its person (an unmerge rebuilds profiles from these). */
  readonly person?: CanonicalRecord['person'];
  readonly company?: CanonicalRecord['company'];
  readonly address?: CanonicalRecord['address'];
  readonly attributes?: CanonicalRecord['attributes'];
  /** Blocking keys its match snapshot is filed under (erasure removes them). */
  readonly blocks?: readonly string[];
}

/** A record's match snapshot as filed under a blocking key. */
export interface FiledSnapshot {
  readonly recordId: string;
  readonly snapshot: MatchSnapshot;
  /**
   * The profile the record had been applied to when it was filed, as its marker said then (merges are not followed,
   * and an unmerge re-points the marker, not this): saves reading the marker. Absent on snapshots filed before it was
   * kept.
   */
  readonly profileId?: string;
}

/**
 * Two records that may be one person: scored between the review and merge thresholds. Named by records, not profiles
 * (profiles merge on); holds the per-field explanation, never the values.
 */
export interface DuplicateCandidate {
  readonly pairId: string;
  readonly records: readonly [string, string];
  readonly score: number;
  readonly fields: readonly FieldComparison[];
  readonly foundAt: string;
  readonly status: 'open' | 'dismissed' | 'merged';
  readonly decidedAt?: string;
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
  /** Blocking keys the record's match snapshot is filed under, kept on its timeline event. */
  readonly blocks?: readonly string[];
  /** Identifiers the profile takes ownership of, in the same transaction, each at the version it was read at. */
  readonly claims: readonly { readonly key: string; readonly expected?: IdentityItem }[];
  /** Identifiers the profile carries without being linked by them, noted among their carriers in the same way. */
  readonly carries?: readonly { readonly key: string; readonly expected?: IdentityItem }[];
}

/** Profiles, identities and their items in the single table (ARCHITECTURE.md, "Stores"). */
export interface ProfileStore {
  getIdentities(keys: readonly string[]): Promise<Map<string, IdentityItem>>;
  getProfiles(ids: readonly string[]): Promise<Map<string, StoredProfile>>;
  /** Replaces `from` by `to` among an identifier's owners and carriers (idempotent). */
  repointIdentity(key: string, from: string, to: string): Promise<void>;
  /**
   * Applies a record once, atomically: marker, identifier claims, profile state (conditioned on `version`; 0 creates
   * the profile), timeline event, lineage and order. A profile therefore never exists without its claims, nor a claim
   * without its profile. 'duplicate' when the record was applied before; 'conflict' when anything changed (retry).
   */
  applyRecord(profileId: string, version: number, write: RecordWrite): Promise<'applied' | 'duplicate' | 'conflict'>;

  /**
   * Starts merging `other` into `into`: only from active, at the version read, and only while `into` is active (with
   * `intoVersion`, at that version: the two profiles as the merge was decided on). `into` notes `other` as incoming
   * until the merge completes.
   */
  markMerging(other: string, into: string, version: number, intoVersion?: number): Promise<'ok' | 'conflict'>;
  /** Points a merging profile at a new survivor (its survivor merged on), which notes it as incoming while active. */
  retargetMerge(other: string, from: string, to: string): Promise<'ok' | 'conflict'>;
  /** Takes ids out of a profile's incoming merges: profiles no longer merging (erased half-way). */
  forgetIncoming(profileId: string, others: readonly string[]): Promise<void>;
  /** Every item of a profile's partition but the profile itself, read consistently; with `prefix`, those whose sort key begins with it. */
  listItems(profileId: string, prefix?: string): Promise<ProfileItem[]>;
  /**
   * Moves one item to another profile while that profile is active; 'inactive' when it no longer is. An item no longer
   * in `from` (another finisher moved it on) is not written again: 'ok'.
   */
  moveItem(from: string, to: string, item: ProfileItem): Promise<'ok' | 'inactive'>;
  /**
   * The profiles holding a whole order (not one of its lines) by its source and id (its ref, for an order that has
   * one: see Order.ref), from an eventually consistent index: one normally; none when no version of it was received
   * (or its holder was erased).
   */
  profilesWithOrder(source: string, id: string): Promise<string[]>;
  /** Orders of a profile (with their sort keys), for recounting totals. */
  listOrders(profileId: string): Promise<(StoredOrder & { readonly sk: string })[]>;
  /**
   * Every listed profile (for exports), page by page: the active ones, and those a merge or an unmerge is under way on
   * (`merging`, and `splitting` without `splitOf`). Merged and erased ones are not listed, nor groups being split off.
   */
  listProfiles(): AsyncIterable<StoredProfile>;
  /** Where a profile's records came from: one entry per timeline event. */
  listLineage(profileId: string): Promise<{ source: string; objectKey: string; recordKey: string; line?: number; deliveryId?: string }[]>;
  /** A profile's timeline: one entry per record applied, decoded. */
  timeline(profileId: string): Promise<TimelineEntry[]>;
  /** The newest `limit` entries of a profile's timeline, newest first (one page: a profile may hold thousands). */
  recentTimeline(profileId: string, limit: number): Promise<TimelineEntry[]>;
  /** Replaces an active profile's state at the version read (rectification, restriction). */
  updateState(profileId: string, version: number, state: ProfileState): Promise<'ok' | 'conflict'>;
  /** Marks a profile as being erased, from any status but merged or splitting; undefined when there is no such profile (or it is splitting). */
  beginErasure(profileId: string): Promise<StoredProfile | undefined>;
  /**
   * Deletes everything of an erased profile: its items, the applied-record markers of its records, the match snapshots
   * they filed, its claims on
   * identifiers (an identifier other people own too keeps them), and last the profile itself.
   */
  eraseProfile(
    profileId: string,
    recordIds: readonly string[],
    identifierKeys: readonly string[],
    filed?: readonly { readonly recordId: string; readonly blocks: readonly string[] }[],
  ): Promise<{ items: number; records: number; identities: number; sharedIdentities: number }>;
  /** Files a record's match snapshot under each blocking key, with the profile it was applied to (idempotent). */
  fileSnapshot(blockKeys: readonly string[], recordId: string, snapshot: MatchSnapshot, profileId: string): Promise<void>;
  /** Removes what fileSnapshot filed. */
  unfileSnapshot(blockKeys: readonly string[], recordId: string): Promise<void>;
  /**
   * Snapshots filed under the keys, each record once; a key holding more than `limit` is skipped. Read consistently
   * unless `consistent` is false (half the read units; a snapshot filed a moment ago may be missed).
   */
  findSnapshots(blockKeys: readonly string[], limit: number, consistent?: boolean): Promise<FiledSnapshot[]>;
  /** The profile each applied record was applied to (merged profiles are not followed); absent when not applied. */
  appliedProfiles(recordIds: readonly string[]): Promise<Map<string, string>>;
  /** One record's marker, read consistently: the profile it was applied to, and whether its matching finished. */
  appliedRecord(recordId: string): Promise<{ readonly profileId: string; readonly matched: boolean } | undefined>;
  /** Notes on an applied record's marker that its matching finished (a no-op when the marker is gone). */
  markMatched(recordId: string): Promise<void>;
  /** Records a duplicate candidate, unless the pair is known already (open, dismissed or merged). */
  putDuplicate(candidate: DuplicateCandidate): Promise<void>;
  getDuplicate(pairId: string): Promise<DuplicateCandidate | undefined>;
  listDuplicates(): Promise<DuplicateCandidate[]>;
  /** Closes an open candidate; 'conflict' when it was not open. */
  decideDuplicate(pairId: string, status: 'dismissed' | 'merged'): Promise<'ok' | 'conflict'>;
  /** Writes the survivor's merged state and marks `other` merged, atomically; `other` is no longer incoming. */
  completeMerge(target: string, version: number, state: ProfileState, other: string): Promise<'ok' | 'conflict' | 'alreadyMerged'>;

  /**
   * Starts an unmerge: the profile, active at `version` and with no merge incoming, becomes splitting with its plan;
   * nothing lands on it meanwhile.
   */
  beginSplit(profileId: string, version: number, plan: SplitPlan): Promise<'ok' | 'conflict'>;
  /** Creates a split-off group's profile, splitting and unlisted until the split completes (idempotent). */
  createSplitProfile(profileId: string, splitOf: string): Promise<void>;
  /** Moves one item of a splitting profile to a group's; 'inactive' when `from` is no longer splitting (idempotent). */
  moveSplitItem(from: string, to: string, item: ProfileItem): Promise<'ok' | 'inactive'>;
  /** Points an applied record's marker at the profile its record is in now. */
  repointRecord(recordId: string, to: string): Promise<void>;
  /** Replaces `from` among an identifier's owners and carriers by `to` (one or more profiles, or none; idempotent). */
  splitIdentity(key: string, from: string, to: readonly string[]): Promise<void>;
  /** Writes a consent item as a profile's state says it is (the record that decided it). */
  putConsent(profileId: string, item: { readonly purpose: string } & Record<string, unknown>): Promise<void>;
  /** Ends a split atomically: the profile and every group active with their rebuilt states. */
  completeSplit(profileId: string, version: number, state: ProfileState, others: readonly { readonly profileId: string; readonly state: ProfileState }[]): Promise<'ok' | 'conflict'>;
}

import { type CanonicalRecord, identifierKey, type Order } from '../domain/canonical.ts';
import { stableHash } from '../domain/hash.ts';
import { type IdentityConfig, isRoleKey } from '../domain/identity-config.ts';
import { blockingKeys, compareSnapshots, decide, type MatchSnapshot, snapshotOf } from '../domain/matching.ts';
import { applyRecord, emptyProfile, mergeStates, namesOrder, orderKey, orderTotals, orderVersion, personKeyOfProfile, type ProfileState } from '../domain/profile.ts';
import { conflict, type IdentifierView, keptApart, linkingIdentifiers, type OwnerView, personKeyOf, planResolution } from '../domain/resolution.ts';
import type { SuppressionCheck } from '../ports/privacy.ts';
import { suppressionCheckKeys } from '../domain/privacy/suppression.ts';
import type { FiledSnapshot, ProfileStore, StoredOrder, StoredProfile } from '../ports/profiles.ts';
import { ContentionError } from '../shared/errors.ts';
import { finishSplit } from './unmerge.ts';

const MAX_ATTEMPTS = 12;
/**
 * Attempts a record gets at its profile: each lost one waits its turn (`backoff`), so this bounds a record's wait behind
 * other writers of one profile to about 15 s, well inside the resolver's 60 s.
 */
const MAX_RECORD_ATTEMPTS = 40;
const MAX_HOPS = 20;
/**
 * Profiles an identifier notes as carrying it unlinked (a role address, a value past its limit of people), for lookups:
 * past this many, a lookup already names more people than any request can be about, and a placeholder value carried
 * by thousands would outgrow its item.
 */
export const MAX_CARRIERS = 50;
/**
 * The wait before trying again after another resolver's write to the same profile won: random up to a cap that doubles
 * with each attempt ("full jitter"), up to half a second. Many records of one person at once (a customer's hundred
 * orders in one export, a form posted again and again) then take turns instead of colliding until they give up, which
 * costs a message's redelivery minutes later and brings it nearer the dead-letter queue.
 */
const backoff = (attempt: number): Promise<void> => new Promise((r) => setTimeout(r, Math.random() * Math.min(500, 25 * 2 ** attempt)));

/** Duplicate candidates one record may open: its best-scored pairs with other profiles. */
const MAX_CANDIDATES_PER_RECORD = 3;

export type ResolveOutcome = {
  readonly profileId: string;
  /** `unknownOrder`: a change to an order that names no person, and no profile holds that order (nothing changed). */
  readonly result: 'applied' | 'duplicate' | 'suppressed' | 'unknownOrder';
  readonly merged: readonly string[];
  /** Duplicate candidates this record opened (pairs scored between the review and merge thresholds). */
  readonly candidates?: number;
};

/**
 * The active profile a profile id stands for now: merged profiles are followed to their survivor, and a merge left
 * half-done (by a resolver that died) is finished on the way, and so is an unmerge. `read` is the profile as a batch
 * read just found it, which saves the first read.
 */
export async function activeProfile(
  store: ProfileStore,
  config: IdentityConfig,
  profileId: string,
  read?: StoredProfile,
): Promise<{ id: string; profile?: StoredProfile; split?: true }> {
  let id = profileId;
  let split = false;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const p = hop === 0 && read ? read : (await store.getProfiles([id])).get(id);
    if (!p || p.status === 'active') return { id, ...(p ? { profile: p } : {}), ...(split ? { split } : {}) };
    // A profile being erased stands for nobody any more.
    if (p.status === 'erasing') return { id, ...(split ? { split } : {}) };
    // An unmerge left half-done: finished, then the same id read again (one group of the split now). `split` tells
    // the caller that the pointer it followed (an identifier's owner, a record's marker) may now name another group.
    if (p.status === 'splitting') {
      await finishSplit(store, config, p.splitOf ?? id);
      split = true;
      continue;
    }
    if (p.status === 'merging') await finishMerge(store, config, id);
    id = p.into!;
  }
  throw new ContentionError('Merge chain too long');
}

const MAX_AMEND_ATTEMPTS = 8;

/**
 * Changes a profile's state at the version read, the profile followed to where it is now, and reads it again after a
 * conflict: `change` gives the new state, or undefined to leave it as it is. 'gone' when no profile is left (erased),
 * 'contended' when it changed under every attempt.
 */
export async function amendProfile(
  store: ProfileStore,
  config: IdentityConfig,
  profileId: string,
  change: (id: string, state: ProfileState) => ProfileState | undefined,
): Promise<{ id: string } | 'gone' | 'contended'> {
  for (let attempt = 0; attempt < MAX_AMEND_ATTEMPTS; attempt++) {
    const current = await activeProfile(store, config, profileId);
    if (!current.profile) return 'gone';
    const next = change(current.id, current.profile.state);
    if (!next || (await store.updateState(current.id, current.profile.version, next)) === 'ok') return { id: current.id };
  }
  return 'contended';
}

/**
 * The two profiles a merge was decided on, as they were read then. An unmerge of either since then may have moved the
 * records the decision rested on to another group (the id stays with the group that founded the profile), so the
 * decision is void and the caller decides again on what is there now.
 */
export interface MergeBasis {
  readonly target: ProfileState;
  readonly other: ProfileState;
}

/** Whether `now` went through an unmerge since `before` was read: splitting, or kept apart from a profile it was not. */
function splitSince(before: ProfileState, now: StoredProfile | undefined): boolean {
  if (!now) return false;
  if (now.status === 'splitting') return true;
  const was = new Set(before.apart ?? []);
  return (now.state.apart ?? []).some((id) => !was.has(id));
}

/**
 * The active profile a record is in now, from the profile its marker named when read (`at`). An unmerge moves records
 * and re-points their markers; when the profile went through one (finished on the way, or since the marker was read),
 * the marker is read again. `read` is that profile as a batch read just found it.
 */
export async function profileOfRecord(
  store: ProfileStore,
  config: IdentityConfig,
  recordId: string,
  at: string,
  read?: StoredProfile,
): Promise<{ id: string; profile?: StoredProfile; split?: true }> {
  const a = await activeProfile(store, config, at, read);
  if (!a.split && !a.profile?.state.apart) return a;
  const moved = (await store.appliedProfiles([recordId])).get(recordId);
  if (!moved || moved === at) return a;
  const now = await activeProfile(store, config, moved);
  // `split`: an unmerge was finished on the way (other pointers the caller holds may be stale too).
  return a.split ? { ...now, split: true } : now;
}

/**
 * Merges `other` into `target`: an intent on `other` first, then its items moved while `target` stays active, its
 * identifiers re-pointed, and last, atomically, the survivor's merged state and `other` marked merged. Each step is
 * idempotent, so whoever meets the intent (a resolver that died half-way, or another one) can finish it.
 *
 * With a `basis`, the merge is made only if neither profile went through an unmerge since the decision was read:
 * 'changed' then says nothing was merged. The intent is conditional on both profiles' versions as they were checked,
 * so no split slips in before it; it is noted on the survivor as incoming, and an unmerge of the survivor begun after
 * it finishes the merge first. A survivor that is merging on itself is followed (the merge goes to its survivor).
 */
export async function mergeInto(store: ProfileStore, config: IdentityConfig, into: string, other: string, basis?: MergeBasis): Promise<'merged' | 'changed'> {
  let target = into;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const read = await store.getProfiles(basis ? [other, target] : [other]);
    const o = read.get(other);
    if (!o || o.status === 'merged' || o.status === 'erasing') return 'merged';
    const t = read.get(target);
    if (basis && (splitSince(basis.other, o) || splitSince(basis.target, t))) return 'changed';
    if (o.status === 'splitting') {
      await finishSplit(store, config, o.splitOf ?? other);
      continue;
    }
    if (o.status === 'merging') {
      await finishMerge(store, config, other);
      return 'merged';
    }
    // The intent is noted on an active survivor: one merging on (or being split) is helped along first.
    if (t && (t.status === 'merging' || t.status === 'merged' || t.status === 'splitting')) {
      const survivor = await activeProfile(store, config, target);
      if (survivor.id === other) return 'merged';
      target = survivor.id;
      continue;
    }
    // With a basis, `target` as just checked is a condition of the intent: a split of it cannot slip in between.
    const intoVersion = basis && t?.status === 'active' ? t.version : undefined;
    if ((await store.markMerging(other, target, o.version, intoVersion)) === 'ok') {
      await finishMerge(store, config, other);
      return 'merged';
    }
  }
  throw new ContentionError('Merge contended');
}

/** Of the profiles noted as merging into one (its `incoming`), those whose merge is still under way. */
export async function mergesUnderWay(store: ProfileStore, incoming: readonly string[] = []): Promise<string[]> {
  if (incoming.length === 0) return [];
  const read = await store.getProfiles(incoming);
  return incoming.filter((id) => read.get(id)?.status === 'merging');
}

export async function finishMerge(store: ProfileStore, config: IdentityConfig, other: string): Promise<void> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const o = (await store.getProfiles([other])).get(other);
    if (!o || o.status !== 'merging' || !o.into) return;
    const into = o.into;
    // The survivor may itself have merged on meanwhile: follow it.
    const survivor = await activeProfile(store, config, into);
    if (survivor.id !== into) {
      await store.retargetMerge(other, into, survivor.id);
      continue;
    }
    let moved = true;
    for (const item of await store.listItems(other)) {
      if ((await store.moveItem(other, into, item)) === 'inactive') {
        moved = false;
        break;
      }
    }
    if (!moved) continue;
    for (const key of o.state.identifiers) await store.repointIdentity(key, other, into);
    const target = survivor.profile;
    const base = target?.state ?? emptyProfile(into, o.state.firstSeenAt);
    const orders = orderTotals(await store.listOrders(into));
    const result = await store.completeMerge(into, target?.version ?? 0, mergeStates(base, o.state, config, orders), other);
    if (result !== 'conflict') return;
  }
  throw new ContentionError('Merge completion contended');
}

/**
 * Resolves one record into the profile of its person and applies it once. Safe with many resolvers at once, with
 * redelivery in any order, and with a resolver dying at any step: identifier claims and profile updates are
 * conditional, merges are resumable, and a record id is applied at most once.
 */
export async function resolveRecord(store: ProfileStore, record: CanonicalRecord, config: IdentityConfig, suppression?: SuppressionCheck): Promise<ResolveOutcome> {
  const matching = matchingOf(record, config);
  const applied = await store.appliedRecord(record.recordId);
  if (applied !== undefined) {
    // Applied before, but the resolver may have died before its matching finished: then matching again finds what is
    // left to do. A finished one is not redone (a redelivered batch would otherwise pay for its matching twice).
    const m = matching && !applied.matched ? await matchRecord(store, config, record.recordId, matching, applied.profileId) : undefined;
    return { profileId: applied.profileId, result: 'duplicate', merged: m?.merged ?? [], ...(m?.candidates ? { candidates: m.candidates } : {}) };
  }
  if (record.order?.changeOnly) return resolveOrderChange(store, record, record.order, config);
  // An erased person is never re-created: the check is a consistent read, and an erasure writes the list before it
  // marks the profile, so a record that raced it meets either the list or the erasing profile (checked again below).
  const allKeys = suppressionCheckKeys(record.identifiers.map(identifierKey), record.person, (k) => isRoleKey(k, config));
  const suppressed = async () => (suppression ? suppression.isSuppressed(allKeys) : false);
  if (await suppressed()) return { profileId: '', result: 'suppressed', merged: [] };
  const identifiers = linkingIdentifiers(record, config);
  const keys = identifiers.map(identifierKey);
  const merged: string[] = [];
  for (let attempt = 0; attempt < MAX_RECORD_ATTEMPTS; attempt++) {
    const items = await store.getIdentities(keys);
    // Owners as they are now, merged ones followed to their survivor. (A claim and its profile are written in one
    // transaction, so every owner exists.)
    const owners = [...new Set([...items.values()].flatMap((i) => i.owners))];
    const read = owners.length > 0 ? await store.getProfiles(owners) : new Map<string, StoredProfile>();
    const active = new Map<string, { id: string; profile: StoredProfile }>();
    let erasing = false;
    let split = false;
    for (const owner of owners) {
      const p = read.get(owner);
      // One batch read for all owners; only merged ones are followed, one hop at a time.
      const a = p?.status === 'active' ? { id: owner, profile: p } : await activeProfile(store, config, owner);
      if ('split' in a) split = true;
      if (a.profile) active.set(owner, { id: a.id, profile: a.profile });
      else erasing = true;
    }
    // An unmerge was finished on the way: the identifiers now point at its groups.
    if (split) continue;
    if (erasing && (await suppressed())) return { profileId: '', result: 'suppressed', merged: [] };
    const apart = new Map<string, readonly string[]>();
    for (const a of active.values()) if (a.profile.state.apart && !apart.has(a.id)) apart.set(a.id, await apartOf(store, config, a.profile.state));
    const views: IdentifierView[] = identifiers.map((identifier, i) => {
      const seen = new Set<string>();
      const owners: OwnerView[] = [];
      for (const owner of items.get(keys[i]!)?.owners ?? []) {
        const a = active.get(owner);
        if (!a || seen.has(a.id)) continue;
        seen.add(a.id);
        owners.push({ profileId: a.id, person: personKeyOfProfile(a.profile.state), ...(apart.has(a.id) ? { apart: apart.get(a.id)! } : {}) });
      }
      return { identifier, key: keys[i]!, owners };
    });
    const plan = planResolution(record, views, config);

    if (plan.merge.length > 0) {
      const stateOf = (id: string) => [...active.values()].find((a) => a.id === id)!.profile.state;
      for (const other of plan.merge) {
        // An unmerge of either since the owners were read voids the plan: read them again.
        if ((await mergeInto(store, config, plan.target, other, { target: stateOf(plan.target), other: stateOf(other) })) === 'changed') break;
        merged.push(other);
      }
      continue; // re-read: the merged identifiers now point at the survivor
    }

    let target = plan.target;
    let targetProfile = [...active.values()].find((a) => a.id === plan.target)?.profile;
    if (targetProfile && targetProfile.status !== 'active') continue;
    // No identifier links the record: a record it scores a merge with takes it in now, rather than a profile of its
    // own that the matching below would merge a moment later.
    const matched = plan.isNew && matching ? await matchedProfile(store, config, record, matching) : undefined;
    if (matched) [target, targetProfile] = [matched.id, matched.profile];
    const base = targetProfile?.state ?? emptyProfile(target, record.occurredAt);

    let order: { key: string; item: StoredOrder & Record<string, unknown>; expectedRecordId?: string } | undefined;
    let orders: ProfileState['orders'] | undefined;
    if (record.order) {
      // One line of an order is an item of its own: lines from any export, in any order, add up (ordersOf).
      const key = orderKey(record.source, record.order);
      const current = targetProfile ? await store.listOrders(target) : [];
      const existing = current.find((o) => (o as StoredOrder & { sk?: string }).sk === `ORDER#${key}`);
      const version = {
        // The vendor's own id stays with the order when a later version does not repeat it (an export without it), and
        // so does a test order's mark: no export says an order is not a test.
        ...(existing?.ref !== undefined ? { ref: existing.ref } : {}),
        ...(existing?.test === true ? { test: true as const } : {}),
        ...record.order,
        placedAt: record.order.placedAt ?? record.occurredAt,
        source: record.source,
        occurredAt: record.occurredAt,
        receivedAt: record.receivedAt,
        recordId: record.recordId,
      };
      const v = orderVersion(version);
      if (!existing || orderVersion(existing) < v) {
        const item = { ...version, v };
        order = { key, item, ...(existing ? { expectedRecordId: existing.recordId } : {}) };
        // Totals are always a recount of the orders as they will be: the same whatever order versions arrive in.
        orders = orderTotals([...current.filter((o) => o !== existing), item]);
      }
    }
    const state = applyRecord(base, record, record.identifiers.map(identifierKey), config, orders);
    const claims = plan.claim.map((key) => ({ key, ...(items.has(key) ? { expected: items.get(key)! } : {}) }));
    // The values it carries but may not link by (blocked, or past their limit) note the profile among their carriers,
    // so that a lookup or a data-subject request by them still finds it.
    const carries = [...new Set(plan.blocked.filter((b) => !b.profileId && b.key !== 'cluster').map((b) => b.key))]
      .filter((key) => !plan.claim.includes(key) && (items.get(key)?.carriers.length ?? 0) < MAX_CARRIERS)
      .map((key) => ({ key, ...(items.has(key) ? { expected: items.get(key)! } : {}) }));
    const result = await store.applyRecord(target, targetProfile?.version ?? 0, {
      record,
      state,
      claims,
      ...(carries.length > 0 ? { carries } : {}),
      ...(order ? { order } : {}),
      blocked: plan.blocked,
      ...(matching ? { blocks: matching.keys } : {}),
    });
    if (result === 'conflict') {
      await backoff(attempt);
      continue;
    }
    const m = matching ? await matchRecord(store, config, record.recordId, matching, target) : undefined;
    return { profileId: target, result, merged: [...merged, ...(m?.merged ?? [])], ...(m?.candidates ? { candidates: m.candidates } : {}) };
  }
  throw new ContentionError(`Profile still contended after ${MAX_RECORD_ATTEMPTS} attempts`);
}

/**
 * A change to an order that names no person (WooCommerce's `order.deleted`: an id and nothing else), applied to the
 * profile holding the order: the newest version of the order with what the change says (its status) over it. The
 * order is found through the store's order index, its holder followed through merges; one that moved meanwhile (a
 * merge, an unmerge) is looked up again. No profile holds it (it never arrived, or its person was erased): nothing
 * changes, and the outcome says so.
 */
async function resolveOrderChange(store: ProfileStore, record: CanonicalRecord, change: Order, config: IdentityConfig): Promise<ResolveOutcome> {
  const unknown: ResolveOutcome = { profileId: '', result: 'unknownOrder', merged: [] };
  // A change that gives the vendor's own id (Shopify's numeric one, WooCommerce's post id) finds the order by it,
  // whatever it is named by (namesOrder).
  const isIt = (o: StoredOrder) => o.source === record.source && namesOrder(change, o);
  for (let attempt = 0; attempt < MAX_RECORD_ATTEMPTS; attempt++) {
    const holders = await store.profilesWithOrder(record.source, change.ref ?? change.orderId);
    if (holders.length === 0) return unknown;
    const a = await activeProfile(store, config, holders[0]!);
    if (a.split) continue;
    if (!a.profile) return unknown;
    const current = await store.listOrders(a.id);
    const existing = current.find(isIt);
    if (!existing) {
      // Moved since the index was read (or the index is behind): look again, a little later.
      await backoff(attempt);
      continue;
    }
    const { sk, v: _v, ...was } = existing;
    const key = sk.slice('ORDER#'.length);
    const version = {
      ...was,
      ...(change.status ? { status: change.status } : {}),
      ...(change.total !== undefined ? { total: change.total } : {}),
      occurredAt: record.occurredAt,
      receivedAt: record.receivedAt,
      recordId: record.recordId,
    };
    const v = orderVersion(version);
    // An older change than the order's newest version (a delivery late behind the order's next update) changes nothing
    // in the order, but is still on the profile's timeline.
    const order = orderVersion(existing) < v ? { key, item: { ...version, v }, expectedRecordId: existing.recordId } : undefined;
    const orders = order ? orderTotals([...current.filter((o) => o !== existing), order.item]) : undefined;
    const state = applyRecord(a.profile.state, record, [], config, orders);
    const result = await store.applyRecord(a.id, a.profile.version, { record, state, claims: [], ...(order ? { order } : {}), blocked: [] });
    if (result === 'conflict') {
      await backoff(attempt);
      continue;
    }
    return { profileId: a.id, result, merged: [] };
  }
  throw new ContentionError(`Order still contended after ${MAX_RECORD_ATTEMPTS} attempts`);
}

/** The active profiles an unmerge keeps `state`'s profile apart from (merged ones followed to their survivor). */
async function apartOf(store: ProfileStore, config: IdentityConfig, state: ProfileState): Promise<string[]> {
  const out = new Set<string>();
  for (const id of state.apart ?? []) {
    const a = await activeProfile(store, config, id);
    if (a.profile && a.id !== state.profileId) out.add(a.id);
  }
  return [...out];
}

const ownerView = async (store: ProfileStore, config: IdentityConfig, id: string, state: ProfileState): Promise<OwnerView> => ({
  profileId: id,
  person: personKeyOfProfile(state),
  ...(state.apart ? { apart: await apartOf(store, config, state) } : {}),
});

const taxCodesOnly = (state: ProfileState) => ({ ...personKeyOfProfile(state), firstNames: [], lastNames: [], birthDates: [] });

interface Matching {
  readonly snapshot: MatchSnapshot;
  readonly keys: readonly string[];
}

function matchingOf(record: CanonicalRecord, config: IdentityConfig): Matching | undefined {
  if (!config.matching.enabled) return undefined;
  const snapshot = snapshotOf(record, config);
  const keys = snapshot ? blockingKeys(snapshot) : [];
  return snapshot && keys.length > 0 ? { snapshot, keys } : undefined;
}

/**
 * The profile of an applied record that `record` scores a merge with (the best-scoring one), for a record no
 * identifier links: applied there at once, it costs no merge (a merge moves every item of a profile, and on
 * fake_1000 was 40% of the write units). The rules are the matching's own: a merge verdict, and no tax code apart.
 * The matching after applying still runs (records resolved at the same moment find each other only there), and
 * merges whatever else scores.
 */
async function matchedProfile(store: ProfileStore, config: IdentityConfig, record: CanonicalRecord, m: Matching): Promise<{ id: string; profile: StoredProfile } | undefined> {
  // Eventually consistent (half the read units): a snapshot filed a moment ago and missed here is the matching's to
  // find, which reads consistently after applying.
  const merges = (await store.findSnapshots(m.keys, config.matching.maxBlockSize, false))
    .filter((f) => f.recordId !== record.recordId)
    .map((f) => ({ ...f, ...compareSnapshots(m.snapshot, f.snapshot) }))
    .filter((f) => decide(f, config.matching) === 'merge')
    .sort((a, b) => b.score - a.score || a.recordId.localeCompare(b.recordId));
  if (merges.length === 0) return undefined;
  const owners = await filedOwners(store, merges);
  const mine = { ...personKeyOf(record), firstNames: [], lastNames: [], birthDates: [] };
  for (const f of merges) {
    const at = owners.get(f.recordId);
    // A record not applied yet is skipped: it will find this one when it is.
    if (at === undefined) continue;
    const other = await profileOfRecord(store, config, f.recordId, at);
    if (other.profile?.status === 'active' && conflict(mine, taxCodesOnly(other.profile.state)) === undefined) return { id: other.id, profile: other.profile };
  }
  return undefined;
}

/**
 * The profile each filed record was applied to: as filed with its snapshot (a record is filed only once applied), or,
 * for a snapshot filed without it, from the record's marker, where a record not applied yet has none (it is skipped:
 * it will find the other when it is). Merges are not followed; profileOfRecord follows them, and reads the marker
 * again when an unmerge may have moved the record.
 */
async function filedOwners(store: ProfileStore, filed: readonly FiledSnapshot[]): Promise<Map<string, string>> {
  const owners = new Map<string, string>();
  for (const f of filed) if (f.profileId) owners.set(f.recordId, f.profileId);
  const unknown = filed.filter((f) => !f.profileId).map((f) => f.recordId);
  if (unknown.length > 0) for (const [recordId, profileId] of await store.appliedProfiles(unknown)) owners.set(recordId, profileId);
  return owners;
}

/** A candidate pair's name: the same whichever of its records finds the other. */
export const pairIdOf = (a: string, b: string): string => `dup_${stableHash('pair', ...[a, b].sort()).slice(0, 20)}`;

/**
 * Probabilistic matching, after the record is applied: its snapshot is filed under its blocking keys, then every
 * record filed under the same keys is scored against it. A pair at the merge threshold merges their profiles (unless
 * the people clearly differ); a pair between the thresholds becomes a duplicate candidate.
 *
 * Filing, then reading, after applying is what makes this safe with many resolvers: of two records of one person
 * resolved at once, at least one finds the other filed and applied. Each pair is judged on the two records alone, so
 * the result does not depend on the order records arrive in.
 */
async function matchRecord(store: ProfileStore, config: IdentityConfig, recordId: string, m: Matching, appliedTo: string): Promise<{ merged: string[]; candidates: number }> {
  await store.fileSnapshot(m.keys, recordId, m.snapshot, appliedTo);
  // This record's profile now. An unmerge (finished on the way, or since: its groups are kept apart) may have moved the
  // record; then its marker says where.
  const selfNow = () => profileOfRecord(store, config, recordId, appliedTo);
  let self = await selfNow();
  if (!self.profile) {
    // Erased meanwhile: the erasure may have missed what was just filed.
    await store.unfileSnapshot(m.keys, recordId);
    return { merged: [], candidates: 0 };
  }
  let reviews = 0;
  const scored = (await store.findSnapshots(m.keys, config.matching.maxBlockSize))
    .filter((f) => f.recordId !== recordId)
    .map((f) => {
      const match = compareSnapshots(m.snapshot, f.snapshot);
      return { ...f, ...match, verdict: decide(match, config.matching) };
    })
    .filter((f) => f.verdict !== 'apart')
    .sort((a, b) => b.score - a.score || a.recordId.localeCompare(b.recordId))
    // Every merge is weighed; reviews are bounded before anything is read (a common name in one town would propose
    // every namesake): twice the candidates a record may open, as some may share a profile.
    .filter((f) => f.verdict === 'merge' || reviews++ < 2 * MAX_CANDIDATES_PER_RECORD);
  const merged: string[] = [];
  let candidates = 0;
  if (scored.length > 0) {
    const owners = await filedOwners(store, scored);
    // One read for the profiles reviews point at; merges read theirs afresh, as each may have changed the picture.
    const reviewed = new Set(scored.flatMap((f) => (f.verdict === 'review' && owners.has(f.recordId) ? [owners.get(f.recordId)!] : [])));
    const read = reviewed.size > 0 ? await store.getProfiles([...reviewed]) : new Map<string, StoredProfile>();
    const absorbed = new Set<string>();
    const seen = new Set<string>();
    let redecided = 0;
    for (let k = 0; k < scored.length; k++) {
      const f = scored[k]!;
      const { verdict } = f;
      if (verdict === 'review' && candidates >= MAX_CANDIDATES_PER_RECORD) continue;
      const owner = owners.get(f.recordId);
      // Records of this profile already, or of one merged into it here: nothing to do.
      if (owner === undefined || owner === self.id || absorbed.has(owner)) continue;
      // An unmerge (finished on the way, or since the markers were read) may have moved the record, and this one.
      const other = await profileOfRecord(store, config, f.recordId, owner, verdict === 'review' ? read.get(owner) : undefined);
      if (other.split) self = await selfNow();
      if (!self.profile || !other.profile || self.id === other.id || absorbed.has(other.id) || (verdict === 'review' && seen.has(other.id))) continue;
      seen.add(other.id);
      // Two an unmerge split are never merged again, nor proposed (only profiles that went through one say so).
      const [mine, theirs] = [self.profile.state, other.profile.state];
      if ((mine.apart || theirs.apart) && keptApart(await ownerView(store, config, self.id, mine), await ownerView(store, config, other.id, theirs))) continue;
      // The score weighed names and dates; a tax code is the one value no typo explains.
      if (verdict === 'merge' && conflict(taxCodesOnly(self.profile.state), taxCodesOnly(other.profile.state)) === undefined) {
        // Into the older id, as deterministic merges do: the same survivor whichever record finds the pair.
        const [target, from] = [self.id, other.id].sort() as [string, string];
        const basis = target === self.id ? { target: mine, other: theirs } : { target: theirs, other: mine };
        if ((await mergeInto(store, config, target, from, basis)) === 'changed') {
          // An unmerge of either profile came in between: the pair is weighed again where its records are now.
          if (++redecided > MAX_ATTEMPTS) throw new ContentionError('Matching merges contended');
          const moved = (await store.appliedProfiles([f.recordId])).get(f.recordId);
          if (moved === undefined) owners.delete(f.recordId);
          else owners.set(f.recordId, moved);
          self = await selfNow();
          k--;
          continue;
        }
        merged.push(from);
        absorbed.add(from);
        self = await selfNow();
        continue;
      }
      await store.putDuplicate({ pairId: pairIdOf(recordId, f.recordId), records: [recordId, f.recordId].sort() as [string, string], score: f.score, fields: f.fields, foundAt: new Date().toISOString(), status: 'open' });
      candidates++;
    }
  }
  // Last: a redelivery that finds this mark has nothing left to match.
  await store.markMatched(recordId);
  return { merged, candidates };
}

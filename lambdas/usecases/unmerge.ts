import { type CanonicalRecord, type Identifier, identifierKey } from '../domain/canonical.ts';
import type { IdentityConfig } from '../domain/identity-config.ts';
import { orderTotals } from '../domain/profile.ts';
import { MAX_SPLIT_RECORDS, planSplit, rebuildState } from '../domain/split.ts';
import type { ProfileStore, TimelineEntry } from '../ports/profiles.ts';
import { ContentionError } from '../shared/errors.ts';
import { activeProfile, finishMerge, mergesUnderWay } from './resolve-record.ts';

const MAX_ATTEMPTS = 12;
/** Groups one unmerge may create: the last step writes them all in one transaction (at most 100 items). */
const MAX_GROUPS = 50;

export type UnmergeResult =
  | { readonly result: 'split'; readonly profileId: string; readonly profiles: readonly { readonly profileId: string; readonly records: number }[] }
  | { readonly result: 'unchanged'; readonly profileId: string; readonly records: number }
  | { readonly result: 'notFound' }
  | { readonly result: 'notOnProfile'; readonly profileId: string }
  | { readonly result: 'tooLarge'; readonly profileId: string; readonly records: number; readonly limit: number }
  | { readonly result: 'tooManyGroups'; readonly profileId: string; readonly groups: number; readonly limit: number };

/** A record as its timeline event keeps it: enough to regroup it and rebuild its profile. */
export function recordOfEntry(e: TimelineEntry): CanonicalRecord {
  return {
    recordId: e.recordId,
    source: e.source,
    channel: (e.channel as CanonicalRecord['channel']) ?? 'file',
    kind: e.kind as CanonicalRecord['kind'],
    occurredAt: e.occurredAt,
    receivedAt: e.receivedAt ?? e.occurredAt,
    lineage: e.lineage,
    identifiers: (e.identifiers ?? []) as Identifier[],
    ...(e.person ? { person: e.person } : {}),
    ...(e.company ? { company: e.company } : {}),
    ...(e.address ? { address: e.address } : {}),
    ...(e.attributes ? { attributes: e.attributes } : {}),
    ...(e.consents ? { consents: e.consents as CanonicalRecord['consents'] } : {}),
    ...(e.order ? { order: e.order as CanonicalRecord['order'] } : {}),
    ...(e.interaction ? { interaction: e.interaction as CanonicalRecord['interaction'] } : {}),
    ...(e.lead ? { lead: e.lead as CanonicalRecord['lead'] } : {}),
  };
}

/**
 * `cdp profiles unmerge <id> --identifier <key>`: takes one identifier's links out of a profile. Its records are
 * regrouped by the resolver's rules without that identifier (domain/split.ts); each group that comes apart becomes a
 * profile of its own, with its timeline, orders, consents and identifiers, and the groups are kept apart from then on
 * (a later record carrying the identifier joins one of them, never both). A merged-away id answers for its survivor.
 */
export async function unmergeProfile(store: ProfileStore, config: IdentityConfig, profileId: string, key: string): Promise<UnmergeResult> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const active = await activeProfile(store, config, profileId);
    if (!active.profile) return { result: 'notFound' };
    const { id, profile } = active;
    // Merges into it that have begun come first: their records are split too, by the same rules, rather than join
    // whichever group keeps the id once the split is done. (The split begins only with none incoming, so one begun
    // after this read makes it plan again.) A profile erased while it was merging is no longer incoming.
    if (profile.incoming?.length) {
      const merging = await mergesUnderWay(store, profile.incoming);
      for (const other of merging) await finishMerge(store, config, other);
      await store.forgetIncoming(id, profile.incoming.filter((o) => !merging.includes(o)));
      continue;
    }
    if (!profile.state.identifiers.includes(key)) return { result: 'notOnProfile', profileId: id };
    if (profile.state.recordCount > MAX_SPLIT_RECORDS) return { result: 'tooLarge', profileId: id, records: profile.state.recordCount, limit: MAX_SPLIT_RECORDS };
    const records = (await store.timeline(id)).map(recordOfEntry);
    const present = new Set(records.map((r) => r.recordId));
    // Pairs a person merged by hand stay together.
    const confirmed = (await store.listDuplicates()).filter((d) => d.status === 'merged' && d.records.every((r) => present.has(r))).map((d) => d.records);
    const plan = planSplit(id, records, key, config, confirmed);
    if (!plan) return { result: 'unchanged', profileId: id, records: records.length };
    if (plan.others.length > MAX_GROUPS) return { result: 'tooManyGroups', profileId: id, groups: plan.others.length + 1, limit: MAX_GROUPS + 1 };
    // At the version read: a record applied meanwhile would be missing from the plan, so then it is planned again.
    if ((await store.beginSplit(id, profile.version, plan)) === 'conflict') continue;
    await finishSplit(store, config, id);
    const moved = new Set(plan.others.flatMap((o) => o.records));
    return {
      result: 'split',
      profileId: id,
      profiles: [{ profileId: id, records: records.filter((r) => !moved.has(r.recordId)).length }, ...plan.others.map((o) => ({ profileId: o.profileId, records: o.records.length }))],
    };
  }
  throw new ContentionError('Profile still contended after retries');
}

/**
 * Carries out a split begun by `unmergeProfile`. Each step is idempotent, so whoever meets the splitting profile (a
 * resolver, a reader, the unmerge itself after a crash) can finish it: groups' profiles created (splitting, unlisted),
 * their records' items moved and markers re-pointed, states rebuilt from the timelines, identifiers re-pointed, and
 * last, atomically, every group made active.
 */
export async function finishSplit(store: ProfileStore, config: IdentityConfig, profileId: string): Promise<void> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const p = (await store.getProfiles([profileId])).get(profileId);
    if (!p || p.status !== 'splitting' || !p.split) return;
    const plan = p.split;
    const groupOf = new Map<string, string>();
    for (const o of plan.others) for (const r of o.records) groupOf.set(r, o.profileId);
    for (const o of plan.others) await store.createSplitProfile(o.profileId, profileId);
    for (const item of await store.listItems(profileId)) {
      const to = groupOf.get(String(item.recordId ?? ''));
      if (to && (await store.moveSplitItem(profileId, to, item)) === 'inactive') return; // finished by someone else
    }
    for (const [recordId, to] of groupOf) await store.repointRecord(recordId, to);

    const ids = [profileId, ...plan.others.map((o) => o.profileId)];
    const carriers = new Map<string, string[]>();
    const states = [];
    for (const group of ids) {
      const records = (await store.timeline(group)).map(recordOfEntry);
      for (const r of records) {
        for (const key of new Set(r.identifiers.map(identifierKey))) carriers.set(key, [...new Set([...(carriers.get(key) ?? []), group])]);
      }
      const orders = orderTotals(await store.listOrders(group));
      const state = rebuildState(group, records, p.state, config, orders, { home: group === profileId, apart: ids });
      // Each consent item is the one decision the group's state keeps for its purpose. Events, orders and consents are
      // three ranges of the partition, each read once.
      const items = new Map((await store.listItems(group, 'CONSENT#')).map((i) => [i.sk.slice(8), i]));
      for (const [purpose, c] of Object.entries(state.consents)) {
        if (items.get(purpose)?.recordId === c.r) continue;
        const consent = records.find((r) => r.recordId === c.r)?.consents?.find((x) => x.purpose === purpose);
        if (consent) await store.putConsent(group, { ...consent, source: c.source, recordId: c.r });
      }
      states.push({ profileId: group, state });
    }
    for (const key of p.state.identifiers) await store.splitIdentity(key, profileId, carriers.get(key) ?? []);
    const [home, ...others] = states;
    if ((await store.completeSplit(profileId, p.version, home!.state, others)) === 'ok') return;
  }
  throw new ContentionError('Split completion contended');
}

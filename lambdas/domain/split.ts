import { type CanonicalRecord, identifierKey } from './canonical.ts';
import { stableHash } from './hash.ts';
import { blockedReason, type IdentityConfig } from './identity-config.ts';
import { blockingKeys, compareSnapshots, decide, snapshotOf } from './matching.ts';
import { applyRecord, emptyProfile, type FieldValue, keepValues, namesOrder, type ProfileState, RECTIFIED_SOURCE_PREFIX } from './profile.ts';
import { conflict, linkingIdentifiers, newProfileIdFor, OWN_IDENTIFIERS, personKeyOf } from './resolution.ts';

/**
 * Unmerge: a profile's records regrouped without one identifier's links. The resolver's own rules rebuild the graph
 * (pure: the store reads, this decides), so what comes apart is what those rules would have kept apart had the
 * identifier never linked:
 * - two records sharing an identifier (but the one removed) are one person unless their names, birth dates or tax
 *   codes conflict, as a deterministic link would have judged;
 * - two records whose score reaches the merge threshold are one person, as matching would have judged;
 * - two records a person confirmed as one (`cdp duplicates merge`) stay one.
 */

/** A profile too large to regroup in one request (its plan must fit in the profile item). */
export const MAX_SPLIT_RECORDS = 5000;

export interface SplitPlan {
  /** The identifier whose links were removed. */
  readonly identifier: string;
  /** Groups that leave the profile, each with its new profile id; the rest stays under the profile's id. */
  readonly others: readonly { readonly profileId: string; readonly records: readonly string[] }[];
}

/** A split-off group's profile id: the same for the same profile and group, so a resumed unmerge recreates it. */
export const splitProfileIdFor = (profileId: string, records: readonly string[]): string =>
  `p_${stableHash('split', profileId, [...records].sort()[0]!).slice(0, 20)}`;

class Partition {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    let root = x;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root)!;
    this.parent.set(x, root);
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
}

/**
 * The groups of `records` (one profile's) once `removed` (an identifier key) links nothing. `confirmed`: record pairs a
 * person merged by hand. Groups come back largest first (ties: smallest record id), each sorted.
 */
export function regroup(
  records: readonly CanonicalRecord[],
  removed: string,
  config: IdentityConfig,
  confirmed: readonly (readonly [string, string])[] = [],
): string[][] {
  const partition = new Partition();
  for (const r of records) partition.find(r.recordId);

  const byKey = new Map<string, { record: CanonicalRecord; own: boolean }[]>();
  for (const record of records) {
    for (const id of linkingIdentifiers(record, config)) {
      const key = identifierKey(id);
      if (key === removed || blockedReason(id.type, id.value, config)) continue;
      byKey.set(key, [...(byKey.get(key) ?? []), { record, own: OWN_IDENTIFIERS.has(id.type) }]);
    }
  }
  for (const group of byKey.values()) {
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) {
        const [a, b] = [group[i]!, group[j]!];
        if (conflict(personKeyOf(a.record), personKeyOf(b.record), a.own) === undefined) partition.union(a.record.recordId, b.record.recordId);
      }
    }
  }

  // A change to an order that names no person (a binned WooCommerce order, a deleted Shopify one) goes with the
  // newest record of the order it names (namesOrder, as the resolver finds it): the order item, which it last wrote,
  // goes where that record goes. Such changes are few, so each looks through the records.
  const orderRecords = records.filter((r) => r.order && !r.order.changeOnly);
  for (const r of records) {
    const change = r.order?.changeOnly ? r.order : undefined;
    if (!change) continue;
    let holder: CanonicalRecord | undefined;
    for (const h of orderRecords) {
      if (h.source !== r.source || !namesOrder(change, h.order!)) continue;
      if (!holder || holder.occurredAt < h.occurredAt || (holder.occurredAt === h.occurredAt && holder.recordId < h.recordId)) holder = h;
    }
    if (holder) partition.union(r.recordId, holder.recordId);
  }

  if (config.matching.enabled) {
    const snapshots = new Map(records.flatMap((r) => {
      const s = snapshotOf(r, config);
      return s ? [[r.recordId, s] as const] : [];
    }));
    const byBlock = new Map<string, string[]>();
    for (const [recordId, s] of snapshots) for (const k of blockingKeys(s)) byBlock.set(k, [...(byBlock.get(k) ?? []), recordId]);
    const compared = new Set<string>();
    for (const ids of byBlock.values()) {
      if (ids.length > config.matching.maxBlockSize) continue;
      for (let i = 0; i < ids.length; i++) {
        for (let j = i + 1; j < ids.length; j++) {
          const [a, b] = [ids[i]!, ids[j]!];
          const pair = a < b ? `${a}|${b}` : `${b}|${a}`;
          if (compared.has(pair) || partition.find(a) === partition.find(b)) continue;
          compared.add(pair);
          // The removed identifier vouches for nothing here either.
          const [sa, sb] = [withoutKey(snapshots.get(a)!, removed), withoutKey(snapshots.get(b)!, removed)];
          if (decide(compareSnapshots(sa, sb), config.matching) === 'merge') partition.union(a, b);
        }
      }
    }
  }

  const present = new Set(records.map((r) => r.recordId));
  for (const [a, b] of confirmed) if (present.has(a) && present.has(b)) partition.union(a, b);

  const groups = new Map<string, string[]>();
  for (const r of records) {
    const root = partition.find(r.recordId);
    groups.set(root, [...(groups.get(root) ?? []), r.recordId]);
  }
  return [...groups.values()].map((g) => g.sort()).sort((a, b) => b.length - a.length || a[0]!.localeCompare(b[0]!));
}

const withoutKey = <S extends { readonly i?: readonly string[] }>(s: S, key: string): S =>
  s.i?.includes(key) ? { ...s, i: s.i.filter((k) => k !== key) } : s;

/**
 * The plan that takes `removed` out of profile `profileId`: undefined when its records stay one group without it.
 * The group that keeps the profile id is the one holding the record that created the profile (else the largest); the
 * identifier is cut there only, so the groups that leave and share it still go as one (a person's two rows with the
 * phone that wrongly joined them to this profile leave together).
 */
export function planSplit(
  profileId: string,
  records: readonly CanonicalRecord[],
  removed: string,
  config: IdentityConfig,
  confirmed: readonly (readonly [string, string])[] = [],
): SplitPlan | undefined {
  const groups = regroup(records, removed, config, confirmed);
  if (groups.length < 2) return undefined;
  const founder = groups.findIndex((g) => g.some((r) => newProfileIdFor({ recordId: r } as CanonicalRecord) === profileId));
  const home = founder >= 0 ? founder : 0;

  const own = OWN_IDENTIFIERS.has(removed.slice(0, removed.indexOf(':')));
  const carriers = new Map(records.filter((r) => r.identifiers.some((i) => identifierKey(i) === removed)).map((r) => [r.recordId, r]));
  const leaving = groups.filter((_g, i) => i !== home).map((g, i) => ({ key: String(i), carriers: g.flatMap((r) => (carriers.has(r) ? [carriers.get(r)!] : [])) }));
  const partition = new Partition();
  for (let i = 0; i < leaving.length; i++) {
    for (let j = i + 1; j < leaving.length; j++) {
      const joined = leaving[i]!.carriers.some((a) => leaving[j]!.carriers.some((b) => conflict(personKeyOf(a), personKeyOf(b), own) === undefined));
      if (joined) partition.union(leaving[i]!.key, leaving[j]!.key);
    }
  }
  const united = new Map<string, string[]>();
  groups
    .filter((_g, i) => i !== home)
    .forEach((g, i) => {
      const root = partition.find(String(i));
      united.set(root, [...(united.get(root) ?? []), ...g]);
    });
  const others = [...united.values()].map((g) => g.sort()).sort((a, b) => b.length - a.length || a[0]!.localeCompare(b[0]!));
  return { identifier: removed, others: others.map((records) => ({ profileId: splitProfileIdFor(profileId, records), records })) };
}

/**
 * One group's profile state, rebuilt: its records folded in (in time order), the values the former profile kept for
 * them (records applied before timeline events carried their person), and, on the group that keeps the profile id,
 * values a data subject had rectified. A restriction stays on every group (it was asked for the person, and which group
 * that is cannot be told). `apart`: the profiles this group must never merge with again.
 */
export function rebuildState(
  profileId: string,
  records: readonly CanonicalRecord[],
  former: ProfileState,
  config: IdentityConfig,
  orders: ProfileState['orders'],
  options: { readonly home: boolean; readonly apart: readonly string[] },
): ProfileState {
  const sorted = [...records].sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : a.recordId.localeCompare(b.recordId)));
  let state = emptyProfile(profileId, sorted[0]?.occurredAt ?? former.firstSeenAt);
  for (const r of sorted) state = applyRecord(state, r, r.identifiers.map(identifierKey), config);
  const ids = new Set(records.map((r) => r.recordId));
  const kept = (v: FieldValue) => ids.has(v.r) || (options.home && v.s.startsWith(RECTIFIED_SOURCE_PREFIX));
  state = keepValues(state, former, kept, config);
  const apart = [...new Set([...(former.apart ?? []), ...options.apart])].filter((id) => id !== profileId).sort();
  return {
    ...state,
    orders,
    ...(former.restricted ? { restricted: former.restricted } : {}),
    ...(apart.length > 0 ? { apart } : {}),
  };
}

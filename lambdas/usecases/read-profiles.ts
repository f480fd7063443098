import type { IdentityConfig } from '../domain/identity-config.ts';
import { counts, lifecycleOf, mergeStates, ordersOf, orderTotals, orderVersion, type ProfileState } from '../domain/profile.ts';
import { holdersOf, type ProfileStore, type StoredOrder, type StoredProfile, type TimelineEntry } from '../ports/profiles.ts';
import { ContentionError } from '../shared/errors.ts';
import { activeProfile } from './resolve-record.ts';

/** A profile as people and tools read it (`cdp profiles get`, `GET /profiles/{id}`). */
export interface ProfileView {
  readonly profileId: string;
  /** Set when the id asked for was merged into this profile. */
  readonly requestedId?: string;
  readonly identifiers: readonly string[];
  readonly attributes: Readonly<Record<string, string>>;
  /** Every value seen per field, best first, with its source and time. */
  readonly values: ProfileState['values'];
  readonly consents: ProfileState['consents'];
  readonly orders: ProfileState['orders'];
  readonly lead?: ProfileState['lead'];
  readonly lifecycle: string;
  readonly score: number;
  readonly sources: readonly string[];
  readonly recordCount: number;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
  readonly restricted?: ProfileState['restricted'];
  /** Profiles a person said are someone else (an unmerge split them, or a duplicate between them was dismissed): ids as they were then, never merged with it again automatically. */
  readonly keptApartFrom?: readonly string[];
}

/** `asOf`: the time the lead score's `recent` rules measure from (now). */
export function viewOf(state: ProfileState, config: IdentityConfig, requestedId?: string, asOf = new Date().toISOString()): ProfileView {
  const { lifecycle, score } = lifecycleOf(state, config.leadScore, asOf);
  return {
    profileId: state.profileId,
    ...(requestedId && requestedId !== state.profileId ? { requestedId } : {}),
    identifiers: state.identifiers,
    attributes: state.attributes,
    values: state.values,
    consents: state.consents,
    orders: state.orders,
    ...(state.lead ? { lead: state.lead } : {}),
    lifecycle,
    score,
    sources: state.sources,
    recordCount: state.recordCount,
    firstSeenAt: state.firstSeenAt,
    lastSeenAt: state.lastSeenAt,
    ...(state.restricted ? { restricted: state.restricted } : {}),
    ...(state.apart?.length ? { keptApartFrom: state.apart } : {}),
  };
}

/** The profile an id stands for now (a merged-away id answers with the surviving profile). */
export async function profileById(store: ProfileStore, config: IdentityConfig, profileId: string): Promise<ProfileView | undefined> {
  const active = await activeProfile(store, config, profileId);
  return active.profile ? viewOf(active.profile.state, config, profileId) : undefined;
}

const MAX_HOPS = 20;

/**
 * The profile an id stands for now, for a reader that may not write (`GET /profiles/{id}` runs with a read-only role):
 * the same answer as profileById, but what it meets half-done (a resolver died, or is at it now) is shown, not
 * finished. A merge under way is shown done: the survivor's state with every profile still merging into it merged in,
 * in memory, and their orders counted once. An unmerge under way is shown not yet done: the profile as it was before
 * it, also for the id of a group it is creating.
 */
export async function readProfileById(store: ProfileStore, config: IdentityConfig, profileId: string): Promise<ProfileView | undefined> {
  let id = profileId;
  // Merging profiles on the way: folded in even when their survivor merged on before they were pointed at the next.
  const passed: StoredProfile[] = [];
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const p = (await store.getProfiles([id])).get(id);
    if (!p || p.status === 'erasing') return undefined;
    if (p.status === 'merging') passed.push(p);
    if ((p.status === 'merged' || p.status === 'merging') && p.into) id = p.into;
    else if (p.status === 'splitting' && p.splitOf) id = p.splitOf;
    else return viewOf((await withMergesUnderWay(store, config, id, p, passed)).state, config, profileId);
  }
  throw new ContentionError('Merge chain too long');
}

/**
 * `profile`'s state as the merges into it that are under way will leave it (merges into those too, and into `also`,
 * merging profiles known to end in it), and the profiles still merging in (`folded`), whose records not moved yet are
 * theirs.
 */
async function withMergesUnderWay(
  store: ProfileStore,
  config: IdentityConfig,
  id: string,
  profile: StoredProfile,
  also: readonly StoredProfile[] = [],
): Promise<{ state: ProfileState; folded: string[] }> {
  const folded = also.map((p) => ({ id: p.state.profileId, state: p.state }));
  const seen = new Set([id, ...folded.map((f) => f.id)]);
  let next = [{ id, incoming: profile.incoming ?? [] }, ...also.map((p) => ({ id: p.state.profileId, incoming: p.incoming ?? [] }))];
  while (next.length > 0) {
    const asked = next.flatMap((n) => n.incoming.filter((o) => !seen.has(o)).map((o) => ({ o, into: n.id })));
    if (asked.length === 0) break;
    const read = await store.getProfiles(asked.map((a) => a.o));
    next = [];
    for (const { o, into } of asked) {
      const p = read.get(o);
      // Noted as incoming, but finished, or given up for an erasure, meanwhile.
      if (!p || p.status !== 'merging' || p.into !== into || seen.has(o)) continue;
      seen.add(o);
      folded.push({ id: o, state: p.state });
      next.push({ id: o, incoming: p.incoming ?? [] });
    }
  }
  if (folded.length === 0) return { state: profile.state, folded: [] };
  // An order in two of them (moved already, or sent to both) counts once: the later version, as a move keeps it.
  const orders = new Map<string, StoredOrder & { sk: string }>();
  for (const pid of seen) {
    for (const o of await store.listOrders(pid)) {
      const had = orders.get(o.sk);
      if (!had || orderVersion(had) < orderVersion(o)) orders.set(o.sk, o);
    }
  }
  const counted = orderTotals([...orders.values()]);
  return { state: folded.reduce((state, other) => mergeStates(state, other.state, config, counted), profile.state), folded: folded.map((f) => f.id) };
}

/** Where a record of an exported profile came from. */
export interface LineageEntry {
  readonly source: string;
  readonly recordKey: string;
  readonly line?: number;
}

/**
 * `cdp profiles export`: every profile as readProfileById shows it, with the lineage of every record it holds, so
 * that each record is on exactly one line whatever is half-done. A profile with merges into it under way holds the
 * records of the merging profiles too; a profile being split holds those already moved to its groups. A merging
 * profile whose survivor did not fold it in (the survivor merged on before this merge was pointed at the next one) is
 * a line of its own, at the end, rather than lost. Reads only.
 */
export async function* exportProfiles(store: ProfileStore, config: IdentityConfig): AsyncIterable<{ readonly view: ProfileView; readonly lineage: readonly LineageEntry[] }> {
  const covered = new Set<string>();
  const merging: StoredProfile[] = [];
  const line = async (state: ProfileState, holds: readonly string[]) => ({
    view: viewOf(state, config),
    lineage: (await Promise.all(holds.map((id) => store.listLineage(id)))).flat().map(({ source, recordKey, line }) => ({ source, recordKey, ...(line !== undefined ? { line } : {}) })),
  });
  for await (const p of store.listProfiles()) {
    const id = p.state.profileId;
    if (p.status === 'merging') merging.push(p);
    else if (p.status === 'splitting' && p.split) yield await line(p.state, [id, ...p.split.others.map((o) => o.profileId)]);
    else if (p.status === 'active') {
      const { state, folded } = await withMergesUnderWay(store, config, id, p);
      for (const f of folded) covered.add(f);
      yield await line(state, [id, ...folded]);
    }
  }
  for (const p of merging) if (!covered.has(p.state.profileId)) yield await line(p.state, [p.state.profileId]);
}

/** The profiles an identifier (`email:a@b.it`) belongs to: one, or several for a value people share. */
export async function profilesByIdentifier(store: ProfileStore, config: IdentityConfig, identifierKey: string): Promise<ProfileView[]> {
  for (let attempt = 0; ; attempt++) {
    const item = (await store.getIdentities([identifierKey])).get(identifierKey);
    const found = new Map<string, ProfileView>();
    let split = false;
    // Owners, and the profiles that carry the value unlinked (a role address, a value past its limit of people).
    for (const owner of holdersOf(item)) {
      const active = await activeProfile(store, config, owner);
      if (active.split) split = true;
      if (active.profile && !found.has(active.id)) found.set(active.id, viewOf(active.profile.state, config, owner));
    }
    // An unmerge finished on the way re-points the identifier: read it again.
    if (!split || attempt > 0) return [...found.values()];
  }
}

/** One record on a profile's timeline as `--history` shows it: what happened, where, and where its data came from. */
export interface HistoryEvent {
  readonly at: string;
  readonly source: string;
  readonly kind: string;
  readonly channel?: string;
  readonly interaction?: { readonly touchpoint?: string; readonly type?: string; readonly subject?: string; readonly summary?: string };
  readonly order?: { readonly orderId: string; readonly line?: string; readonly status?: string; readonly total?: number; readonly currency?: string; readonly test?: true };
  readonly consents?: readonly { readonly purpose: string; readonly granted: boolean }[];
  /** The file and line, or the webhook delivery, the record was read from. */
  readonly from: { readonly objectKey: string; readonly recordKey: string; readonly line?: number; readonly deliveryId?: string };
}

/** One of a profile's orders as it stands (its newest version; the lines of one order as that order). */
export interface HistoryOrder {
  readonly source: string;
  readonly orderId: string;
  readonly placedAt: string;
  readonly status?: string;
  readonly total?: number;
  readonly currency?: string;
  /** Whether it counts toward the totals: a sale, and not a test order. */
  readonly counted: boolean;
  readonly test?: true;
}

export interface ProfileHistory {
  /** The newest records applied to the profile, newest first. */
  readonly events: readonly HistoryEvent[];
  /** Whether it holds older ones than these. */
  readonly moreEvents: boolean;
  /** Every order of the profile, newest first: what its order totals count, and what they do not. */
  readonly orders: readonly HistoryOrder[];
}

/** The most events a history shows. */
export const MAX_HISTORY_EVENTS = 500;

/** How many events a history asked for shows: 20 when not said; undefined when not a whole number from 1 to the most. */
export function historyCount(asked: string | undefined): number | undefined {
  if (asked === undefined) return 20;
  const n = Number(asked);
  return /^\d+$/.test(asked) && n >= 1 && n <= MAX_HISTORY_EVENTS ? n : undefined;
}

/**
 * A profile's contact history and orders (`cdp profiles get --history`, `GET /profiles/{id}?history=N`): its newest
 * `events` records, and its orders as its totals count them. Reads only, one page of the timeline and the orders. A
 * merge under way shows the survivor's own until the records moving in have moved (the totals already count them).
 */
export async function profileHistory(store: ProfileStore, profileId: string, events = 20): Promise<ProfileHistory> {
  const limit = Math.max(1, Math.min(MAX_HISTORY_EVENTS, Math.floor(events)));
  const [entries, items] = await Promise.all([store.recentTimeline(profileId, limit + 1), store.listOrders(profileId)]);
  const orders = ordersOf(items).map(
    (o): HistoryOrder => ({
      source: o.source ?? '',
      orderId: o.orderId ?? '',
      placedAt: o.placedAt ?? o.occurredAt,
      ...(o.status !== undefined ? { status: o.status } : {}),
      ...(o.total !== undefined ? { total: o.total } : {}),
      ...(o.currency !== undefined ? { currency: o.currency } : {}),
      counted: counts(o),
      ...(o.test === true ? { test: true as const } : {}),
    }),
  );
  orders.sort((a, b) => (a.placedAt < b.placedAt ? 1 : a.placedAt > b.placedAt ? -1 : a.orderId.localeCompare(b.orderId)));
  return { events: entries.slice(0, limit).map(historyEvent), moreEvents: entries.length > limit, orders };
}

function historyEvent(t: TimelineEntry): HistoryEvent {
  const i = t.interaction as HistoryEvent['interaction'] | undefined;
  const o = t.order as (HistoryEvent['order'] & { changeOnly?: true; ref?: string; placedAt?: string }) | undefined;
  const { objectKey, recordKey, line, deliveryId } = t.lineage;
  return {
    at: t.occurredAt,
    source: t.source,
    kind: t.kind,
    ...(t.channel ? { channel: t.channel } : {}),
    ...(i && Object.keys(i).length > 0 ? { interaction: pick(i, ['touchpoint', 'type', 'subject', 'summary']) } : {}),
    ...(o ? { order: pick(o, ['orderId', 'line', 'status', 'total', 'currency', 'test']) as HistoryEvent['order'] } : {}),
    ...(t.consents?.length ? { consents: t.consents.map((c) => ({ purpose: c.purpose, granted: c.granted })) } : {}),
    from: { objectKey, recordKey, ...(line !== undefined ? { line } : {}), ...(deliveryId ? { deliveryId } : {}) },
  };
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> {
  const out: Partial<T> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out as Pick<T, K>;
}

import { describe, expect, it } from 'vitest';
import type { DynamoProfileStore } from '../../lambdas/adapters/dynamo-profile-store.ts';
import type { CanonicalRecord, Identifier } from '../../lambdas/domain/canonical.ts';
import { DEFAULT_IDENTITY_CONFIG } from '../../lambdas/domain/identity-config.ts';
import type { ProfileStore } from '../../lambdas/ports/profiles.ts';
import { activeProfile, finishMerge, resolveRecord } from '../../lambdas/usecases/resolve-record.ts';
import { unmergeProfile } from '../../lambdas/usecases/unmerge.ts';
import { listDuplicates, mergeDuplicate } from '../../lambdas/usecases/duplicates.ts';
import { describe as describeProfile, runProfilesUnmerge } from '../../cli/profiles.ts';
import { exportProfiles, profileById, readProfileById } from '../../lambdas/usecases/read-profiles.ts';
import type { Output } from '../../cli/output.ts';
import type { Target } from '../../cli/target.ts';
import { dynamoDbLocal } from '../support/dynamodb-local.ts';

const config = DEFAULT_IDENTITY_CONFIG;
const local = dynamoDbLocal('unmerge');

const email = (value: string): Identifier => ({ type: 'email', value });
const phone = (value: string): Identifier => ({ type: 'phone', value });
let day = 0;
const rec = (id: string, identifiers: Identifier[], over: Partial<CanonicalRecord> = {}): CanonicalRecord => {
  const at = `2026-02-${String(++day % 27 + 1).padStart(2, '0')}T09:00:00.000Z`;
  return {
    recordId: id,
    source: 'shop',
    channel: 'file',
    kind: over.order ? 'order' : 'contact',
    occurredAt: at,
    receivedAt: at,
    lineage: { objectKey: 'imports/shop/customers.csv', recordKey: id, line: 2 },
    identifiers,
    person: { firstName: 'Anna', lastName: 'Rossi' },
    ...over,
  };
};

// Two namesakes, then one row with one's e-mail and the other's phone (a data-entry error) that joins them.
const A_MAIL = email('anna@example.it');
const B_PHONE = phone('+393332220000');
const stream = [
  rec('a1', [A_MAIL, phone('+393331110000')], { consents: [{ purpose: 'marketing_email', granted: true, at: '2026-01-05T00:00:00.000Z' }] }),
  rec('a2', [A_MAIL], { order: { orderId: 'o1', total: 50, currency: 'EUR' } }),
  rec('b1', [email('anna.r@example.com'), B_PHONE], {
    order: { orderId: 'o2', total: 70, currency: 'EUR' },
    consents: [{ purpose: 'marketing_email', granted: false, at: '2026-01-09T00:00:00.000Z' }],
  }),
  rec('b2', [B_PHONE], { order: { orderId: 'o3', total: 30, currency: 'EUR' } }),
  rec('bad', [A_MAIL, B_PHONE]),
];

async function partition(store: ProfileStore, ids: readonly string[]) {
  const applied = await store.appliedProfiles(ids);
  const groups = new Map<string, string[]>();
  for (const r of ids) {
    const a = await activeProfile(store, config, applied.get(r)!);
    groups.set(a.id, [...(groups.get(a.id) ?? []), r].sort());
  }
  return groups;
}

async function merged(store: DynamoProfileStore) {
  for (const r of stream) await resolveRecord(store, r, config);
  const groups = await partition(store, stream.map((r) => r.recordId));
  expect([...groups.values()]).toEqual([['a1', 'a2', 'b1', 'b2', 'bad']]);
  return [...groups.keys()][0]!;
}

/** A store whose split writes fail once, at the `at`-th of them: the unmerge dies there. */
const SPLIT_WRITES = ['createSplitProfile', 'moveSplitItem', 'repointRecord', 'splitIdentity', 'putConsent', 'completeSplit'];
function dying(store: ProfileStore, at: number): { store: ProfileStore; writes: () => number } {
  let writes = 0;
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (!SPLIT_WRITES.includes(prop as string)) return value.bind(target);
      return async (...args: unknown[]) => {
        if (++writes === at) throw new Error('resolver died');
        return value.apply(target, args);
      };
    },
  });
  return { store: proxy, writes: () => writes };
}

/**
 * `store` with `unmerge` run once inside a resolver: right after the resolver's first read of `profileId` (what it
 * decides on is then stale), just before its first merge intent is written, or once its merge has moved one item (the
 * intent is written, the rest of the items are still to move). `hideFirstFind`: the resolver's first
 * look into the blocks finds nothing (its match is applied by another resolver then), so the matching after applying
 * is what joins them.
 */
function racing(store: ProfileStore, at: 'read' | 'intent' | 'move', profileId: string, unmerge: () => Promise<{ result: string }>, hideFirstFind = false) {
  let ran = false;
  let hidden = !hideFirstFind;
  const once = async () => {
    ran = true;
    expect((await unmerge()).result).toBe('split');
  };
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      // A record filed by another resolver at that moment: not seen before applying, only by the matching after.
      if (!hidden && prop === 'findSnapshots') {
        hidden = true;
        return async () => [];
      }
      if (!ran && at === 'read' && prop === 'getProfiles') {
        return async (ids: readonly string[]) => {
          const read = await value.call(target, ids);
          if (!ran && ids.includes(profileId)) await once();
          return read;
        };
      }
      if (!ran && at === 'move' && prop === 'moveItem') {
        return async (...args: unknown[]) => {
          const moved = await value.apply(target, args);
          if (!ran) await once();
          return moved;
        };
      }
      if (!ran && at === 'intent' && prop === 'markMerging') {
        return async (...args: unknown[]) => {
          if (!ran) await once();
          return value.apply(target, args);
        };
      }
      return value.bind(target);
    },
  });
  return { store: proxy, ran: () => ran };
}

describe('cdp profiles unmerge on DynamoDB Local', () => {
  it('splits a wrong merge into its people, with their orders, consents and identifiers, and keeps them apart', async () => {
    const store = await local.store();
    const wrongId = await merged(store);
    const before = (await store.getProfiles([wrongId])).get(wrongId)!.state;
    expect(before.orders).toMatchObject({ count: 3, revenue: 150 });

    const result = await unmergeProfile(store, config, wrongId, 'phone:+393332220000');
    expect(result.result).toBe('split');
    const groups = await partition(store, stream.map((r) => r.recordId));
    expect([...groups.values()].sort()).toEqual([['a1', 'a2', 'bad'], ['b1', 'b2']]);
    const [aId, bId] = [...groups.entries()].sort((x, y) => x[1][0]!.localeCompare(y[1][0]!)).map(([id]) => id) as [string, string];
    // a1 created the profile: its group keeps the id.
    expect(aId).toBe(wrongId);
    const profiles = await store.getProfiles([aId, bId]);
    const a = profiles.get(aId)!;
    const b = profiles.get(bId)!;
    expect([a.status, b.status]).toEqual(['active', 'active']);
    expect(a.state.orders).toMatchObject({ count: 1, revenue: 50 });
    expect(b.state.orders).toMatchObject({ count: 2, revenue: 100 });
    expect((await store.listOrders(bId)).map((o) => o.sk).sort()).toEqual(['ORDER#shop#o2', 'ORDER#shop#o3']);
    expect([a.state.recordCount, b.state.recordCount]).toEqual([3, 2]);
    expect((await store.timeline(bId)).map((e) => e.recordId).sort()).toEqual(['b1', 'b2']);
    // Each keeps its own consent decision (the merged profile had only the later one, b1's withdrawal).
    expect(a.state.consents.marketing_email).toMatchObject({ granted: true, r: 'a1' });
    expect(b.state.consents.marketing_email).toMatchObject({ granted: false, r: 'b1' });
    const consentItems = (await store.listItems(aId)).filter((i) => i.sk.startsWith('CONSENT#'));
    expect(consentItems.map((i) => i.recordId)).toEqual(['a1']);
    // Identifiers: the shared phone is now held by both (the bad row carried it), the rest by their own person.
    const ids = await store.getIdentities(['phone:+393332220000', 'email:anna@example.it', 'email:anna.r@example.com']);
    expect([...ids.get('phone:+393332220000')!.owners].sort()).toEqual([aId, bId].sort());
    expect(ids.get('email:anna@example.it')!.owners).toEqual([aId]);
    expect(ids.get('email:anna.r@example.com')!.owners).toEqual([bId]);
    expect(a.state.identifiers).not.toContain('email:anna.r@example.com');
    expect(a.state.apart).toEqual([bId]);
    expect(b.state.apart).toEqual([aId]);
    // Both are listed (exports), each with its own lineage.
    const listed = [];
    for await (const p of store.listProfiles()) listed.push(p.state.profileId);
    expect(listed.sort()).toEqual([aId, bId].sort());
    expect((await store.listLineage(bId)).map((l) => l.recordKey).sort()).toEqual(['b1', 'b2']);

    // A later record with the shared phone joins one of them and merges nothing back.
    const later = await resolveRecord(store, rec('later', [B_PHONE, email('anna@example.it')]), config);
    expect(later.merged).toEqual([]);
    const after = await partition(store, [...stream.map((r) => r.recordId), 'later']);
    expect(after.size).toBe(2);

    // Again on the same identifier: nothing joins the groups now.
    expect(await unmergeProfile(store, config, aId, 'phone:+393332220000')).toMatchObject({ result: 'unchanged' });
    expect(await unmergeProfile(store, config, bId, 'email:anna@example.it')).toMatchObject({ result: 'notOnProfile' });
    expect(await unmergeProfile(store, config, 'p_nobody', 'email:anna@example.it')).toEqual({ result: 'notFound' });
  }, 120_000);

  it('ranks a record dated ahead of its upload as of its upload, before a split and after it', async () => {
    const store = await local.store();
    // B's hotel stay, booked in February for August (its check-in dates the row), gives the city B lived in then; in
    // March B moved, and the shop's record says so. Then a bad row joins B with A.
    const stay = rec('stay', [email('bea@example.it'), B_PHONE], { occurredAt: '2026-08-01T00:00:00.000Z', receivedAt: '2026-02-10T09:00:00.000Z', address: { city: 'Roma' } });
    const moved = rec('moved', [email('bea@example.it'), B_PHONE], { occurredAt: '2026-03-01T09:00:00.000Z', receivedAt: '2026-03-01T09:00:00.000Z', address: { city: 'Milano' } });
    const records = [rec('a', [A_MAIL]), stay, moved, rec('joins', [A_MAIL, B_PHONE])];
    for (const r of records) await resolveRecord(store, r, config);
    const [wrongId] = [...(await partition(store, records.map((r) => r.recordId))).keys()];
    const before = (await store.getProfiles([wrongId!])).get(wrongId!)!.state;
    expect(before.attributes.city).toBe('Milano');
    expect(before.lastSeenAt).toBe('2026-03-01T09:00:00.000Z');

    expect((await unmergeProfile(store, config, wrongId!, 'phone:+393332220000')).result).toBe('split');
    const groups = await partition(store, records.map((r) => r.recordId));
    const bId = [...groups.entries()].find(([, ids]) => ids.includes('stay'))![0];
    expect(groups.get(bId)).toEqual(['moved', 'stay']);
    const b = (await store.getProfiles([bId])).get(bId)!.state;
    expect(b.attributes.city).toBe('Milano');
    expect(b.values.city?.map((v) => [v.v, v.t])).toEqual([
      ['Milano', '2026-03-01T09:00:00.000Z'],
      ['Roma', '2026-02-10T09:00:00.000Z'],
    ]);
    expect(b.lastSeenAt).toBe('2026-03-01T09:00:00.000Z');
    // The stay itself keeps its day on the timeline.
    expect((await store.timeline(bId)).find((e) => e.recordId === 'stay')?.occurredAt).toBe('2026-08-01T00:00:00.000Z');
  }, 60_000);

  it('a merged-away id answers for its survivor', async () => {
    const store = await local.store();
    const survivor = await merged(store);
    const applied = await store.appliedProfiles(['b1']);
    const mergedAway = applied.get('b1')!;
    expect(mergedAway).not.toBe(survivor);
    expect(await unmergeProfile(store, config, mergedAway, 'phone:+393332220000')).toMatchObject({ result: 'split', profileId: survivor });
  }, 60_000);

  it('finishes an unmerge that died at any step on the next touch, with the same outcome', async () => {
    const reference = await local.store();
    const id = await merged(reference);
    const counting = dying(reference, 0);
    await unmergeProfile(counting.store, config, id, 'phone:+393332220000');
    const expected = await partition(reference, stream.map((r) => r.recordId));
    const total = counting.writes();
    expect(total).toBeGreaterThan(5);

    for (const at of [1, 2, Math.floor(total / 2), total - 1, total]) {
      const store = await local.store();
      const wrongId = await merged(store);
      await expect(unmergeProfile(dying(store, at).store, config, wrongId, 'phone:+393332220000')).rejects.toThrow('resolver died');
      expect((await store.getProfiles([wrongId])).get(wrongId)!.status).toBe('splitting');
      // The next record of either person finishes it first.
      const next = await resolveRecord(store, rec(`next-${at}`, [email('anna.r@example.com')]), config);
      expect(next.merged).toEqual([]);
      // ... and lands with its person, not with the profile the e-mail pointed at before the split.
      const landed = await partition(store, [`next-${at}`, 'b1']);
      expect(landed.size).toBe(1);
      const groups = await partition(store, stream.map((r) => r.recordId));
      expect([...groups.values()].sort()).toEqual([...expected.values()].sort());
      expect([...groups.keys()].sort()).toEqual([...expected.keys()].sort());
      const states = await store.getProfiles([...groups.keys()]);
      expect([...states.values()].map((p) => [p.status, p.state.orders.count, p.state.orders.revenue]).sort()).toEqual([
        ['active', 1, 50],
        ['active', 2, 100],
      ]);
    }
  }, 300_000);

  it('a merge decided just before an unmerge is decided again on the groups the unmerge left', async () => {
    for (const at of ['read', 'intent'] as const) {
      const store = await local.store();
      const wrongId = await merged(store);
      // A third Anna Rossi, known by a phone of her own (only a duplicate candidate of the others: no date, no street).
      const Q_PHONE = phone('+393334440000');
      await resolveRecord(store, rec('q1', [Q_PHONE]), config);
      // A row with B's e-mail and the third one's phone: read before the unmerge, it joins the wrong profile and hers.
      const race = racing(store, at, wrongId, () => unmergeProfile(store, config, wrongId, 'phone:+393332220000'));
      const out = await resolveRecord(race.store, rec('r', [email('anna.r@example.com'), Q_PHONE]), config);
      expect(race.ran()).toBe(true);
      expect(out.merged).toHaveLength(1);
      // B's group (which holds the e-mail now) joined the third one's; the group that kept the id stayed as it was.
      const groups = await partition(store, [...stream.map((r) => r.recordId), 'q1', 'r']);
      expect([...groups.values()].sort(), at).toEqual([
        ['a1', 'a2', 'bad'],
        ['b1', 'b2', 'q1', 'r'],
      ]);
      const home = (await store.getProfiles([wrongId])).get(wrongId)!;
      expect([home.status, home.state.recordCount, home.state.orders.count]).toEqual(['active', 3, 1]);
    }
  }, 60_000);

  it('an unmerge that meets a merge into the profile half-moved finishes the merge first, and splits what it brought too', async () => {
    const store = await local.store();
    const wrongId = await merged(store);
    // B again, under a phone of her own, with an order and a consent: a profile of three items, whose id sorts after
    // the wrong one's (a merge goes into the older id), so it is the one that moves.
    const Q_PHONE = phone('+393336660000');
    const q = (await resolveRecord(store, rec('q5', [Q_PHONE], { order: { orderId: 'o9', total: 20, currency: 'EUR' }, consents: [{ purpose: 'sms', granted: true, at: '2026-01-10T00:00:00.000Z' }] }), config)).profileId;
    expect(q > wrongId).toBe(true);
    // A row with B's e-mail and that phone merges her profile into the wrong one; the unmerge runs once one item moved.
    const race = racing(store, 'move', wrongId, () => unmergeProfile(store, config, wrongId, 'phone:+393332220000'));
    await resolveRecord(race.store, rec('r', [email('anna.r@example.com'), Q_PHONE]), config);
    expect(race.ran()).toBe(true);
    const ids = [...stream.map((r) => r.recordId), 'q5', 'r'];
    const groups = await partition(store, ids);
    // A's group is A's alone. What happened equals the merge, then the unmerge (which split what the merge brought: her
    // own profile's records are a group of their own, kept apart like the others), then the row applied: it joins one
    // of the two groups it links, as a row carrying two kept-apart profiles' identifiers does.
    expect([...groups.values()].sort()).toEqual([
      ['a1', 'a2', 'bad'],
      ['b1', 'b2'],
      ['q5', 'r'],
    ]);
    const home = (await store.getProfiles([wrongId])).get(wrongId)!;
    expect([home.status, home.state.recordCount, home.state.orders.count, home.state.identifiers.includes('phone:+393336660000')]).toEqual(['active', 3, 1, false]);
    expect(home.incoming).toBeUndefined();
    // Every item of each profile is where its record is: the timeline, orders and consents agree with the markers.
    for (const [profileId, records] of groups) {
      const items = await store.listItems(profileId);
      expect(items.filter((i) => i.sk.startsWith('EVENT#')).map((i) => String(i.recordId)).sort(), profileId).toEqual(records);
      const p = (await store.getProfiles([profileId])).get(profileId)!;
      expect(p.state.recordCount).toBe(records.length);
      expect(items.filter((i) => i.sk.startsWith('ORDER#')).length).toBe(p.state.orders.count);
    }
    const withQ = [...groups.entries()].find(([, g]) => g.includes('q5'))!;
    expect((await store.listItems(withQ[0])).map((i) => i.sk).filter((sk) => !sk.startsWith('EVENT#')).sort()).toEqual(['CONSENT#sms', 'ORDER#shop#o9']);
    // A prefix reads one range of the partition (the split reads consents so).
    expect((await store.listItems(withQ[0], 'CONSENT#')).map((i) => i.sk)).toEqual(['CONSENT#sms']);
  }, 60_000);

  it('the reader that may not write (GET /profiles/{id}) shows a merge left half-done as done and an unmerge left half-done as not begun', async () => {
    const store = await local.store();
    const wrongId = await merged(store);
    const READS = ['getProfiles', 'getIdentities', 'listOrders', 'listItems', 'listProfiles', 'timeline', 'appliedProfiles', 'appliedRecord', 'listLineage', 'listDuplicates'];
    const readOnly = new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        if (READS.includes(prop as string)) return value.bind(target);
        return () => Promise.reject(new Error(`AccessDenied: ${String(prop)}`));
      },
    });
    // Her profile under a phone of her own, with an order; a resolver merging it in dies after moving one item.
    const Q_PHONE = phone('+393336660000');
    const q = (await resolveRecord(store, rec('q5', [Q_PHONE], { order: { orderId: 'o9', total: 20, currency: 'EUR' } }), config)).profileId;
    expect(await store.markMerging(q, wrongId, (await store.getProfiles([q])).get(q)!.version)).toBe('ok');
    // The order moved; the record's event (its lineage) not yet.
    expect(await store.moveItem(q, wrongId, (await store.listItems(q)).find((i) => i.sk.startsWith('ORDER#'))!)).toBe('ok');
    const shown = async (id: string) => {
      const { requestedId: _r, ...view } = (await readProfileById(readOnly, config, id))!;
      return { ...view, identifiers: view.identifiers.toSorted(), sources: view.sources.toSorted() };
    };
    // `cdp profiles export`: every record on exactly one line, whatever is half-done.
    const exported = async () => {
      const lines: { id: string; records: string[] }[] = [];
      for await (const { view, lineage } of exportProfiles(readOnly, config)) lines.push({ id: view.profileId, records: lineage.map((l) => l.recordKey).sort() });
      return lines.sort((a, b) => a.id.localeCompare(b.id));
    };
    const ALL = ['a1', 'a2', 'b1', 'b2', 'bad', 'q5'];
    expect(await exported()).toEqual([{ id: wrongId, records: ALL }]);
    const viaQ = await shown(q);
    expect(viaQ).toMatchObject({ profileId: wrongId, recordCount: 6, orders: { count: 4, revenue: 170 } });
    expect(viaQ.identifiers).toContain('phone:+393336660000');
    expect(await shown(wrongId)).toEqual(viaQ);
    // The reader that writes finishes the merge: the same profile.
    const { requestedId: _r, ...done } = (await profileById(store, config, q))!;
    expect({ ...done, identifiers: done.identifiers.toSorted(), sources: done.sources.toSorted() }).toEqual(viaQ);
    expect((await store.getProfiles([q])).get(q)!.status).toBe('merged');

    // An unmerge that died after its third write: the profile as it was, also for the id of a group being created.
    await expect(unmergeProfile(dying(store, 3).store, config, wrongId, 'phone:+393332220000')).rejects.toThrow('resolver died');
    const splitting = (await store.getProfiles([wrongId])).get(wrongId)!;
    expect(splitting.status).toBe('splitting');
    expect(await shown(wrongId)).toEqual(viaQ);
    expect(await shown(splitting.split!.others[0]!.profileId)).toEqual(viaQ);
    expect(await exported()).toEqual([{ id: wrongId, records: ALL }]);
    // Finished by the next touch that may write, it shows the split.
    await profileById(store, config, wrongId);
    expect((await shown(wrongId)).recordCount).toBeLessThan(6);
    const split = await exported();
    expect(split.length).toBeGreaterThan(1);
    expect(split.flatMap((l) => l.records).sort()).toEqual(ALL);

    // A merge left half-done into a profile that then merged on (not pointed at the new survivor yet): its records
    // not moved are a line of their own, not lost.
    const [t, s2] = [...(await partition(store, ['a1', 'b1'])).keys()].sort() as [string, string];
    const p = (await resolveRecord(store, rec('p7', [phone('+393337770000')], { order: { orderId: 'o7', total: 5, currency: 'EUR' } }), config)).profileId;
    expect(await store.markMerging(p, s2, (await store.getProfiles([p])).get(p)!.version)).toBe('ok');
    expect(await store.moveItem(p, s2, (await store.listItems(p)).find((i) => i.sk.startsWith('ORDER#'))!)).toBe('ok');
    expect(await store.markMerging(s2, t, (await store.getProfiles([s2])).get(s2)!.version)).toBe('ok');
    await finishMerge(store, config, s2);
    const lines = await exported();
    expect(lines.flatMap((l) => l.records).sort()).toEqual([...ALL, 'p7'].sort());
    expect(lines.find((l) => l.id === p)?.records).toEqual(['p7']);
    // Read by its id, it answers with where its merge ends, itself merged in.
    const viaP = await shown(p);
    expect(viaP.profileId).toBe(t);
    expect(viaP.identifiers).toContain('phone:+393337770000');
    expect(viaP.recordCount).toBe((await shown(t)).recordCount + 1);
  }, 60_000);

  it('a merge into the profile that begins while the unmerge plans makes it plan again, with what the merge brought', async () => {
    const store = await local.store();
    const wrongId = await merged(store);
    const Q_PHONE = phone('+393336660000');
    const q = (await resolveRecord(store, rec('q5', [Q_PHONE], { order: { orderId: 'o9', total: 20, currency: 'EUR' } }), config)).profileId;
    // A resolver begins merging her profile into the wrong one between the unmerge's read and its split, and dies
    // after moving one item.
    let begun = false;
    const racing = new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        if (prop !== 'beginSplit' || begun) return value.bind(target);
        return async (...args: unknown[]) => {
          begun = true;
          expect(await store.markMerging(q, wrongId, (await store.getProfiles([q])).get(q)!.version)).toBe('ok');
          expect(await store.moveItem(q, wrongId, (await store.listItems(q))[0]!)).toBe('ok');
          return value.apply(target, args);
        };
      },
    });
    expect((await unmergeProfile(racing, config, wrongId, 'phone:+393332220000')).result).toBe('split');
    expect(begun).toBe(true);
    const groups = await partition(store, [...stream.map((r) => r.recordId), 'q5']);
    expect([...groups.values()].sort()).toEqual([['a1', 'a2', 'bad'], ['b1', 'b2'], ['q5']]);
    for (const [profileId, records] of groups) {
      const items = await store.listItems(profileId);
      expect(items.filter((i) => i.sk.startsWith('EVENT#')).map((i) => String(i.recordId)).sort(), profileId).toEqual(records);
      expect(items.some((i) => i.sk === 'ORDER#shop#o9'), profileId).toBe(records.includes('q5'));
    }
  }, 60_000);

  it('a profile erased while it was merging in does not hold an unmerge up', async () => {
    const store = await local.store();
    const wrongId = await merged(store);
    const q = (await resolveRecord(store, rec('q5', [phone('+393336660000')]), config)).profileId;
    expect(await store.markMerging(q, wrongId, (await store.getProfiles([q])).get(q)!.version)).toBe('ok');
    expect((await store.beginErasure(q))?.status).toBe('erasing');
    await store.eraseProfile(q, ['q5'], ['phone:+393336660000']);
    expect((await store.getProfiles([wrongId])).get(wrongId)!.incoming).toEqual([q]);
    expect((await unmergeProfile(store, config, wrongId, 'phone:+393332220000')).result).toBe('split');
    expect((await store.getProfiles([wrongId])).get(wrongId)!.incoming).toBeUndefined();
  }, 60_000);

  it('so is a match decided just before an unmerge: the record joins the group its match is in now', async () => {
    for (const [at, hideFirstFind] of [['read', false], ['read', true], ['intent', true]] as const) {
      const store = await local.store();
      const born = { firstName: 'Anna', lastName: 'Rossi', birthDate: '1990-05-17' };
      const Y_PHONE = phone('+393335550000');
      // fx1 and fy1 (the one with a birth date) wrongly joined by a row with both their identifiers. fx1's profile is
      // the older id, so an unmerge of fy1's phone leaves fx1's group the id and gives fy1 a profile of its own.
      for (const r of [rec('fx1', [email('fx@example.it')]), rec('fy1', [Y_PHONE], { person: born }), rec('fbad', [email('fx@example.it'), Y_PHONE])]) {
        await resolveRecord(store, r, config);
      }
      const wrongId = (await store.appliedProfiles(['fx1'])).get('fx1')!;
      expect((await partition(store, ['fx1', 'fy1', 'fbad'])).size).toBe(1);
      const race = racing(store, at, wrongId, () => unmergeProfile(store, config, wrongId, 'phone:+393335550000'), hideFirstFind);
      // No identifier: fz is fy1 by name and birth date. Applied straight to fy1's profile, or (when fy1 was not seen
      // before applying) merged with it by the matching after.
      const out = await resolveRecord(race.store, rec('fz', [], { person: born }), config);
      expect(race.ran()).toBe(true);
      expect(out.merged).toHaveLength(hideFirstFind ? 1 : 0);
      const groups = await partition(store, ['fx1', 'fy1', 'fbad', 'fz']);
      expect([...groups.values()].sort(), at).toEqual([
        ['fbad', 'fx1'],
        ['fy1', 'fz'],
      ]);
      expect(groups.get(wrongId)).toEqual(['fbad', 'fx1']);
    }
  }, 60_000);

  it('`cdp duplicates` that meets an unmerge left half-done finishes it and shows the groups the records are in now', async () => {
    const reference = await local.store();
    const refId = await merged(reference);
    await unmergeProfile(reference, config, refId, 'phone:+393332220000');
    // The namesakes' records were candidates of each other before the wrong row joined them; now they are again.
    const expected = (await listDuplicates(reference, config)).map((d) => [d.records, d.profiles]);
    expect(expected.length).toBeGreaterThan(0);
    for (const d of await listDuplicates(reference, config)) expect(new Set(d.profiles).size).toBe(2);

    for (const at of [2, 4]) {
      const store = await local.store();
      const wrongId = await merged(store);
      await expect(unmergeProfile(dying(store, at).store, config, wrongId, 'phone:+393332220000')).rejects.toThrow('resolver died');
      expect((await store.getProfiles([wrongId])).get(wrongId)!.status).toBe('splitting');
      const listed = await listDuplicates(store, config);
      expect(listed.map((d) => [d.records, d.profiles]), `died at write ${at}`).toEqual(expected);
    }

    // Merging a candidate whose profile is splitting merges the groups its records are in once it is done.
    const store = await local.store();
    const wrongId = await merged(store);
    const pairId = (await listDuplicates(reference, config))[0]!.pairId;
    await expect(unmergeProfile(dying(store, 3).store, config, wrongId, 'phone:+393332220000')).rejects.toThrow('resolver died');
    const decision = await mergeDuplicate(store, config, pairId);
    expect(decision).toMatchObject({ result: 'merged' });
    expect('merged' in decision && decision.merged).toBeTruthy();
    expect((await partition(store, stream.map((r) => r.recordId))).size).toBe(1);
  }, 120_000);

  it('runs while resolvers keep applying both people\'s records: each record ends with its person, once', async () => {
    const store = await local.store();
    const wrongId = await merged(store);
    const more = Array.from({ length: 24 }, (_v, i) =>
      i % 2 === 0
        ? rec(`ma${i}`, [A_MAIL], { order: { orderId: `ma${i}`, total: 1, currency: 'EUR' } })
        : rec(`mb${i}`, [email('anna.r@example.com')], { order: { orderId: `mb${i}`, total: 2, currency: 'EUR' } }),
    );
    const queue = [...more];
    const worker = async () => {
      for (let r = queue.shift(); r; r = queue.shift()) await resolveRecord(store, r, config);
    };
    const unmerge = async () => {
      await new Promise((r) => setTimeout(r, 50));
      return unmergeProfile(store, config, wrongId, 'phone:+393332220000');
    };
    const [result] = await Promise.all([unmerge(), worker(), worker(), worker()]);
    expect(result.result).toBe('split');
    const all = [...stream, ...more].map((r) => r.recordId);
    const groups = [...(await partition(store, all)).entries()];
    const a = ['a1', 'a2', 'bad', ...more.filter((r) => r.recordId.startsWith('ma')).map((r) => r.recordId)].sort();
    const b = ['b1', 'b2', ...more.filter((r) => r.recordId.startsWith('mb')).map((r) => r.recordId)].sort();
    expect(groups.map(([, records]) => records).sort()).toEqual([a, b]);
    const states = await store.getProfiles(groups.map(([id]) => id));
    for (const [id, records] of groups) {
      const p = states.get(id)!;
      expect(p.status).toBe('active');
      expect(p.state.recordCount).toBe(records.length);
      expect((await store.timeline(id)).length).toBe(records.length);
    }
    const totals = groups.map(([id]) => states.get(id)!.state.orders).sort((x, y) => x.revenue - y.revenue);
    expect(totals.map((o) => [o.count, o.revenue])).toEqual([
      [13, 62],
      [14, 124],
    ]);
  }, 120_000);

  it('`cdp profiles unmerge` takes the identifier as a person types it, and says what it did', async () => {
    const { store, dynamodb, tableName } = await local.table();
    const wrongId = await merged(store);
    const target = { kind: 'local', dynamodb, tableName } as unknown as Target;
    const printed: { data: unknown; text: string }[] = [];
    const out: Output = { json: false, result: (data, human) => printed.push({ data, text: human() }), progress: () => undefined };
    // The phone as it was typed in the shop, not as stored.
    expect(await runProfilesUnmerge(out, async () => target, wrongId, 'phone:(+39) 333-2220000')).toBe(0);
    expect(printed[0]!.text).toMatch(new RegExp(`^Split ${wrongId} into 2 profiles`));
    expect(printed[0]!.text).toContain('3 record(s) (keeps the id)');
    expect(printed[0]!.text).not.toContain('anna');
    // `cdp profiles get` says what the profile is kept apart from.
    const view = (await profileById(store, config, wrongId))!;
    const other = (printed[0]!.data as { profiles: { profileId: string }[] }).profiles[1]!.profileId;
    expect(view.keptApartFrom).toEqual([other]);
    expect(describeProfile(view)).toContain(`kept apart   from ${other} (unmerged, or dismissed as a duplicate)`);
    expect(await runProfilesUnmerge(out, async () => target, wrongId, 'phone:+39 333 2220000')).toBe(1);
    expect(printed[1]!.text).toMatch(/^Nothing to unmerge: the 3 record\(s\)/);
    expect(await runProfilesUnmerge(out, async () => target, 'p_missing', 'email:anna@example.it')).toBe(1);
    expect(printed[2]!.text).toBe('No profile p_missing.');
    await expect(runProfilesUnmerge(out, async () => target, wrongId, 'fax:123')).rejects.toThrow(/type one of email, phone/);
  }, 60_000);
});

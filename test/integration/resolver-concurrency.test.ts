import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DynamoProfileStore } from '../../lambdas/adapters/dynamo-profile-store.ts';
import type { CanonicalRecord, Identifier } from '../../lambdas/domain/canonical.ts';
import { DEFAULT_IDENTITY_CONFIG } from '../../lambdas/domain/identity-config.ts';
import type { ProfileStore } from '../../lambdas/ports/profiles.ts';
import { activeProfile, resolveRecord } from '../../lambdas/usecases/resolve-record.ts';
import { dynamoDbLocal } from '../support/dynamodb-local.ts';

const config = DEFAULT_IDENTITY_CONFIG;
let totalCrashes = 0;
let totalMerges = 0;
let sequentialMerges = 0;

const local = dynamoDbLocal('resolver');
const freshStore = () => local.store();

/** A resolver dies (the Lambda times out, the container is recycled) before or right after a write lands. */
class Crash extends Error {}
const WRITES = ['repointIdentity', 'applyRecord', 'fileSnapshot', 'markMerging', 'retargetMerge', 'moveItem', 'completeMerge', 'putDuplicate', 'markMatched'] as const;
function crashing(store: ProfileStore, rate: number, rand: () => number, onMerge: () => void): ProfileStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || !WRITES.includes(prop as (typeof WRITES)[number])) return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        if (rand() < rate) throw new Crash('before');
        const result = await value.apply(target, args);
        if (prop === 'completeMerge' && result === 'ok') onMerge();
        if (rand() < rate) throw new Crash('after');
        return result;
      };
    },
  });
}

interface Person {
  first: string;
  last: string;
  dob?: string;
  own: Identifier[];
  household?: Identifier;
}

/** People with their own identifiers; pairs of them share a household e-mail (different first names). */
const people = fc
  .array(
    fc.record({
      email: fc.boolean(),
      phone: fc.boolean(),
      ext: fc.boolean(),
      dob: fc.boolean(),
      household: fc.boolean(),
    }),
    { minLength: 4, maxLength: 10 },
  )
  .map((ps) => {
    const names = ['Anna', 'Marco', 'Giulia', 'Luca', 'Sara', 'Paolo', 'Elena', 'Davide', 'Chiara', 'Matteo'];
    let household = 0;
    const out: Person[] = ps.map((p, i) => {
      const own: Identifier[] = [];
      if (p.email || (!p.phone && !p.ext)) own.push({ type: 'email', value: `person${i}@example.it` });
      if (p.phone) own.push({ type: 'phone', value: `+39333000${String(i).padStart(4, '0')}` });
      if (p.ext) own.push({ type: 'externalId', value: `C${i}`, namespace: 'erp' });
      return { first: names[i]!, last: i % 2 ? 'Rossi' : 'Bianchi', ...(p.dob ? { dob: `19${70 + i}-01-01` } : {}), own };
    });
    for (let i = 0; i + 1 < out.length; i += 2) {
      if (!ps[i]!.household) continue;
      const shared: Identifier = { type: 'email', value: `famiglia${household++}@example.it` };
      out[i]!.household = shared;
      out[i + 1]!.household = shared;
    }
    return out;
  });

const stream = people.chain((ps) =>
  fc
    .array(
      fc.record({
        who: fc.nat({ max: ps.length - 1 }),
        subset: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        withHousehold: fc.boolean(),
        withDob: fc.boolean(),
        // An order, whole or one of its lines (an ERP's order lines), again and again with other totals.
        order: fc.option(fc.record({ n: fc.nat({ max: 2 }), total: fc.integer({ min: 1, max: 500 }), line: fc.option(fc.constantFrom('1', '2'), { nil: undefined }) }), { nil: undefined }),
        day: fc.integer({ min: 1, max: 28 }),
      }),
      { minLength: 6, maxLength: 30 },
    )
    .map((rows) =>
      rows.map((row, i): CanonicalRecord => {
        const p = ps[row.who]!;
        let ids = p.own.filter((_id, k) => row.subset[k]);
        if (p.household && row.withHousehold) ids = [...ids, p.household];
        if (ids.length === 0) ids = [p.own[0]!];
        return record(i, p, ids, row.day, p.dob && row.withDob ? p.dob : undefined, row.order && { orderId: `${row.who}-${row.order.n}`, total: row.order.total, ...(row.order.line ? { line: row.order.line } : {}) });
      }),
    ),
);

function record(i: number, p: Person, identifiers: Identifier[], day: number, birthDate?: string, order?: { orderId: string; total: number; line?: string }): CanonicalRecord {
  const at = `2026-01-${String(day).padStart(2, '0')}T10:00:00.000Z`;
  return {
    recordId: `rec-${i}`,
    source: 'erp',
    channel: 'file',
    kind: order ? 'order' : 'contact',
    occurredAt: at,
    receivedAt: at,
    lineage: { objectKey: 'imports/erp/stream.csv', recordKey: String(i), line: i + 2 },
    identifiers,
    person: { firstName: p.first, lastName: p.last, ...(birthDate ? { birthDate } : {}) },
    ...(order ? { order: { ...order, currency: 'EUR' } } : {}),
  };
}

/**
 * A stream that must merge: each person's e-mail, phone and customer id first arrive on records of their own (three
 * profiles, as a name with no birth date is no evidence), then on records that carry two of them. Random streams
 * rarely need a merge, as the scorer joins most of a person's records as they come.
 */
function mergingStream(): CanonicalRecord[] {
  const names: [string, string][] = [['Anna', 'Bianchi'], ['Marco', 'Rossi'], ['Giulia', 'Bianchi'], ['Luca', 'Rossi']];
  const out: CanonicalRecord[] = [];
  names.forEach(([first, last], i) => {
    const email: Identifier = { type: 'email', value: `merge${i}@example.it` };
    const phone: Identifier = { type: 'phone', value: `+39333100${String(i).padStart(4, '0')}` };
    const ext: Identifier = { type: 'externalId', value: `M${i}`, namespace: 'erp' };
    const p: Person = { first, last, own: [email, phone, ext] };
    for (const ids of [[email], [phone], [ext], [email, phone], [phone, ext]]) out.push(record(out.length, p, ids, 1 + out.length, undefined, { orderId: `m${i}-${out.length}`, total: 10 + out.length }));
  });
  return out;
}

/** Records grouped by the active profile they ended in, with each group's order count and revenue. */
async function outcome(store: DynamoProfileStore, records: readonly CanonicalRecord[]) {
  const groups = new Map<string, string[]>();
  for (const r of records) {
    const applied = (await store.appliedProfiles([r.recordId])).get(r.recordId);
    if (!applied) throw new Error(`record ${r.recordId} was never applied`);
    const active = await activeProfile(store, config, applied);
    groups.set(active.id, [...(groups.get(active.id) ?? []), r.recordId]);
  }
  const profiles = await store.getProfiles([...groups.keys()]);
  return [...groups.entries()]
    .map(([id, recs]) => {
      const s = profiles.get(id)!.state;
      expect(s.recordCount).toBe(recs.length);
      return { records: recs.sort().join(','), orders: s.orders.count, revenue: s.orders.revenue, firstOrder: s.orders.firstAt, lastOrder: s.orders.lastAt };
    })
    .sort((a, b) => a.records.localeCompare(b.records));
}

describe('resolver on DynamoDB Local, under real delivery', () => {
  it('4 concurrent resolvers, duplicates, any order, crashes: the same profiles and order totals as one resolver in order (property)', async () => {
    await fc.assert(
      fc.asyncProperty(stream, fc.integer(), async (records, seed) => {
        let x = seed >>> 0 || 1;
        const rand = () => {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          return (x >>> 0) / 2 ** 32;
        };

        const sequential = await freshStore();
        const counting = crashing(sequential, 0, rand, () => sequentialMerges++);
        for (const r of records) await resolveRecord(counting, r, config);

        const concurrent = await freshStore();
        const flaky = crashing(concurrent, 0.06, rand, () => totalMerges++);
        const queue = records.flatMap((r) => (rand() < 0.3 ? [r, r] : [r])).sort(() => rand() - 0.5);
        let crashes = 0;
        const worker = async () => {
          for (let r = queue.shift(); r; r = queue.shift()) {
            try {
              await resolveRecord(flaky, r, config);
            } catch (e) {
              if (!(e instanceof Crash)) throw e;
              crashes++;
              queue.push(r); // SQS redelivers it after the visibility timeout
            }
          }
        };
        await Promise.all([worker(), worker(), worker(), worker()]);

        expect(await outcome(concurrent, records)).toEqual(await outcome(sequential, records));
        totalCrashes += crashes;
      }),
      {
        numRuns: Number(process.env.RESOLVER_PROPERTY_RUNS ?? 12),
        endOnFailure: true,
        // Fixed cases first: streams that must merge (under two delivery orders), then three random ones, so the
        // checks below never rest on luck alone.
        examples: [[mergingStream(), 7], [mergingStream(), 20261123], ...fc.sample(fc.tuple(stream, fc.integer()), { seed: 20261123, numRuns: 3 })],
        // Replay a failure: RESOLVER_PROPERTY_SEED and RESOLVER_PROPERTY_PATH from its report.
        ...(process.env.RESOLVER_PROPERTY_SEED ? { seed: Number(process.env.RESOLVER_PROPERTY_SEED), path: process.env.RESOLVER_PROPERTY_PATH } : {}),
      },
    );
    // The runs did exercise what they claim to: resolvers died mid-way, and merges happened, in order and concurrently.
    expect(totalCrashes).toBeGreaterThan(0);
    expect(sequentialMerges).toBeGreaterThan(0);
    expect(totalMerges).toBeGreaterThan(0);
  }, 600_000);

  it('many records of one person at once (a form posted again and again) take turns at the profile instead of giving up', async () => {
    const store = await freshStore();
    // Each writer that loses the profile's version reads again; without waiting its turn, 40 of them at once left
    // about 18 with a ContentionError (their message redelivered minutes later, nearer the dead-letter queue).
    const posts = Array.from({ length: 40 }, (_, i): CanonicalRecord => ({
      recordId: `post-${i}`,
      source: 'cf7',
      channel: 'webhook',
      kind: 'contact',
      occurredAt: '2026-06-01T10:00:00.000Z',
      receivedAt: '2026-06-01T10:00:00.000Z',
      lineage: { objectKey: `webhooks/cf7/${i}.json`, recordKey: `submission:${i}`, deliveryId: `d${i}` },
      identifiers: [
        { type: 'email', value: `mario.rossi+${i}@example.it` },
        { type: 'phone', value: '+393331234567' },
      ],
      person: { firstName: 'Mario', lastName: 'Rossi' },
      address: { city: 'Milano', postalCode: '20121' },
    }));
    const outcomes = await Promise.allSettled(posts.map((r) => resolveRecord(store, r, config)));
    expect(outcomes.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason))).toEqual([]);
    const profiles = new Set<string>();
    for (const o of outcomes) if (o.status === 'fulfilled') profiles.add((await activeProfile(store, config, o.value.profileId)).id);
    expect(profiles.size).toBe(1);
    const [id] = [...profiles];
    expect((await store.getProfiles([id!])).get(id!)!.state.recordCount).toBe(40);
  }, 120_000);
});

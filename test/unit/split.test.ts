import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CanonicalRecord, type Identifier, identifierKey } from '../../lambdas/domain/canonical.ts';
import { DEFAULT_IDENTITY_CONFIG } from '../../lambdas/domain/identity-config.ts';
import { compareSnapshots, decide, snapshotOf } from '../../lambdas/domain/matching.ts';
import { applyRecord, emptyProfile, mergeStates, personKeyOfProfile, rectify, restrict } from '../../lambdas/domain/profile.ts';
import { newProfileIdFor, planResolution } from '../../lambdas/domain/resolution.ts';
import { planSplit, rebuildState, regroup, splitProfileIdFor } from '../../lambdas/domain/split.ts';

const config = DEFAULT_IDENTITY_CONFIG;
let n = 0;
const email = (value: string): Identifier => ({ type: 'email', value });
const phone = (value: string): Identifier => ({ type: 'phone', value });
const rec = (id: string, first: string, last: string, identifiers: Identifier[], over: Partial<CanonicalRecord> = {}): CanonicalRecord => ({
  recordId: id,
  source: 'erp',
  channel: 'file',
  kind: 'contact',
  occurredAt: `2026-01-${String(10 + ++n % 18).padStart(2, '0')}T00:00:00.000Z`,
  receivedAt: '2026-12-01T00:00:00.000Z',
  lineage: { objectKey: 'imports/erp/a.csv', recordKey: id },
  identifiers,
  person: { firstName: first, lastName: last },
  ...over,
});
const fold = (profileId: string, records: readonly CanonicalRecord[]) =>
  [...records]
    .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.recordId.localeCompare(b.recordId))
    .reduce((s, r) => applyRecord(s, r, r.identifiers.map(identifierKey), config), emptyProfile(profileId, records[0]!.occurredAt));

// Two namesakes, joined by one row that carries one's e-mail and the other's phone (a data-entry error).
const a1 = rec('a1', 'Anna', 'Rossi', [email('anna@example.it'), phone('+393331110000')]);
const a2 = rec('a2', 'Anna', 'Rossi', [email('anna@example.it')], { order: { orderId: 'o1', total: 50 } });
const b1 = rec('b1', 'Anna', 'Rossi', [email('anna.r@example.com'), phone('+393332220000')], { order: { orderId: 'o2', total: 70 } });
const bad = rec('bad', 'Anna', 'Rossi', [email('anna@example.it'), phone('+393332220000')]);
const wrong = [a1, a2, b1, bad];

describe('unmerge: regrouping a profile without one identifier', () => {
  it('a change to an order that names no person (a binned order) goes with its order, not into a group of its own', () => {
    const bin = (id: string, orderId: string, source = 'erp'): CanonicalRecord => {
      const { person: _p, ...r } = rec(id, '', '', [], { kind: 'order', order: { orderId, status: 'trash', changeOnly: true }, source });
      return r;
    };
    expect(regroup([...wrong, bin('x2', 'o2')], 'phone:+393332220000', config)).toEqual([['a1', 'a2', 'bad'], ['b1', 'x2']]);
    expect(regroup([...wrong, bin('x1', 'o1')], 'phone:+393332220000', config)).toEqual([['a1', 'a2', 'bad', 'x1'], ['b1']]);
    // Another source's order of the same number is another order: the change stays alone (it changed nothing here).
    expect(regroup([...wrong, bin('y', 'o2', 'shop')], 'phone:+393332220000', config)).toEqual([['a1', 'a2', 'bad'], ['b1'], ['y']]);
  });

  it('a deleted Shopify order (named by its numeric id, its ref) goes with the order that has that ref, whatever its name', () => {
    const shop = (r: CanonicalRecord, ref: string): CanonicalRecord => ({ ...r, source: 'shopify', order: { ...r.order!, orderId: `#${r.order!.orderId}`, ref } });
    const records = [a1, shop(a2, '5813927493756000001'), shop(b1, '5813927493756000002'), bad];
    const deleted = (id: string, ref: string): CanonicalRecord => {
      const { person: _p, ...r } = rec(id, '', '', [], { kind: 'order', order: { orderId: ref, ref, status: 'deleted', changeOnly: true }, source: 'shopify' });
      return r;
    };
    expect(regroup([...records, deleted('d2', '5813927493756000002')], 'phone:+393332220000', config)).toEqual([['a1', 'a2', 'bad'], ['b1', 'd2']]);
    expect(regroup([...records, deleted('d1', '5813927493756000001')], 'phone:+393332220000', config)).toEqual([['a1', 'a2', 'bad', 'd1'], ['b1']]);
    // An id no order has as its ref (nor as its name) is nobody's: the change stays alone.
    expect(regroup([...records, deleted('d9', '9999')], 'phone:+393332220000', config)).toEqual([['a1', 'a2', 'bad'], ['b1'], ['d9']]);
  });

  it('separates what only the removed identifier held together', () => {
    expect(regroup(wrong, 'phone:+393332220000', config)).toEqual([['a1', 'a2', 'bad'], ['b1']]);
    // Every other link still holds: without the e-mail, the bad row stays with the phone it shares.
    expect(regroup(wrong, 'email:anna@example.it', config)).toEqual([['b1', 'bad'], ['a1'], ['a2']]);
  });

  it('changes nothing when the identifier was not what joined them', () => {
    expect(regroup([a1, a2, bad], 'phone:+393331110000', config)).toEqual([['a1', 'a2', 'bad']]);
    expect(planSplit('p_x', [a1, a2, bad], 'phone:+393331110000', config)).toBeUndefined();
  });

  it('keeps records together that the score would merge (same name, birth date and street)', () => {
    const place = { address: { line1: 'Via Roma 12', postalCode: '20121', city: 'Milano' } };
    const m1 = rec('m1', 'Mario', 'Bianchi', [email('mario@example.it')], { ...place, person: { firstName: 'Mario', lastName: 'Bianchi', birthDate: '1980-05-12' } });
    const m2 = rec('m2', 'Mario', 'Bianchi', [phone('+393339990000')], { ...place, person: { firstName: 'Mario', lastName: 'Bianchi', birthDate: '1980-05-12' } });
    const m3 = rec('m3', 'Mario', 'Bianchi', [email('mario@example.it'), phone('+393339990000')]);
    expect(decide(compareSnapshots(snapshotOf(m1)!, snapshotOf(m2)!), config.matching)).toBe('merge');
    expect(regroup([m1, m2, m3], 'phone:+393339990000', config)).toEqual([['m1', 'm2', 'm3']]);
    // Without the birth dates and street, the score says nothing, and the phone's records come apart.
    const bare = [m1, m2].map((r) => ({ ...r, person: { firstName: 'Mario', lastName: 'Bianchi' }, address: undefined }));
    expect(regroup([...bare, m3], 'phone:+393339990000', config)).toEqual([['m1', 'm3'], ['m2']]);
  });

  it('does not join a household through its family e-mail, as the resolver would not', () => {
    const mum = rec('mum', 'Giulia', 'Conti', [email('famiglia.conti@example.it'), phone('+393334440000')]);
    const son = rec('son', 'Luca', 'Conti', [email('famiglia.conti@example.it')]);
    const mumAgain = rec('mum2', 'Giulia', 'Conti', [phone('+393334440000')]);
    expect(regroup([mum, son, mumAgain], 'email:nobody@example.it', config)).toEqual([['mum', 'mum2'], ['son']]);
  });

  it('keeps pairs a person merged by hand', () => {
    expect(regroup(wrong, 'phone:+393332220000', config, [['a1', 'b1']])).toEqual([['a1', 'a2', 'b1', 'bad']]);
  });

  it('plans the split: the founding record keeps the profile id, the others get stable new ids', () => {
    const profileId = newProfileIdFor(b1);
    const plan = planSplit(profileId, wrong, 'phone:+393332220000', config)!;
    // b1 created the profile, so its group keeps the id, though smaller.
    expect(plan.others).toEqual([{ profileId: splitProfileIdFor(profileId, ['a1', 'a2', 'bad']), records: ['a1', 'a2', 'bad'] }]);
    expect(splitProfileIdFor(profileId, ['bad', 'a2', 'a1'])).toBe(plan.others[0]!.profileId);
    expect(plan.others[0]!.profileId).not.toBe(profileId);
    // Without a founder among them, the largest group keeps it.
    expect(planSplit('p_other', wrong, 'phone:+393332220000', config)!.others.map((o) => o.records)).toEqual([['b1']]);
  });

  it('cuts the identifier at the profile that keeps its id only: the rows that leave with it go as one', () => {
    const b2 = rec('b2', 'Anna', 'Rossi', [phone('+393332220000')]);
    const records = [...wrong, b2];
    // Without the phone, b1 and b2 have nothing in common; they share the phone, which was theirs all along.
    expect(regroup(records, 'phone:+393332220000', config)).toEqual([['a1', 'a2', 'bad'], ['b1'], ['b2']]);
    const plan = planSplit(newProfileIdFor(a1), records, 'phone:+393332220000', config)!;
    expect(plan.others.map((o) => o.records)).toEqual([['b1', 'b2']]);
    // Unless their people conflict: a Marco with the same phone does not go with Anna.
    const marco = rec('marco', 'Marco', 'Rossi', [phone('+393332220000')]);
    expect(planSplit(newProfileIdFor(a1), [...records, marco], 'phone:+393332220000', config)!.others.map((o) => o.records)).toEqual([['b1', 'b2'], ['marco']]);
  });
});

describe('unmerge: rebuilding each group', () => {
  it('gives each group exactly its own records: values, identifiers, orders, counts', () => {
    const whole = rectify(restrict(fold('p_1', wrong), 'dsr_r', '2026-02-01T00:00:00.000Z'), { city: 'Bologna' }, 'dsr_1', '2026-02-01T00:00:00.000Z');
    const home = rebuildState('p_1', [a1, a2, bad], whole, config, { count: 1, revenue: 50 }, { home: true, apart: ['p_1', 'p_2'] });
    const other = rebuildState('p_2', [b1], whole, config, { count: 1, revenue: 70 }, { home: false, apart: ['p_1', 'p_2'] });
    expect(home.identifiers).toEqual(['email:anna@example.it', 'phone:+393331110000', 'phone:+393332220000']);
    expect(other.identifiers).toEqual(['email:anna.r@example.com', 'phone:+393332220000']);
    expect([home.recordCount, other.recordCount]).toEqual([3, 1]);
    expect(home.values.firstName!.map((v) => v.r)).not.toContain('b1');
    expect(other.values.firstName!.map((v) => v.r)).toEqual(['b1']);
    // The rectified value stays with the group that keeps the id; a restriction stays on both.
    expect(home.attributes.city).toBe('Bologna');
    expect(other.attributes.city).toBeUndefined();
    expect(home.restricted?.r).toBe('dsr_r');
    expect(other.restricted?.r).toBe('dsr_r');
    expect(home.apart).toEqual(['p_2']);
    expect(other.apart).toEqual(['p_1']);
    expect(other.orders).toEqual({ count: 1, revenue: 70 });
  });

  it('recovers names from the former profile for records whose timeline kept none (applied before it did)', () => {
    const whole = fold('p_1', wrong);
    const withoutPerson = [a1, a2, bad].map(({ person: _p, ...r }) => r as CanonicalRecord);
    const home = rebuildState('p_1', withoutPerson, whole, config, whole.orders, { home: true, apart: [] });
    expect(home.attributes.firstName).toBe('Anna');
    expect(home.values.firstName!.every((v) => ['a1', 'a2', 'bad'].includes(v.r))).toBe(true);
  });

  it('rebuilding all of a profile\'s records gives the profile back (property)', () => {
    const names = ['Anna', 'Marco', 'Giulia'];
    const arb = fc.array(
      fc.record({ first: fc.constantFrom(...names), city: fc.constantFrom('Milano', 'Roma', undefined), day: fc.integer({ min: 1, max: 28 }), consent: fc.option(fc.boolean(), { nil: undefined }) }),
      { minLength: 1, maxLength: 8 },
    );
    fc.assert(
      fc.property(arb, (rows) => {
        const records = rows.map((r, i) =>
          rec(`r${i}`, r.first, 'Rossi', [email(`p${i}@example.it`)], {
            occurredAt: `2026-03-${String(r.day).padStart(2, '0')}T00:00:00.000Z`,
            ...(r.city ? { address: { city: r.city } } : {}),
            ...(r.consent !== undefined ? { consents: [{ purpose: 'marketing_email', granted: r.consent, at: `2026-03-${String(r.day).padStart(2, '0')}T00:00:00.000Z` }] } : {}),
          }),
        );
        const whole = fold('p_1', records);
        expect(rebuildState('p_1', [...records].reverse(), whole, config, whole.orders, { home: true, apart: [] })).toEqual(whole);
      }),
    );
  });
});

describe('unmerge: the groups stay apart', () => {
  const person = personKeyOfProfile(fold('x', [a1]));
  it('a record carrying an identifier both groups hold joins one of them, never merges them', () => {
    const views = [
      {
        identifier: phone('+393332220000'),
        key: 'phone:+393332220000',
        owners: [
          { profileId: 'p_1', person, apart: ['p_2'] },
          { profileId: 'p_2', person, apart: ['p_1'] },
        ],
      },
    ];
    const plan = planResolution(rec('new', 'Anna', 'Rossi', [phone('+393332220000')]), views, config);
    expect(plan.merge).toEqual([]);
    expect(plan.target).toBe('p_1');
    expect(plan.blocked).toContainEqual({ key: 'cluster', reason: 'unmerged', profileId: 'p_2' });
    // Either side saying so is enough; without it they merge.
    expect(planResolution(rec('new', 'Anna', 'Rossi', [phone('+393332220000')]), [{ ...views[0]!, owners: [views[0]!.owners[0]!, { profileId: 'p_2', person }] }], config).merge).toEqual([]);
    expect(planResolution(rec('new', 'Anna', 'Rossi', [phone('+393332220000')]), [{ ...views[0]!, owners: [{ profileId: 'p_1', person }, { profileId: 'p_2', person }] }], config).merge).toEqual(['p_2']);
  });

  it('a merge keeps what either side was kept apart from', () => {
    const a = { ...fold('p_a', [a1]), apart: ['p_x'] };
    const b = { ...fold('p_b', [a2]), apart: ['p_y'] };
    expect(mergeStates(a, b, config, a.orders).apart).toEqual(['p_x', 'p_y']);
    expect(mergeStates(fold('p_a', [a1]), fold('p_b', [a2]), config, a.orders).apart).toBeUndefined();
  });
});

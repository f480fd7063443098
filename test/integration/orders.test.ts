import { describe, expect, it } from 'vitest';
import type { CanonicalRecord, Identifier } from '../../lambdas/domain/canonical.ts';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoLakeSource } from '../../lambdas/adapters/dynamo-lake-source.ts';
import { DEFAULT_IDENTITY_CONFIG, parseIdentityConfig } from '../../lambdas/domain/identity-config.ts';
import type { OrderFacts } from '../../lambdas/domain/lake/rows.ts';
import { profilesByIdentifier } from '../../lambdas/usecases/read-profiles.ts';
import { resolveRecord } from '../../lambdas/usecases/resolve-record.ts';
import { dynamoDbLocal } from '../support/dynamodb-local.ts';

/**
 * A shop's order arrives again each time it changes (placed, paid, cancelled, refunded): the latest version is the
 * order, and one that ends cancelled or refunded is no sale. On DynamoDB Local, through the resolver and a merge.
 */
const config = DEFAULT_IDENTITY_CONFIG;
const local = dynamoDbLocal('orders');

const email = (value: string): Identifier => ({ type: 'email', value });
let n = 0;
const order = (identifiers: Identifier[], orderId: string, status: string, total: number, at: string): CanonicalRecord => ({
  recordId: `r${++n}`,
  source: 'shopify',
  channel: 'webhook',
  kind: 'order',
  occurredAt: at,
  receivedAt: at,
  lineage: { objectKey: `webhooks/shopify/${n}.json`, recordKey: `order:${orderId}` },
  identifiers,
  person: { firstName: 'Sara', lastName: 'Gallo' },
  order: { orderId, status, total, currency: 'EUR', placedAt: '2026-02-01T10:00:00.000Z' },
});

/** An order line of an export: dated by the order's date, as exports are; `receivedAt` is when the file came. */
const exported = (recordId: string, identifiers: Identifier[], status: string, receivedAt: string): CanonicalRecord => ({
  recordId,
  source: 'erp',
  channel: 'file',
  kind: 'order',
  occurredAt: '2026-05-10T00:00:00.000Z',
  receivedAt,
  lineage: { objectKey: `imports/erp/ordini-${receivedAt.slice(0, 10)}.csv`, recordKey: 'ORD-77', line: 2 },
  identifiers,
  person: { firstName: 'Marta', lastName: 'Rinaldi' },
  order: { orderId: 'ORD-77', status, total: 310, currency: 'EUR', placedAt: '2026-05-10T00:00:00.000Z' },
});

describe('order versions and orders that are no sale', () => {
  it('two exports of one order dated alike: the later upload is its newer state, in whichever order they are resolved and merged', async () => {
    const store = await local.store();
    const marta = email('marta.rinaldi@example.it');
    const martaWork = email('m.rinaldi@rinaldi-srl.it');
    const view = async () => (await profilesByIdentifier(store, config, 'email:marta.rinaldi@example.it'))[0]!;
    // May's export says paid; June's, the same order cancelled. June's is resolved first, and its record id sorts first.
    await resolveRecord(store, exported('a-june', [marta], 'annullato', '2026-06-01T08:00:00.000Z'), config);
    await resolveRecord(store, exported('z-may', [marta], 'pagato', '2026-05-11T08:00:00.000Z'), config);
    expect((await view()).orders).toEqual({ count: 0, revenue: 0 });

    // The same two versions on two profiles of hers, merged: the survivor keeps June's, whichever profile survives.
    const other = await local.store();
    await resolveRecord(other, exported('a-june', [martaWork], 'annullato', '2026-06-01T08:00:00.000Z'), config);
    await resolveRecord(other, exported('z-may', [marta], 'pagato', '2026-05-11T08:00:00.000Z'), config);
    const { order: _none, ...both } = exported('link', [marta, martaWork], 'pagato', '2026-06-02T08:00:00.000Z');
    expect((await resolveRecord(other, { ...both, kind: 'contact' }, config)).merged).toHaveLength(1);
    const merged = (await profilesByIdentifier(other, config, 'email:marta.rinaldi@example.it'))[0]!;
    expect(merged.orders).toEqual({ count: 0, revenue: 0 });
    expect((await other.listOrders(merged.profileId)).map((o) => [o.recordId, o.status])).toEqual([['a-june', 'annullato']]);
  });

  it('a cancelled or refunded order counts toward no total, lifecycle or score; a late older version does not revive it', async () => {
    const store = await local.store();
    const sara = [email('sara.gallo@example.it')];
    const view = async () => (await profilesByIdentifier(store, config, 'email:sara.gallo@example.it'))[0]!;

    await resolveRecord(store, order(sara, '#1001', 'paid', 100, '2026-02-01T10:00:00.000Z'), config);
    await resolveRecord(store, { ...order(sara, '#1002', 'paid', 40, '2026-03-05T10:00:00.000Z'), order: { orderId: '#1002', status: 'paid', total: 40, currency: 'EUR', placedAt: '2026-03-05T10:00:00.000Z' } }, config);
    expect((await view()).orders).toEqual({ count: 2, revenue: 140, firstAt: '2026-02-01T10:00:00.000Z', lastAt: '2026-03-05T10:00:00.000Z' });
    expect((await view()).lifecycle).toBe('repeat');

    // #1001 is refunded: one order of 40 is left, and it is the first one too.
    await resolveRecord(store, order(sara, '#1001', 'refunded', 100, '2026-02-10T10:00:00.000Z'), config);
    expect((await view()).orders).toEqual({ count: 1, revenue: 40, firstAt: '2026-03-05T10:00:00.000Z', lastAt: '2026-03-05T10:00:00.000Z' });
    expect((await view()).lifecycle).toBe('customer');
    // The paid version of #1001, delivered late, is older than the refund: the refund stands.
    await resolveRecord(store, order(sara, '#1001', 'paid', 100, '2026-02-01T12:00:00.000Z'), config);
    expect((await view()).orders.count).toBe(1);
    expect((await store.listOrders((await view()).profileId)).map((o) => [o.total, o.status])).toEqual(
      expect.arrayContaining([
        [100, 'refunded'],
        [40, 'paid'],
      ]),
    );
  });

  it("the other lines of a Shopify export's order (no total, no status) never blank out its first line, in whichever order they are read or merged", async () => {
    // One order of three lines: only the first carries the total and the status; the others, the order's name and the
    // customer's e-mail (here without the order's date too, so they are dated when the file came).
    const lines = (ids: Identifier[][]): CanonicalRecord[] =>
      ['l2', 'l3', 'l4'].map((recordId, i) => ({
        recordId,
        source: 'shopify-orders',
        channel: 'file',
        kind: 'order',
        occurredAt: i === 0 ? '2026-07-01T09:00:00.000Z' : '2026-07-20T08:00:00.000Z',
        receivedAt: '2026-07-20T08:00:00.000Z',
        lineage: { objectKey: 'imports/shopify-orders/orders_export.csv', recordKey: '#1042', line: i + 2 },
        identifiers: ids[i]!,
        person: { firstName: 'Paola', lastName: 'Greco' },
        order: i === 0 ? { orderId: '#1042', status: 'paid', total: 129.9, currency: 'USD', placedAt: '2026-07-01T09:00:00.000Z' } : { orderId: '#1042', currency: 'EUR' },
      }));
    const paola = email('paola.greco@example.it');
    const paolaWork = email('p.greco@greco-snc.it');
    const whole = { orders: { count: 1, revenue: 129.9, firstAt: '2026-07-01T09:00:00.000Z', lastAt: '2026-07-01T09:00:00.000Z' } };
    for (const order of [[0, 1, 2], [2, 1, 0], [1, 0, 2]]) {
      const store = await local.store();
      const all = lines([[paola], [paola], [paola]]);
      for (const i of order) await resolveRecord(store, all[i]!, config);
      const [profile] = await profilesByIdentifier(store, config, 'email:paola.greco@example.it');
      expect(profile).toMatchObject(whole);
      expect((await store.listOrders(profile!.profileId)).map((o) => [o.recordId, o.status, o.total, (o as { currency?: string }).currency])).toEqual([['l2', 'paid', 129.9, 'USD']]);
    }
    // The first line on one profile, the others on another: merged, the first line's version stays.
    const store = await local.store();
    for (const r of lines([[paola], [paolaWork], [paolaWork]]).reverse()) await resolveRecord(store, r, config);
    const { order: _none, ...link } = lines([[paola, paolaWork], [], []])[0]!;
    expect((await resolveRecord(store, { ...link, recordId: 'link', kind: 'contact' }, config)).merged).toHaveLength(1);
    const [merged] = await profilesByIdentifier(store, config, 'email:paola.greco@example.it');
    expect(merged).toMatchObject(whole);
    expect((await store.listOrders(merged!.profileId)).map((o) => [o.recordId, o.total])).toEqual([['l2', 129.9]]);
  });

  it("an ERP order's lines on two profiles of one person, merged: one order at their sum, on the profile and in the lake", async () => {
    const { store, dynamodb, tableName } = await local.table();
    const giulia = email('giulia.conti@example.it');
    const giuliaWork = email('g.conti@conti-srl.it');
    const line = (recordId: string, ids: Identifier[], lineKey: string, total: number, status = 'evaso'): CanonicalRecord => ({
      recordId,
      source: 'erp',
      channel: 'file',
      kind: 'order',
      occurredAt: '2026-05-10T00:00:00.000Z',
      receivedAt: '2026-05-12T08:00:00.000Z',
      lineage: { objectKey: 'imports/erp/righe_ordini.csv', recordKey: 'ORD-9', line: Number(lineKey) + 1 },
      identifiers: ids,
      person: { firstName: 'Giulia', lastName: 'Conti' },
      order: { orderId: 'ORD-9', line: lineKey, status, total, currency: 'EUR', placedAt: '2026-05-10T00:00:00.000Z' },
    });
    await resolveRecord(store, line('g1', [giulia], '1', 182), config);
    await resolveRecord(store, line('g2', [giuliaWork], '2', 1250), config);
    await resolveRecord(store, line('g3', [giuliaWork], '3', 79.8, 'annullato'), config);
    // One line delivered again: it is the same line.
    await resolveRecord(store, line('g1', [giulia], '1', 182), config);
    const { order: _none, ...both } = line('link', [giulia, giuliaWork], '0', 0);
    expect((await resolveRecord(store, { ...both, kind: 'contact' }, config)).merged).toHaveLength(1);
    const [merged] = await profilesByIdentifier(store, config, 'email:giulia.conti@example.it');
    expect(merged?.orders).toEqual({ count: 1, revenue: 1432, firstAt: '2026-05-10T00:00:00.000Z', lastAt: '2026-05-10T00:00:00.000Z' });
    expect((await store.listOrders(merged!.profileId)).map((o) => o.recordId).sort()).toEqual(['g1', 'g2', 'g3']);

    const orders: OrderFacts[] = [];
    const ignore = () => undefined;
    await new DynamoLakeSource(dynamodb, tableName, new S3Client({ region: 'eu-south-1' }), 'unused').scan({
      profile: ignore,
      merged: ignore,
      event: ignore,
      order: (o) => orders.push(o),
      request: ignore,
      duplicate: ignore,
      drain: async () => undefined,
    });
    expect(orders).toEqual([expect.objectContaining({ profileId: merged!.profileId, orderKey: 'erp#ORD-9', source: 'erp', total: 1432, status: 'evaso', currency: 'EUR', placedAt: '2026-05-10T00:00:00.000Z' })]);
  });

  it('a test order stays on the profile and counts toward nothing; a later version that does not say (an export) leaves it a test', async () => {
    const { store, dynamodb, tableName } = await local.table();
    const nina = [email('nina.ferri@example.it')];
    const view = async () => (await profilesByIdentifier(store, config, 'email:nina.ferri@example.it'))[0]!;
    const test = order(nina, '#1', 'paid', 90, '2026-02-01T10:00:00.000Z');
    await resolveRecord(store, { ...test, order: { ...test.order!, test: true } }, config);
    await resolveRecord(store, order(nina, '#2', 'paid', 40, '2026-03-01T10:00:00.000Z'), config);
    expect((await view()).orders).toEqual({ count: 1, revenue: 40, firstAt: '2026-02-01T10:00:00.000Z', lastAt: '2026-02-01T10:00:00.000Z' });
    expect((await view()).lifecycle).toBe('customer');
    // The shop's export, a month on, lists #1 as paid and says nothing of a test.
    await resolveRecord(store, order(nina, '#1', 'paid', 90, '2026-03-10T10:00:00.000Z'), config);
    expect((await view()).orders).toMatchObject({ count: 1, revenue: 40 });
    expect((await store.listOrders((await view()).profileId)).map((o) => [o.orderId, o.recordId, o.test ?? false])).toEqual([
      ['#1', `r${n}`, true],
      ['#2', `r${n - 1}`, false],
    ]);

    const orders: OrderFacts[] = [];
    const ignore = () => undefined;
    const visitor = { profile: ignore, merged: ignore, event: ignore, order: (o: OrderFacts) => void orders.push(o), request: ignore, duplicate: ignore, drain: async () => undefined };
    await new DynamoLakeSource(dynamodb, tableName, new S3Client({ region: 'eu-south-1' }), 'unused').scan(visitor);
    expect(orders.map((o) => [o.orderKey, o.test ?? false]).sort()).toEqual([
      ['shopify##1', true],
      ['shopify##2', false],
    ]);
  });

  it("scores a profile by the business's own lead-score rules, counting only sales, when it is read", async () => {
    const store = await local.store();
    const ada = [email('ada.conti@example.it')];
    const own = parseIdentityConfig({
      leadScore: {
        rules: [
          { when: 'orders', points: 20, max: 60 },
          { when: 'lead', field: 'medium', equals: 'CPC', points: 15 },
          { when: 'recent', days: 30, points: 10 },
        ],
      },
    });
    const first = { ...order(ada, '#2001', 'paid', 80, '2026-04-01T10:00:00.000Z'), lead: { source: 'google', medium: 'cpc' } };
    await resolveRecord(store, first, own);
    await resolveRecord(store, order(ada, '#2002', 'paid', 30, '2026-04-20T10:00:00.000Z'), own);
    await resolveRecord(store, order(ada, '#2003', 'cancelled', 50, '2026-04-25T10:00:00.000Z'), own);
    const [view] = await profilesByIdentifier(store, own, 'email:ada.conti@example.it');
    // 2 sales (the cancelled order counts for nothing) 40, first touch by paid search 15; last seen long ago.
    expect(view!.score).toBe(55);
    // The same profile under the default rules: e-mail 15, 2 orders 20, revenue 1, 2 further touches 6.
    expect((await profilesByIdentifier(store, config, 'email:ada.conti@example.it'))[0]!.score).toBe(42);
  });

  it('a profile whose only order was cancelled stays a lead, and a merge recounts without it', async () => {
    const store = await local.store();
    const luca = email('luca.fontana@example.it');
    const lucaWork = email('l.fontana@fontana-srl.it');
    const view = async (key: string) => (await profilesByIdentifier(store, config, key))[0]!;

    await resolveRecord(store, order([luca], '#2001', 'pending', 75, '2026-04-01T10:00:00.000Z'), config);
    await resolveRecord(store, order([luca], '#2001', 'Annullato', 75, '2026-04-02T10:00:00.000Z'), config);
    const only = await view('email:luca.fontana@example.it');
    expect(only.orders).toEqual({ count: 0, revenue: 0 });
    expect(only.lifecycle).toBe('lead');

    // His other address, with an order of its own; one record with both addresses merges the two profiles.
    await resolveRecord(store, order([lucaWork], '#2002', 'paid', 30, '2026-04-03T10:00:00.000Z'), config);
    const { order: _none, ...both } = order([luca, lucaWork], '#2003', 'paid', 20, '2026-04-04T10:00:00.000Z');
    const joined = await resolveRecord(store, { ...both, kind: 'contact' }, config);
    expect(joined.merged).toHaveLength(1);
    const merged = await view('email:luca.fontana@example.it');
    expect(merged.profileId).toBe((await view('email:l.fontana@fontana-srl.it')).profileId);
    expect(merged.orders).toEqual({ count: 1, revenue: 30, firstAt: '2026-02-01T10:00:00.000Z', lastAt: '2026-02-01T10:00:00.000Z' });
    expect(merged.lifecycle).toBe('customer');
  });
});

import { describe, expect, it } from 'vitest';
import type { CanonicalRecord, Identifier } from '../../lambdas/domain/canonical.ts';
import { DEFAULT_IDENTITY_CONFIG } from '../../lambdas/domain/identity-config.ts';
import { profilesByIdentifier } from '../../lambdas/usecases/read-profiles.ts';
import { resolveRecord } from '../../lambdas/usecases/resolve-record.ts';
import { unmergeProfile } from '../../lambdas/usecases/unmerge.ts';
import { dynamoDbLocal } from '../support/dynamodb-local.ts';

/**
 * WooCommerce's `order.deleted` (an order put in the bin) carries the order's id and nothing else: no person. On
 * DynamoDB Local, through the resolver: the binned order is found on whichever profile holds it now (merges and
 * unmerges included) and stops counting; restored, it counts again; an order no profile holds changes nothing.
 */
const config = DEFAULT_IDENTITY_CONFIG;
const local = dynamoDbLocal('order-changes');

const email = (value: string): Identifier => ({ type: 'email', value });
let n = 0;
/** One WooCommerce delivery about an order, dated `at`. */
const delivery = (recordId: string, at: string, recordKey: string) => ({
  recordId,
  source: 'woocommerce',
  channel: 'webhook' as const,
  kind: 'order' as const,
  occurredAt: at,
  receivedAt: at,
  lineage: { objectKey: `webhooks/woocommerce/${recordId}.json`, deliveryId: recordId, recordKey },
});
const placed = (identifiers: Identifier[], orderId: string, status: string, total: number, at: string, recordId = `w${++n}`): CanonicalRecord => ({
  ...delivery(recordId, at, `order:${orderId}`),
  identifiers,
  person: { firstName: 'Elena', lastName: 'Moretti' },
  order: { orderId, status, total, currency: 'EUR', placedAt: '2026-03-01T10:00:00.000Z' },
});
/**
 * What the row mapper makes of `order.deleted`: the order's id (as its id and its ref: see below), binned, dated when it
 * came; no identifier. The orders above are numbered as their ids, as WooCommerce does, and kept without a ref.
 */
const binned = (orderId: string, at: string, recordId = `b${++n}`): CanonicalRecord => ({
  ...delivery(recordId, at, `order:${orderId}#deleted:${recordId}`),
  identifiers: [],
  order: { orderId, ref: orderId, status: 'trash', currency: 'EUR', changeOnly: true },
});

describe('a change to an order that names no person', () => {
  it('binned, the order stops counting; restored, it counts again; binned again, it stops again; a redelivery changes nothing', async () => {
    const store = await local.store();
    const elena = [email('elena.moretti@example.it')];
    const view = async () => (await profilesByIdentifier(store, config, 'email:elena.moretti@example.it'))[0]!;
    await resolveRecord(store, placed(elena, '1201', 'processing', 80, '2026-03-01T10:00:00.000Z'), config);
    await resolveRecord(store, placed(elena, '1202', 'completed', 20, '2026-03-02T10:00:00.000Z'), config);
    const profileId = (await view()).profileId;
    expect((await view()).orders).toMatchObject({ count: 2, revenue: 100 });

    const bin = binned('1201', '2026-03-03T09:00:00.000Z');
    expect(await resolveRecord(store, bin, config)).toMatchObject({ profileId, result: 'applied' });
    expect((await view()).orders).toEqual({ count: 1, revenue: 20, firstAt: '2026-03-01T10:00:00.000Z', lastAt: '2026-03-01T10:00:00.000Z' });
    // The binned version keeps what the order was (total, currency, when placed); only its status changed.
    const orders = await store.listOrders(profileId);
    expect(orders.find((o) => o.orderId === '1201')).toMatchObject({ status: 'trash', total: 80, currency: 'EUR', placedAt: '2026-03-01T10:00:00.000Z', recordId: bin.recordId });
    // The order index is the store's own: not among the item's attributes (an access bundle lists them).
    for (const o of orders) expect(Object.keys(o)).not.toContain('gsi1pk');
    expect(await resolveRecord(store, bin, config)).toMatchObject({ profileId, result: 'duplicate' });

    await resolveRecord(store, placed(elena, '1201', 'processing', 80, '2026-03-04T09:00:00.000Z'), config);
    expect((await view()).orders).toMatchObject({ count: 2, revenue: 100 });
    await resolveRecord(store, binned('1201', '2026-03-05T09:00:00.000Z'), config);
    expect((await view()).orders).toMatchObject({ count: 1, revenue: 20 });
    // A binning delivered late, older than the order's newest version, leaves the order as it is.
    await resolveRecord(store, placed(elena, '1202', 'completed', 20, '2026-03-06T09:00:00.000Z'), config);
    expect(await resolveRecord(store, binned('1202', '2026-03-05T12:00:00.000Z'), config)).toMatchObject({ result: 'applied' });
    expect((await view()).orders).toMatchObject({ count: 1, revenue: 20 });
    // Its delivery is on the timeline all the same (every record is accounted for); no identifier was added.
    expect((await view()).identifiers).toEqual(['email:elena.moretti@example.it']);
  });

  it('an order no profile holds (placed before the webhook was set up) changes nothing, and says so', async () => {
    const store = await local.store();
    const bin = binned('404', '2026-03-03T09:00:00.000Z');
    expect(await resolveRecord(store, bin, config)).toEqual({ profileId: '', result: 'unknownOrder', merged: [] });
    expect(await store.appliedRecord(bin.recordId)).toBeUndefined();
    // Another source's order of the same number is another order.
    await resolveRecord(store, { ...placed([email('ugo@example.it')], '404', 'completed', 10, '2026-03-01T10:00:00.000Z'), source: 'erp' }, config);
    expect((await resolveRecord(store, bin, config)).result).toBe('unknownOrder');
  });

  it("found on the survivor after a merge, and it follows its order's record when an unmerge splits the profile", async () => {
    const store = await local.store();
    const home = email('elena.moretti@example.it');
    const work = email('e.moretti@moretti-srl.it');
    const view = async (key: string) => (await profilesByIdentifier(store, config, key))[0]!;
    await resolveRecord(store, placed([home], '1301', 'completed', 50, '2026-04-01T10:00:00.000Z'), config);
    await resolveRecord(store, placed([work], '1302', 'completed', 70, '2026-04-02T10:00:00.000Z'), config);
    const link = await resolveRecord(store, { ...placed([home, work], '-', 'completed', 0, '2026-04-03T10:00:00.000Z'), kind: 'contact', order: undefined }, config);
    expect(link.merged).toHaveLength(1);
    const survivor = (await view('email:elena.moretti@example.it')).profileId;
    expect((await view('email:e.moretti@moretti-srl.it')).profileId).toBe(survivor);

    // 1302 was placed on the profile merged away: its index entry moved with it.
    expect(await resolveRecord(store, binned('1302', '2026-04-04T09:00:00.000Z'), config)).toMatchObject({ profileId: survivor, result: 'applied' });
    expect((await view('email:elena.moretti@example.it')).orders).toMatchObject({ count: 1, revenue: 50 });

    // The work address was a wrong link after all: 1302 and its binning leave together with 1302's own record.
    const split = await unmergeProfile(store, config, survivor, 'email:e.moretti@moretti-srl.it');
    if (split.result !== 'split') throw new Error(`not split: ${split.result}`);
    const groups = await Promise.all(
      split.profiles.map(async (g) => ({ id: g.profileId, orders: (await store.listOrders(g.profileId)).map((o) => [o.orderId, o.status]), view: (await profilesByIdentifier(store, config, 'email:elena.moretti@example.it')).find((p) => p.profileId === g.profileId) })),
    );
    expect(groups.map((g) => g.orders).sort()).toEqual([[['1301', 'completed']], [['1302', 'trash']]]);
    const binnedGroup = groups.find((g) => g.orders[0]![0] === '1302')!;
    const other = groups.find((g) => g !== binnedGroup)!;
    expect(other.view?.orders).toMatchObject({ count: 1, revenue: 50 });
    expect((await profilesByIdentifier(store, config, 'email:e.moretti@moretti-srl.it')).find((p) => p.profileId === binnedGroup.id)?.orders).toEqual({ count: 0, revenue: 0 });
    // Binned again (a second delivery), it is found where it went.
    expect(await resolveRecord(store, binned('1302', '2026-04-07T09:00:00.000Z'), config)).toMatchObject({ profileId: binnedGroup.id, result: 'applied' });
  });
  it('binned by its id, an order a plugin numbers otherwise is found by that id (its ref), and an order numbered as its id still is', async () => {
    const store = await local.store();
    const elena = [email('elena.moretti@example.it')];
    const view = async () => (await profilesByIdentifier(store, config, 'email:elena.moretti@example.it'))[0]!;
    // A sequential-numbering plugin: order 727 is `WC-2026-0727` in the shop, the export and every delivery but the binning.
    await resolveRecord(store, { ...placed(elena, 'WC-2026-0727', 'processing', 80, '2026-03-01T10:00:00.000Z'), order: { orderId: 'WC-2026-0727', ref: '727', status: 'processing', total: 80, currency: 'EUR' } }, config);
    await resolveRecord(store, placed(elena, '728', 'completed', 20, '2026-03-02T10:00:00.000Z'), config);
    expect((await view()).orders).toMatchObject({ count: 2, revenue: 100 });
    expect(await resolveRecord(store, binned('727', '2026-03-03T09:00:00.000Z'), config)).toMatchObject({ result: 'applied' });
    expect((await view()).orders).toMatchObject({ count: 1, revenue: 20 });
    expect(await resolveRecord(store, binned('728', '2026-03-03T09:30:00.000Z'), config)).toMatchObject({ result: 'applied' });
    expect((await view()).orders).toMatchObject({ count: 0, revenue: 0 });
    // Each kept its name; no order named by the id appeared.
    expect((await store.listOrders((await view()).profileId)).map((o) => [o.orderId, o.status]).sort()).toEqual([['728', 'trash'], ['WC-2026-0727', 'trash']]);
  });

  it("Shopify's orders/delete names the order by its numeric id only: found by that id (its ref) whatever the order is named, it stops counting", async () => {
    const store = await local.store();
    const giulia = [email('giulia.conti@example.it')];
    const view = async () => (await profilesByIdentifier(store, config, 'email:giulia.conti@example.it'))[0]!;
    const shop = (r: CanonicalRecord): CanonicalRecord => ({ ...r, source: 'shopify', lineage: { ...r.lineage, objectKey: `webhooks/shopify/${r.recordId}.json` } });
    const ref = '5813927493756123456';
    await resolveRecord(store, shop({ ...placed(giulia, '#1042', 'paid', 129.9, '2026-05-01T10:00:00.000Z'), order: { orderId: '#1042', ref, status: 'paid', total: 129.9, currency: 'EUR' } }), config);
    await resolveRecord(store, shop(placed(giulia, '#1043', 'paid', 30, '2026-05-02T10:00:00.000Z')), config);
    // A newer version from an export that does not carry the numeric id: the order keeps it.
    await resolveRecord(store, shop(placed(giulia, '#1042', 'paid', 129.9, '2026-05-03T10:00:00.000Z')), config);
    const profileId = (await view()).profileId;
    expect((await store.listOrders(profileId)).find((o) => o.orderId === '#1042')).toMatchObject({ ref });
    expect((await view()).orders).toMatchObject({ count: 2, revenue: 159.9 });

    // What the row mapper makes of orders/delete: the numeric id as the order's id and as its ref, deleted, no person.
    const deletion: CanonicalRecord = { ...shop(placed([], ref, 'deleted', 0, '2026-05-04T09:00:00.000Z')), identifiers: [], person: undefined, order: { orderId: ref, ref, status: 'deleted', currency: 'EUR', changeOnly: true } };
    expect(await resolveRecord(store, deletion, config)).toMatchObject({ profileId, result: 'applied' });
    expect((await view()).orders).toMatchObject({ count: 1, revenue: 30 });
    // The order keeps its name and what it was; no order of the numeric id's name appears.
    const orders = await store.listOrders(profileId);
    expect(orders.map((o) => [o.orderId, o.status]).sort()).toEqual([['#1042', 'deleted'], ['#1043', 'paid']]);
    expect(orders.find((o) => o.orderId === '#1042')).toMatchObject({ total: 129.9, ref, recordId: deletion.recordId });
    expect(await resolveRecord(store, deletion, config)).toMatchObject({ result: 'duplicate' });
    // An id no order has: nothing changes, and the outcome says so.
    expect((await resolveRecord(store, { ...deletion, recordId: 'd404', order: { ...deletion.order!, orderId: '404', ref: '404' } }, config)).result).toBe('unknownOrder');
    // Another shop's source, the same id: another order.
    expect((await resolveRecord(store, { ...deletion, recordId: 'd-outlet', source: 'shopify-outlet' }, config)).result).toBe('unknownOrder');
  });
});

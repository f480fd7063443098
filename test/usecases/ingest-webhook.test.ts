import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CanonicalRecord } from '../../lambdas/domain/canonical.ts';
import { isSale } from '../../lambdas/domain/profile.ts';
import { signFor } from '../../lambdas/domain/webhooks/signatures.ts';
import { InvalidSourceFileError, receiveWebhook } from '../../lambdas/usecases/ingest-webhook.ts';
import { FIXTURES, fixture, memoryWebhookDeps, SECRETS, signed } from '../support/webhooks.ts';

const ids = (r: CanonicalRecord): string[] => r.identifiers.map((i) => (i.namespace ? `${i.type}:${i.namespace}:${i.value}` : `${i.type}:${i.value}`));
const form = { 'content-type': 'application/x-www-form-urlencoded' };

describe('webhooks: every vendor fixture', () => {
  it('Shopify orders/create: an order with the exact customer id, archived raw, and its event remembered', async () => {
    const { deps, records, objects, deliveries } = memoryWebhookDeps();
    const out = await receiveWebhook(deps, 'shopify', signed('shopify', fixture('shopify/orders_create.json'), { 'x-shopify-topic': 'orders/create', 'x-shopify-event-id': 'ev-1', 'x-shopify-webhook-id': 'wh-1' }));
    expect(out.status).toBe(200);
    expect(out.body).toMatchObject({ received: true, records: 1, deliveryId: 'wh-1' });
    const [r] = records.records;
    expect(r!.kind).toBe('order');
    expect(r!.channel).toBe('webhook');
    // 115310627314723954 is above 2^53: read from the raw text, not rounded by JSON.parse.
    expect(ids(r!)).toEqual(['externalId:shopify:115310627314723954', 'email:jon@example.com']);
    // The current total (the order as edited, returned and refunded since), not the total as placed (404.95).
    // Shopify's sample is a test order (`"test": true`).
    expect(r!.order).toEqual({ orderId: '#9999', ref: '820982911946154508', status: 'cancelled', test: true, total: 414.95, currency: 'USD', placedAt: '2022-01-01T00:00:00.000Z' });
    expect(r!.consents?.[0]).toMatchObject({ purpose: 'marketing_email', granted: true, proof: { form: 'shopify:orders/create' } });
    expect(r!.lineage).toEqual({ objectKey: 'webhooks/shopify/dt=2026-11-23/wh-1.json', deliveryId: 'wh-1', recordKey: 'order:#9999' });
    expect(objects.objects.get('raw/webhooks/shopify/dt=2026-11-23/wh-1.json')!.body).toEqual(fixture('shopify/orders_create.json'));
    expect(deliveries.seenKeys.size).toBe(1);
  });

  it('Shopify and WooCommerce orders carry when they were last changed, so a cancellation is the newer version of the order', async () => {
    const { deps, records } = memoryWebhookDeps();
    const shop = JSON.parse(fixture('shopify/orders_create.json').toString()) as Record<string, unknown>;
    const placed = { ...shop, cancelled_at: null, financial_status: 'paid', updated_at: '2026-03-01T10:00:00+01:00', processed_at: '2026-03-01T10:00:00+01:00' };
    const cancelled = { ...placed, cancelled_at: '2026-03-04T09:00:00+01:00', updated_at: '2026-03-04T09:00:05+01:00' };
    for (const [body, topic] of [
      [cancelled, 'orders/cancelled'],
      [placed, 'orders/paid'],
    ] as const) {
      expect((await receiveWebhook(deps, 'shopify', signed('shopify', Buffer.from(JSON.stringify(body)), { 'x-shopify-topic': topic, 'x-shopify-event-id': topic }))).status).toBe(200);
    }
    const woo = JSON.parse(fixture('woocommerce/order.created.json').toString()) as Record<string, unknown>;
    const refunded = { ...woo, status: 'refunded', date_modified_gmt: '2026-03-09T08:00:00' };
    expect((await receiveWebhook(deps, 'woocommerce', signed('woocommerce', Buffer.from(JSON.stringify(refunded)), { 'x-wc-webhook-topic': 'order.updated' }))).status).toBe(200);
    const [c, p, w] = records.records;
    expect(c!.order).toMatchObject({ status: 'cancelled', placedAt: '2026-03-01T09:00:00.000Z' });
    expect(c!.occurredAt).toBe('2026-03-04T08:00:05.000Z');
    expect(p!.occurredAt).toBe('2026-03-01T09:00:00.000Z');
    expect(w!.order).toMatchObject({ status: 'refunded' });
    expect(w!.occurredAt).toBe('2026-03-09T08:00:00.000Z');
  });

  it('a partial refund from Shopify or WooCommerce counts at what was kept', async () => {
    const { deps, records } = memoryWebhookDeps();
    const shop = JSON.parse(fixture('shopify/orders_create.json').toString()) as Record<string, unknown>;
    const partly = { ...shop, cancelled_at: null, financial_status: 'partially_refunded', total_price: '404.95', current_total_price: '300.00' };
    const woo = JSON.parse(fixture('woocommerce/order.created.json').toString()) as Record<string, unknown>;
    // WooCommerce leaves a partly refunded order `completed`; its refunds' totals are negative.
    const wooPartly = { ...woo, status: 'completed', total: '29.35', refunds: [{ id: 726, reason: '', total: '-10.00' }, { id: 727, reason: '', total: '-0.10' }] };
    expect((await receiveWebhook(deps, 'shopify', signed('shopify', Buffer.from(JSON.stringify(partly)), { 'x-shopify-topic': 'orders/updated' }))).status).toBe(200);
    expect((await receiveWebhook(deps, 'woocommerce', signed('woocommerce', Buffer.from(JSON.stringify(wooPartly)), { 'x-wc-webhook-topic': 'order.updated' }))).status).toBe(200);
    const [s, w] = records.records;
    expect(s!.order).toMatchObject({ status: 'partially_refunded', total: 300 });
    expect(w!.order).toMatchObject({ status: 'completed', total: 19.25 });
  });

  it("WooCommerce's pending order (placed, never paid) is named pending payment, and is no sale; Shopify's pending stays a sale", async () => {
    const { deps, records } = memoryWebhookDeps();
    const woo = JSON.parse(fixture('woocommerce/order.created.json').toString()) as Record<string, unknown>;
    const shop = JSON.parse(fixture('shopify/orders_create.json').toString()) as Record<string, unknown>;
    expect((await receiveWebhook(deps, 'woocommerce', signed('woocommerce', Buffer.from(JSON.stringify({ ...woo, status: 'pending' })), { 'x-wc-webhook-topic': 'order.created' }))).status).toBe(200);
    expect((await receiveWebhook(deps, 'shopify', signed('shopify', Buffer.from(JSON.stringify({ ...shop, cancelled_at: null, financial_status: 'pending' })), { 'x-shopify-topic': 'orders/create' }))).status).toBe(200);
    const [w, s] = records.records;
    expect(w!.order).toMatchObject({ status: 'pending payment' });
    expect(isSale(w!.order!.status)).toBe(false);
    expect(s!.order).toMatchObject({ status: 'pending' });
    expect(isSale(s!.order!.status)).toBe(true);
  });

  it('Shopify customers/create and update, both consent topics', async () => {
    const { deps, records } = memoryWebhookDeps();
    for (const [file, topic] of [
      ['customers_create', 'customers/create'],
      ['customers_update', 'customers/update'],
      ['customers_email_marketing_consent_update', 'customers_email_marketing_consent/update'],
      ['customers_marketing_consent_update', 'customers_marketing_consent/update'],
    ] as const) {
      const out = await receiveWebhook(deps, 'shopify', signed('shopify', fixture(`shopify/${file}.json`), { 'x-shopify-topic': topic, 'x-shopify-event-id': topic }));
      expect(out.status, topic).toBe(200);
    }
    const [created, , emailConsent, smsConsent] = records.records;
    expect(ids(created!)).toEqual(['externalId:shopify:706405506930370084', 'email:bob@biller.com']);
    // 555-555-5555 read with the address's country (CA) is a fictional number: flagged, not an identifier.
    expect(created!.flags).toEqual({ 'identifiers.phone': 'phone.invalid' });
    expect(created!.person).toEqual({ firstName: 'Bob', lastName: 'Biller' });
    expect(created!.address).toMatchObject({ line1: "151 O'Connor Street", city: 'Ottawa', postalCode: 'K2P 2L8', province: 'ON', country: 'CA' });
    expect(emailConsent!.kind).toBe('consent');
    expect(ids(emailConsent!)).toEqual(['externalId:shopify:706405506930370084', 'email:bob@biller.com']);
    // not_subscribed says nothing about consent.
    expect(emailConsent!.consents).toBeUndefined();
    expect(ids(smsConsent!)).toEqual(['externalId:shopify:706405506930370084']);
  });

  it('Shopify compliance topics become privacy requests, not records', async () => {
    const { deps, records, privacy } = memoryWebhookDeps();
    for (const [file, topic] of [
      ['customers_data_request', 'customers/data_request'],
      ['customers_redact', 'customers/redact'],
      ['shop_redact', 'shop/redact'],
    ] as const) {
      const out = await receiveWebhook(deps, 'shopify', signed('shopify', fixture(`shopify/${file}.json`), { 'x-shopify-topic': topic }));
      expect(out).toMatchObject({ status: 200, body: { privacyRequests: 1, records: 0 } });
    }
    expect(records.records).toEqual([]);
    expect(privacy.requests.map((p) => [p.type, p.scope])).toEqual([
      ['access', 'subject'],
      ['erasure', 'subject'],
      ['erasure', 'source'],
    ]);
    expect(privacy.requests[1]!.identifiers).toEqual([
      { type: 'email', value: 'john@example.com' },
      // No country in the request, nor in the source's mapping: Italy's, the default, reads the number, as ingestion did.
      { type: 'phone', value: '+395556251199' },
      { type: 'externalId', value: '191167', namespace: 'shopify' },
    ]);
    expect(privacy.requests[0]!.reference).toBe('shopify:customers/data_request:9999');
  });

  it("a compliance request's phone without its country code is read in the source's default country, as the shop's other phones are", async () => {
    const { deps, privacy } = memoryWebhookDeps({ 'shop-us': { webhook: { vendor: 'shopify', secret: 'shopify' }, defaultCountry: 'US' } });
    // The fixture's 555-625-1199 is a fictitious US number (and so dropped as invalid there): a real one instead.
    const body = fixture('shopify/customers_redact.json').toString().replace('555-625-1199', '202-456-1414');
    const out = await receiveWebhook(deps, 'shop-us', signed('shopify', body, { 'x-shopify-topic': 'customers/redact' }));
    expect(out).toMatchObject({ status: 200, body: { privacyRequests: 1 } });
    // Read as Italian, this one is no number and the request would not name it; the fixture's is +39 555 625 1199,
    // someone else's (the test above), put on the suppression list.
    expect(privacy.requests[0]!.identifiers).toContainEqual({ type: 'phone', value: '+12024561414' });
  });

  it('Shopify customers/delete is acknowledged and ignored (a shop deletion is not an erasure request)', async () => {
    const { deps, records } = memoryWebhookDeps();
    const out = await receiveWebhook(deps, 'shopify', signed('shopify', fixture('shopify/customers_delete.json'), { 'x-shopify-topic': 'customers/delete' }));
    expect(out).toMatchObject({ status: 200, body: { ignored: 'topic.noCustomerData' } });
    expect(records.records).toEqual([]);
  });

  it('Shopify orders/delete (the numeric id only) is a change naming no person to the order holding that id; every order keeps the id as its ref', async () => {
    const { deps, records } = memoryWebhookDeps();
    const order = await receiveWebhook(deps, 'shopify', signed('shopify', fixture('shopify/orders_create.json'), { 'x-shopify-topic': 'orders/create' }));
    expect(order.status).toBe(200);
    // The order is known by its name, as in Shopify's exports; its numeric id exactly (above 2^53), as Shopify sent it.
    expect(records.records[0]!.order).toMatchObject({ orderId: '#9999', ref: '820982911946154508' });
    const deleted = signed('shopify', Buffer.from('{"id":820982911946154508}'), { 'x-shopify-topic': 'orders/delete', 'x-shopify-event-id': 'evt-del-1' });
    expect(await receiveWebhook(deps, 'shopify', deleted)).toMatchObject({ status: 200, body: { received: true, records: 1 } });
    const r = records.records[1]!;
    expect(r.identifiers).toEqual([]);
    expect(r.order).toMatchObject({ orderId: '820982911946154508', ref: '820982911946154508', status: 'deleted', changeOnly: true });
    expect(r.lineage).toMatchObject({ recordKey: 'order:820982911946154508#deleted' });
    // Retried by Shopify: the same event.
    expect(await receiveWebhook(deps, 'shopify', deleted)).toMatchObject({ status: 200, body: { duplicate: true } });
    // A body without an id names no order: acknowledged, nothing to apply.
    const empty = await receiveWebhook(deps, 'shopify', signed('shopify', Buffer.from('{}'), { 'x-shopify-topic': 'orders/delete', 'x-shopify-event-id': 'evt-del-2' }));
    expect(empty).toMatchObject({ status: 200, body: { ignored: 'topic.noCustomerData' } });
    expect(records.records).toHaveLength(2);
  });

  it('WooCommerce order and customer, and the unsigned creation ping', async () => {
    const { deps, records, objects } = memoryWebhookDeps();
    const order = await receiveWebhook(deps, 'woocommerce', signed('woocommerce', fixture('woocommerce/order.created.json'), { 'x-wc-webhook-topic': 'order.created' }));
    const customer = await receiveWebhook(deps, 'woocommerce', signed('woocommerce', fixture('woocommerce/customer.created.json'), { 'x-wc-webhook-topic': 'customer.created' }));
    expect([order.status, customer.status]).toEqual([200, 200]);
    const [o, c] = records.records;
    expect(o!.order).toEqual({ orderId: '727', status: 'processing', total: 29.35, currency: 'USD', placedAt: '2017-03-22T19:28:02.000Z' });
    expect(ids(o!)).toEqual(['email:john.doe@example.com']);
    expect(ids(c!)).toEqual(['externalId:woocommerce:25', 'email:john.doe@example.com']);
    expect(c!.address).toMatchObject({ city: 'San Francisco', province: 'CA', postalCode: '94103', country: 'US' });
    const before = objects.objects.size;
    const ping = await receiveWebhook(deps, 'woocommerce', { method: 'POST', headers: form, query: {}, body: fixture('woocommerce/ping.txt') });
    expect(ping).toMatchObject({ status: 200, body: { ignored: 'ping' } });
    expect(objects.objects.size).toBe(before);
  });

  it('WooCommerce order.deleted (an order put in the bin, only its id) is a change to that order naming no person; order.restored is the whole order again', async () => {
    const { deps, records } = memoryWebhookDeps();
    const binned = (deliveryId: string) => signed('woocommerce', Buffer.from('{"id":727}'), { 'x-wc-webhook-topic': 'order.deleted', 'x-wc-webhook-delivery-id': deliveryId });
    expect(await receiveWebhook(deps, 'woocommerce', binned('d1'))).toMatchObject({ status: 200, body: { received: true, records: 1 } });
    const [r] = records.records;
    expect(r!.identifiers).toEqual([]);
    // The id names the order by its ref too: an order a numbering plugin numbers otherwise is kept with its id as ref.
    expect(r!.order).toMatchObject({ orderId: '727', ref: '727', status: 'trash', changeOnly: true });
    // Dated when it came, to the second (WooCommerce's own dates are whole seconds).
    expect(r!.occurredAt).toBe(`${r!.receivedAt.slice(0, 19)}.000Z`);
    expect(r!.lineage).toMatchObject({ deliveryId: 'd1', recordKey: 'order:727#deleted:d1' });
    // The same delivery again is a retry; binned again later (after a restore) is a new event.
    expect(await receiveWebhook(deps, 'woocommerce', binned('d1'))).toMatchObject({ status: 200, body: { duplicate: true } });
    expect(await receiveWebhook(deps, 'woocommerce', binned('d2'))).toMatchObject({ status: 200, body: { records: 1 } });
    expect(records.records).toHaveLength(2);
    expect(records.records[1]!.recordId).not.toBe(r!.recordId);

    const restored = await receiveWebhook(deps, 'woocommerce', signed('woocommerce', fixture('woocommerce/order.created.json'), { 'x-wc-webhook-topic': 'order.restored' }));
    expect(restored).toMatchObject({ status: 200, body: { records: 1 } });
    expect(records.records[2]!.order).toMatchObject({ orderId: '727', status: 'processing', total: 29.35 });
    expect(records.records[2]!.order!.ref).toBeUndefined();
    expect(ids(records.records[2]!)).toEqual(['email:john.doe@example.com']);
    // Other deletions say nothing about a person's orders: a customer removed from the shop is not an erasure request.
    const gone = await receiveWebhook(deps, 'woocommerce', signed('woocommerce', Buffer.from('{"id":25}'), { 'x-wc-webhook-topic': 'customer.deleted' }));
    expect(gone).toMatchObject({ status: 200, body: { ignored: 'topic.noCustomerData' } });
    expect(records.records).toHaveLength(3);
    // An id no order has (too long to key the table by) is rejected with its reason, and kept in quarantine.
    const long = signed('woocommerce', Buffer.from(`{"id":"${'9'.repeat(300)}"}`), { 'x-wc-webhook-topic': 'order.deleted', 'x-wc-webhook-delivery-id': 'd3' });
    expect(await receiveWebhook(deps, 'woocommerce', long)).toMatchObject({ status: 200, body: { rejected: [{ reasons: ['order.idTooLong'] }] } });
    expect(records.records).toHaveLength(3);
    // Numbered by a plugin (`number` is not the id): known by its number, its id kept as its ref.
    const numbered = JSON.parse(fixture('woocommerce/order.created.json').toString()) as Record<string, unknown>;
    const plugin = await receiveWebhook(deps, 'woocommerce', signed('woocommerce', Buffer.from(JSON.stringify({ ...numbered, number: 'WC-2026-0727' })), { 'x-wc-webhook-topic': 'order.updated' }));
    expect(plugin).toMatchObject({ status: 200, body: { records: 1 } });
    expect(records.records[3]!.order).toMatchObject({ orderId: 'WC-2026-0727', ref: '727' });
  });

  it('an order change naming no person is only taken from the WooCommerce topic that sends one: a form post without identifiers is still rejected', async () => {
    const { deps, records } = memoryWebhookDeps();
    const out = await receiveWebhook(deps, 'woocommerce', signed('woocommerce', Buffer.from('{"id":727,"status":"trash","line_items":[]}'), { 'x-wc-webhook-topic': 'order.updated' }));
    expect(out).toMatchObject({ status: 200, body: { rejected: [{ reasons: ['row.noIdentifier'] }] } });
    expect(records.records).toEqual([]);
  });

  it('Stripe customer, checkout session and charge; a checkout and its charge are one order', async () => {
    const { deps, records } = memoryWebhookDeps();
    for (const f of ['customer.created', 'customer.updated', 'checkout.session.completed', 'charge.succeeded']) {
      const out = await receiveWebhook(deps, 'stripe', signed('stripe', fixture(`stripe/${f}.json`)));
      expect(out.status, f).toBe(200);
    }
    const byKind = records.records.map((r) => [r.kind, ids(r)]);
    expect(byKind[0]).toEqual(['contact', ['externalId:stripe:cus_00000000000000']]);
    const session = records.records.find((r) => r.lineage.recordKey.startsWith('order:') && r.order?.status === 'paid')!;
    expect(session.order).toMatchObject({ total: 250, currency: 'USD' });
    expect(ids(session)).toEqual(['externalId:stripe:cus_00000000000000', 'email:example@example.com']);
  });

  it("a test order is marked so: Shopify's `test`, an event of Stripe's test mode; a live one is not", async () => {
    const { deps, records } = memoryWebhookDeps();
    const shop = JSON.parse(fixture('shopify/orders_create.json').toString()) as Record<string, unknown>;
    const fixed = JSON.parse(fixture('stripe/charge.succeeded.json').toString()) as { data: { object: Record<string, unknown> } };
    // The sample charge names nobody: a receipt address makes it someone's order.
    const charge = { ...fixed, data: { object: { ...fixed.data.object, receipt_email: 'anna@example.it' } } };
    for (const [source, body] of [
      ['shopify', { ...shop, test: true }],
      ['shopify', { ...shop, id: 1, name: '#1', test: false }],
      ['stripe', charge],
      ['stripe', { ...charge, id: 'evt_live', livemode: true }],
    ] as const) {
      const headers: Record<string, string> = source === 'shopify' ? { 'x-shopify-topic': 'orders/paid' } : {};
      expect((await receiveWebhook(deps, source, signed(source, Buffer.from(JSON.stringify(body)), headers))).status).toBe(200);
    }
    expect(records.records.map((r) => r.order?.test ?? false)).toEqual([true, false, true, false]);
  });

  it('Stripe charge.refunded is the same order again: wholly refunded, or at what was kept; the newest event wins whatever the arrival order', async () => {
    const { deps, records } = memoryWebhookDeps();
    const charge = JSON.parse(fixture('stripe/charge.succeeded.json').toString()) as { id: string; type: string; created: number; data: { object: Record<string, unknown> } };
    const refundOf = (id: string, amountRefunded: number, refunded: boolean) =>
      Buffer.from(JSON.stringify({ ...charge, id, type: 'charge.refunded', created: charge.created + 3600, data: { object: { ...charge.data.object, refunded, amount_refunded: amountRefunded, receipt_email: 'anna@example.it' } } }));
    const amount = charge.data.object.amount as number;
    // The refund arrives before the charge it refunds (a retry of the charge's delivery).
    for (const body of [refundOf('evt_refund_part', 1000, false), refundOf('evt_refund_all', amount, true), Buffer.from(JSON.stringify({ ...charge, data: { object: { ...charge.data.object, receipt_email: 'anna@example.it' } } }))]) {
      expect((await receiveWebhook(deps, 'stripe', signed('stripe', body))).status).toBe(200);
    }
    const [part, all, paid] = records.records;
    expect(part!.order).toMatchObject({ orderId: paid!.order!.orderId, status: 'partially_refunded', total: (amount - 1000) / 100 });
    expect(all!.order).toMatchObject({ orderId: paid!.order!.orderId, status: 'refunded', total: amount / 100 });
    expect(paid!.order!.status).toBe('succeeded');
    // Stamped with the events' times, so the refund is the newer version although it arrived first.
    expect(all!.occurredAt > paid!.occurredAt).toBe(true);
    expect(paid!.occurredAt).toBe(new Date(charge.created * 1000).toISOString());
  });

  it('Typeform form_response: answers by type and label, hidden fields, legal answer as consent with its wording', async () => {
    const { deps, records } = memoryWebhookDeps();
    const out = await receiveWebhook(deps, 'typeform', signed('typeform', fixture('typeform/form_response.json')));
    expect(out.status).toBe(200);
    const [r] = records.records;
    expect(ids(r!)).toEqual(['email:laura@example.com']);
    expect(r!.person?.firstName).toBe('Laura');
    expect(r!.occurredAt).toBe('2018-01-18T18:17:02.000Z');
    expect(r!.consents).toEqual([{ purpose: 'privacy_notice', granted: true, at: '2018-01-18T18:17:02.000Z', proof: { form: 'typeform:lT4Z3j' } }]);
    expect(r!.lineage.recordKey).toBe('response:a3a12ec67a1365927098a606107fac15');
    // The survey's questions that mention a city ("Do you have a favorite city we haven't listed?" answered no, "How
    // important is the weather to your opinion about a city?" answered 2) are a yes/no and a rating, not her town.
    expect(r!.address).toBeUndefined();
    // Every answer no field took is named to the sender, so a source's mapping can take it (the raw body keeps them).
    const unmapped = out.body.unmapped as string[];
    expect(unmapped).toHaveLength(11);
    expect(unmapped).toEqual(
      expect.arrayContaining([
        "Do you have a favorite city we haven't listed?",
        'How important is the weather to your opinion about a city? 1 is not important, 5 is very important.',
        'Which of these cities is your favorite?',
        'Which pictures do you like? You can choose as many as you like.',
        'Book a time with me',
        'user_id',
      ]),
    );
    expect(out.unmapped).toBe(11);
  });

  it('Typeform: the source mapping takes an answer by its ref or its question, and a yes/no names a consent only', async () => {
    const { deps, records } = memoryWebhookDeps({
      sondaggio: { webhook: { vendor: 'typeform', secret: 'typeform' }, fields: { 'attributes.cittaPreferita': 'Which of these cities is your favorite?', 'attributes.utente': 'user_id' } },
    });
    const body = JSON.parse(fixture('typeform/form_response.json').toString()) as { form_response: { answers: { field: { ref?: string } }[]; definition: { fields: { title: string }[] } } };
    // A yes/no question about the newsletter is a marketing consent; its wording is the question.
    body.form_response.definition.fields[8]!.title = 'Vuoi ricevere la nostra newsletter?';
    const out = await receiveWebhook(deps, 'sondaggio', signed('typeform', Buffer.from(JSON.stringify(body))));
    expect(out.status).toBe(200);
    const [r] = records.records;
    expect(r!.attributes).toEqual({ cittaPreferita: 'London', utente: 'abc123456' });
    expect(r!.consents?.map((c) => [c.purpose, c.granted])).toEqual([
      ['privacy_notice', true],
      ['marketing_email', false],
    ]);
    expect(out.body.unmapped).not.toContain('Which of these cities is your favorite?');
    expect(out.body.unmapped).not.toContain('user_id');
  });

  it('Tally: a rating or a date under a name-like label is not a name; numbers and dates go where they fit', async () => {
    const { deps, records } = memoryWebhookDeps();
    const field = (key: string, label: string, type: string, value: unknown) => ({ key, label, type, value });
    const body = Buffer.from(
      JSON.stringify({
        eventId: 'ev-tally-1',
        eventType: 'FORM_RESPONSE',
        createdAt: '2026-11-20T10:00:00.000Z',
        data: {
          responseId: 'r1',
          formId: 'f1',
          formName: 'Iscrizione corso',
          fields: [
            field('q1', 'Nome', 'INPUT_TEXT', 'Chiara'),
            field('q2', 'Cognome', 'INPUT_TEXT', 'Neri'),
            field('q3', 'Email', 'INPUT_EMAIL', 'chiara.neri@esempio.it'),
            field('q4', 'Data di nascita', 'INPUT_DATE', '1990-04-12'),
            field('q5', 'CAP', 'INPUT_NUMBER', 20121),
            field('q6', 'Quanto ti è piaciuta la città di Milano?', 'LINEAR_SCALE', 4),
            field('q7', 'Città', 'RATING', 5),
          ],
        },
      }),
    );
    const out = await receiveWebhook(deps, 'tally', signed('tally', body));
    expect(out.status).toBe(200);
    const [r] = records.records;
    expect(r!.person).toMatchObject({ firstName: 'Chiara', lastName: 'Neri', birthDate: '1990-04-12' });
    expect(r!.address).toEqual({ postalCode: '20121' });
    expect(out.body.unmapped).toEqual(['Quanto ti è piaciuta la città di Milano?', 'Città']);
  });

  it('Mailchimp subscribe, unsubscribe, profile, upemail and cleaned (form-encoded, token in the URL)', async () => {
    const { deps, records } = memoryWebhookDeps();
    for (const t of ['subscribe', 'unsubscribe', 'profile', 'upemail', 'cleaned']) {
      const req = { ...signed('mailchimp', fixture(`mailchimp/${t}.txt`)), headers: form };
      const out = await receiveWebhook(deps, 'mailchimp', req);
      expect(out.status, t).toBe(200);
    }
    const [sub, unsub, profile, upemail, cleaned] = records.records;
    expect(sub!.consents).toEqual([{ purpose: 'marketing_email', granted: true, at: '2009-03-26T21:35:57.000Z', proof: { form: 'mailchimp:list:a6b5da1054', ip: '10.20.10.30' } }]);
    expect(sub!.person).toEqual({ firstName: 'Mailchimp', lastName: 'Api' });
    expect(unsub!.consents?.[0]).toMatchObject({ granted: false });
    expect(ids(profile!)).toEqual(['email:api@mailchimp.com']);
    expect(ids(upemail!)).toEqual(['email:api+old@mailchimp.com', 'email:api+new@mailchimp.com']);
    expect(cleaned!.attributes).toEqual({ mailchimpCleaned: 'hard' });
  });

  it('Mailchimp URL validation GET is answered without a token', async () => {
    const { deps } = memoryWebhookDeps();
    expect(await receiveWebhook(deps, 'mailchimp', { method: 'GET', headers: {}, query: {}, body: Buffer.alloc(0) })).toMatchObject({ status: 200 });
    expect(await receiveWebhook(deps, 'shopify', { method: 'GET', headers: {}, query: {}, body: Buffer.alloc(0) })).toMatchObject({ status: 405 });
  });

  it('Contact Form 7 (Italian tags): Italian labels recognised, checkbox consent, province and E.164 phone', async () => {
    const { deps, records } = memoryWebhookDeps();
    const it1 = await receiveWebhook(deps, 'cf7', signed('cf7', fixture('contact-form-7/contact_it.SYNTHETIC.json')));
    const en = await receiveWebhook(deps, 'cf7', signed('cf7', fixture('contact-form-7/contact_default_template.SYNTHETIC.json')));
    expect([it1.status, en.status]).toEqual([200, 200]);
    const [r, e] = records.records;
    expect(ids(r!)).toEqual(['email:mario.rossi@example.it', 'phone:+390200000000']);
    expect(r!.person).toEqual({ firstName: 'Mario', lastName: 'Rossi' });
    expect(r!.address).toEqual({ city: 'Milano', province: 'MI', region: 'Lombardia', postalCode: '20121' });
    expect(r!.consents?.map((c) => [c.purpose, c.granted])).toEqual([
      ['privacy_notice', true],
      ['marketing_email', true],
    ]);
    expect(r!.interaction).toMatchObject({ subject: 'Richiesta informazioni', summary: 'Vorrei ricevere un preventivo.' });
    expect(e!.person).toEqual({ firstName: 'Jane', lastName: 'Doe' });
  });

  it("a form post is dated when it arrives, not by the site's date and time (its local time, in its display format, or the day alone)", async () => {
    const { deps, records } = memoryWebhookDeps();
    const cf7 = { 'your-email': 'mario@example.it', 'your-newsletter': '1', _date: '23/11/2026', _remote_ip: '203.0.113.9' };
    expect((await receiveWebhook(deps, 'cf7', signed('cf7', Buffer.from(JSON.stringify(cf7))))).status).toBe(200);
    const elementor = new URLSearchParams({
      'form[name]': 'Contatti',
      'fields[email][type]': 'email',
      'fields[email][title]': 'Email',
      'fields[email][raw_value]': 'giulia@example.it',
      'meta[date][value]': '23 novembre 2026',
      'meta[time][value]': '11:00',
    }).toString();
    expect((await receiveWebhook(deps, 'elementor', { ...signed('elementor', elementor), headers: form })).status).toBe(200);
    expect(records.records.map((r) => [r.occurredAt, r.flags])).toEqual([
      ['2026-11-23T10:00:00.000Z', undefined],
      ['2026-11-23T10:00:00.000Z', undefined],
    ]);
    // The consent is dated so too: not midnight, before a withdrawal the person made that morning.
    expect(records.records[0]!.consents?.map((c) => c.at)).toEqual(['2026-11-23T10:00:00.000Z']);
  });

  it('Contact Form 7: a surname-first name field (`your-cognome-nome`) is split surname first', async () => {
    const { deps, records } = memoryWebhookDeps();
    await receiveWebhook(deps, 'cf7', signed('cf7', Buffer.from(JSON.stringify({ 'your-cognome-nome': 'De Luca Maria Grazia', 'your-email': 'mg@example.it' }))));
    await receiveWebhook(deps, 'cf7', signed('cf7', Buffer.from(JSON.stringify({ 'your-name': 'Mario Rossi', 'your-email': 'mr@example.it' }))));
    expect(records.records.map((r) => r.person)).toEqual([
      { firstName: 'Maria Grazia', lastName: 'De Luca' },
      { firstName: 'Mario', lastName: 'Rossi' },
    ]);
  });

  it("Contact Form 7: a complaint's order number names an order, places none; with its amount, or mapped, it is one", async () => {
    const { deps, records } = memoryWebhookDeps({
      ordini: { webhook: { vendor: 'cf7', secret: 'cf7' }, fields: { 'order.orderId': 'numero-ordine' } },
    });
    const complaint = { nome: 'Anna', cognome: 'Gialli', 'your-email': 'anna.gialli@example.it', 'numero-ordine': '10045', 'your-subject': 'Reclamo', 'your-message': 'Pacco danneggiato' };
    const out = await receiveWebhook(deps, 'cf7', signed('cf7', Buffer.from(JSON.stringify(complaint))));
    expect(out.status).toBe(200);
    expect(out.body.unmapped).toEqual(['numero-ordine']);
    const [r] = records.records;
    expect(r!.order).toBeUndefined();
    expect(r!.interaction).toMatchObject({ subject: 'Reclamo' });
    // An order form: the number beside what it costs.
    await receiveWebhook(deps, 'cf7', signed('cf7', Buffer.from(JSON.stringify({ ...complaint, totale: '49.90' }))));
    expect(records.records[1]!.order).toMatchObject({ orderId: '10045', total: 49.9 });
    // The source's mapping names the answer an order's: the user's word wins.
    await receiveWebhook(deps, 'ordini', signed('cf7', Buffer.from(JSON.stringify(complaint))));
    expect(records.records[2]!.order).toMatchObject({ orderId: '10045' });
    // A posted change of an order's state (a site's own order system): the number is the order's.
    await receiveWebhook(deps, 'cf7', signed('cf7', Buffer.from(JSON.stringify({ 'your-email': 'anna.gialli@example.it', 'numero-ordine': '10045', 'stato-ordine': 'annullato' }))));
    expect(records.records[3]!.order).toMatchObject({ orderId: '10045', status: 'annullato' });
    // A donation's amount with no order's id is read into no order: named unmapped, not dropped unsaid.
    const gift = await receiveWebhook(deps, 'cf7', signed('cf7', Buffer.from(JSON.stringify({ 'your-email': 'anna.gialli@example.it', importo: '50' }))));
    expect(gift.body.unmapped).toEqual(['importo']);
    expect(records.records[4]!.order).toBeUndefined();
  });

  it('Elementor Pro advanced data: fields by title, meta IP as consent proof, UTM from the page URL', async () => {
    const { deps, records } = memoryWebhookDeps();
    const body = new URLSearchParams({
      'form[id]': 'a1b2c3',
      'form[name]': 'Richiedi preventivo',
      'fields[name][id]': 'name',
      'fields[name][type]': 'text',
      'fields[name][title]': 'Nome',
      'fields[name][value]': 'Giulia',
      'fields[name][raw_value]': 'Giulia',
      'fields[field_2][id]': 'field_2',
      'fields[field_2][type]': 'text',
      'fields[field_2][title]': 'Cognome',
      'fields[field_2][raw_value]': "D'ANGELO",
      'fields[email][type]': 'email',
      'fields[email][title]': 'Indirizzo email',
      'fields[email][raw_value]': 'Giulia.DAngelo@Esempio.IT',
      'fields[tel][type]': 'tel',
      'fields[tel][title]': 'Cellulare',
      'fields[tel][raw_value]': '333 123 4567',
      'fields[mkt][type]': 'acceptance',
      'fields[mkt][title]': 'Consenso marketing',
      'fields[mkt][raw_value]': 'on',
      'meta[remote_ip][value]': '203.0.113.9',
      'meta[page_url][value]': 'https://esempio.it/preventivo?utm_source=google&utm_medium=cpc&utm_campaign=primavera',
    }).toString();
    const out = await receiveWebhook(deps, 'elementor', { ...signed('elementor', body), headers: form });
    expect(out.status).toBe(200);
    const [r] = records.records;
    expect(ids(r!)).toEqual(['email:giulia.dangelo@esempio.it', 'phone:+393331234567']);
    expect(r!.person).toEqual({ firstName: 'Giulia', lastName: "D'Angelo" });
    expect(r!.lead).toEqual({ source: 'google', medium: 'cpc', campaign: 'primavera' });
    expect(r!.consents).toEqual([{ purpose: 'marketing_email', granted: true, at: r!.occurredAt, proof: { form: 'elementor:Richiedi preventivo', ip: '203.0.113.9' } }]);
    expect(r!.interaction).toMatchObject({ touchpoint: 'Richiedi preventivo' });
  });

  it('a generic source maps its own labels through config/sources/<name>.json', async () => {
    const { deps, records } = memoryWebhookDeps({
      moduli: { webhook: { vendor: 'generic', tokenHeader: 'X-Form-Token' }, fields: { 'identifiers.email': 'recapito', 'attributes.interesse': 'prodotto' } },
    });
    const body = JSON.stringify({ contatto: { nominativo: 'BIANCHI LUCA', recapito: 'luca@esempio.it' }, prodotto: 'caldaia', cap: '00184' });
    const out = await receiveWebhook(deps, 'moduli', { method: 'POST', headers: { 'content-type': 'application/json', 'x-form-token': SECRETS.moduli! }, query: {}, body: Buffer.from(body) });
    expect(out.status).toBe(200);
    const [r] = records.records;
    expect(ids(r!)).toEqual(['email:luca@esempio.it']);
    expect(r!.attributes).toEqual({ interesse: 'caldaia' });
    expect(r!.address?.postalCode).toBe('00184');
    expect(out.body.unmapped).toBeUndefined();
  });

  it("a source's time zone reads its posts' times that give no offset; one that gives it stays that instant", async () => {
    const { deps, records } = memoryWebhookDeps({
      moduli: { webhook: { vendor: 'generic', tokenHeader: 'X-Form-Token' }, format: { timeZone: 'Europe/Rome' } },
    });
    const post = (body: object) => receiveWebhook(deps, 'moduli', { method: 'POST', headers: { 'content-type': 'application/json', 'x-form-token': SECRETS.moduli! }, query: {}, body: Buffer.from(JSON.stringify(body)) });
    expect((await post({ email: 'luca@esempio.it', 'data e ora': '03/11/2025 10:15' })).status).toBe(200);
    expect((await post({ email: 'anna@esempio.it', 'data e ora': '2025-11-03T10:15:00Z' })).status).toBe(200);
    expect(records.records.map((r) => r.occurredAt)).toEqual(['2025-11-03T09:15:00.000Z', '2025-11-03T10:15:00.000Z']);
  });

  it('a generic source names what it did not take: unknown keys, and a second value for a field already taken', async () => {
    const { deps, records } = memoryWebhookDeps({ moduli: { webhook: { vendor: 'generic', tokenHeader: 'X-Form-Token' } } });
    const body = JSON.stringify({ contatto: { nome: 'Luca', email: 'luca@esempio.it', citta: 'Roma' }, sede: { citta: 'Torino' }, numero_ospiti: '4', come_ci_hai_conosciuto: 'fiera', vuoto: '' });
    const out = await receiveWebhook(deps, 'moduli', { method: 'POST', headers: { 'content-type': 'application/json', 'x-form-token': SECRETS.moduli! }, query: {}, body: Buffer.from(body) });
    expect(out.status).toBe(200);
    expect(records.records[0]!.address).toEqual({ city: 'Roma' });
    // A form's question of how the person found the business is read as a file's header is: the lead's source.
    expect(records.records[0]!.lead).toMatchObject({ source: 'fiera' });
    // Named by its full key; an empty answer drops nothing and is not named.
    expect(out.body.unmapped).toEqual(['sede.citta', 'numero_ospiti']);
  });
});

describe("webhooks: codes and dates no form post may take as the person's", () => {
  it("a promotion's code, the post's or the form's id is no customer id; a question's date does not date the post", async () => {
    const { deps, records } = memoryWebhookDeps({ moduli: { webhook: { vendor: 'generic', tokenHeader: 'X-Form-Token' } } });
    const post = (body: object) => receiveWebhook(deps, 'moduli', { method: 'POST', headers: { 'content-type': 'application/json', 'x-form-token': SECRETS.moduli! }, query: {}, body: Buffer.from(JSON.stringify(body)) });
    // Two sign-ups of one campaign, with nothing but an e-mail to tell them apart: read as a customer id, the code
    // (and the form's id) joined them into one profile.
    for (const [email, entry] of [['anna@esempio.it', 101], ['luca@esempio.it', 102]] as const) {
      const out = await post({ id: entry, form: { id: 7, name: 'Saldi' }, email, 'Hai un codice sconto?': 'ESTATE10', Codice: 'INVITO5', 'In che data vuoi venire?': '24/12/2026' });
      expect(out.status).toBe(200);
      expect(out.body.unmapped).toEqual(expect.arrayContaining(['id', 'form.id', 'Hai un codice sconto?', 'Codice', 'In che data vuoi venire?']));
    }
    expect(records.records.map(ids)).toEqual([['email:anna@esempio.it'], ['email:luca@esempio.it']]);
    // Dated when it arrived, not on the day the person wishes to come.
    for (const r of records.records) expect(r.occurredAt < '2026-12-24').toBe(true);
    // Nor by a booking form's bare `Data` (the table's day, beside its `Ora` and `Persone`).
    const booking = await post({ nome: 'Giulia Ferri', email: 'giulia@esempio.it', data: '24/12/2026', ora: '20:30', persone: '4' });
    expect(booking.body.unmapped).toEqual(expect.arrayContaining(['data', 'ora', 'persone']));
    expect(records.records.at(-1)!.occurredAt < '2026-12-24').toBe(true);
    // A code named as the holder's, or an object named as the person's, is still theirs.
    await post({ cliente: { id: 'C042', email: 'marta@esempio.it' } });
    await post({ email: 'piero@esempio.it', 'Codice cliente': 'C043' });
    expect(records.records.slice(-2).map((r) => ids(r).sort())).toEqual([
      ['email:marta@esempio.it', 'externalId:moduli:C042'],
      ['email:piero@esempio.it', 'externalId:moduli:C043'],
    ]);
  });
});

describe('webhooks: authenticity, replays and bad input', () => {
  const order = fixture('shopify/orders_create.json');

  it('matches the vendors’ published test vectors', () => {
    expect(signFor('base64', order, 'test_secret')).toBe('OG3tSTZOV/txloqPatAsPKzAkorQUPFAouVSEVH0XyQ=');
    expect(signFor('base64', fixture('woocommerce/order.created.json'), 'test_secret')).toBe('dbd8cN7BISGillqMsi0zMR+0Y9kuiw/6Hcjf+nwkYE0=');
    expect(signFor('typeform', fixture('typeform/form_response.json'), 'test_secret')).toBe('sha256=qrT7DY1lyRcwiZ91GnWxTuBqVzc/VDPhkrSGD6HYXwA=');
    expect(signFor('stripe', fixture('stripe/customer.created.json'), 'whsec_test_secret', 1_700_000_000_000)).toBe(
      't=1700000000,v1=0f3f6cbeb5f5191b3632088c91dad736e4af8670fae786ad4b7596102168802d',
    );
  });

  it('refuses a tampered body, a wrong or missing signature with 401 and stores nothing', async () => {
    const { deps, records, objects, deliveries } = memoryWebhookDeps();
    const good = signed('shopify', order, { 'x-shopify-topic': 'orders/create' });
    const tampered = { ...good, body: Buffer.from(order.toString().replace('404.95', '4.95')) };
    const missing = { ...good, headers: { 'content-type': 'application/json' } };
    const wrongKey = { ...good, headers: { ...good.headers, 'x-shopify-hmac-sha256': signFor('base64', order, 'other') } };
    for (const req of [tampered, missing, wrongKey]) expect((await receiveWebhook(deps, 'shopify', req)).status).toBe(401);
    expect(records.records).toEqual([]);
    expect(objects.objects.size).toBe(0);
    expect(deliveries.seenKeys.size).toBe(0);
  });

  it('refuses unsigned senders without the token, and a source with no secret configured', async () => {
    const { deps } = memoryWebhookDeps({ nosecret: { webhook: { vendor: 'generic' } } });
    const body = fixture('contact-form-7/contact_it.SYNTHETIC.json');
    const json = { 'content-type': 'application/json' };
    expect((await receiveWebhook(deps, 'cf7', { method: 'POST', headers: json, query: {}, body })).body).toMatchObject({ reason: 'auth.missing' });
    expect((await receiveWebhook(deps, 'cf7', { method: 'POST', headers: json, query: { token: 'nope' }, body })).body).toMatchObject({ reason: 'auth.mismatch' });
    expect((await receiveWebhook(deps, 'nosecret', { method: 'POST', headers: json, query: { token: '' }, body })).body).toMatchObject({ reason: 'auth.noSecret' });
  });

  it('refuses a stale Stripe timestamp (a replay) and accepts any v1 while a secret rolls', async () => {
    const { deps, now } = memoryWebhookDeps();
    const body = fixture('stripe/customer.created.json');
    const stale = signed('stripe', body, {}, now.getTime() - 301_000);
    expect((await receiveWebhook(deps, 'stripe', stale)).body).toMatchObject({ reason: 'auth.stale' });
    const fresh = signed('stripe', body, {}, now.getTime() - 299_000);
    const rolled = { ...fresh, headers: { ...fresh.headers, 'stripe-signature': `${fresh.headers['stripe-signature']!.replace('v1=', 'v1=00ab,v1=')}` } };
    expect((await receiveWebhook(deps, 'stripe', rolled)).status).toBe(200);
  });

  it('acknowledges a redelivered event without processing it again (an order is counted once)', async () => {
    const { deps, records } = memoryWebhookDeps();
    const first = signed('shopify', order, { 'x-shopify-topic': 'orders/create', 'x-shopify-event-id': 'same', 'x-shopify-webhook-id': 'try-1' });
    const retry = signed('shopify', order, { 'x-shopify-topic': 'orders/create', 'x-shopify-event-id': 'same', 'x-shopify-webhook-id': 'try-2' });
    expect((await receiveWebhook(deps, 'shopify', first)).status).toBe(200);
    expect(await receiveWebhook(deps, 'shopify', retry)).toMatchObject({ status: 200, body: { duplicate: true } });
    expect(records.records).toHaveLength(1);
  });

  it('keeps a malformed body from an authentic sender in quarantine and answers 400 with the reason', async () => {
    const { deps, objects } = memoryWebhookDeps();
    const out = await receiveWebhook(deps, 'shopify', signed('shopify', '{"id": 1, "email": '));
    expect(out).toMatchObject({ status: 400, body: { reason: 'json.malformed' } });
    const keys = objects.keys('raw/quarantine/shopify/webhooks/');
    expect(keys.some((k) => k.endsWith('.body'))).toBe(true);
    const report = JSON.parse(objects.text('raw', keys.find((k) => k.endsWith('.json'))!.slice(4))!);
    expect(report).toMatchObject({ reason: 'json.malformed', vendor: 'shopify' });
    // The sender retries it (after a 5xx, or as vendors do): it is quarantined once, under the same name.
    const again = await receiveWebhook(deps, 'shopify', signed('shopify', '{"id": 1, "email": '));
    expect(again.body.deliveryId).toBe(out.body.deliveryId);
    expect(objects.keys('raw/quarantine/shopify/webhooks/')).toEqual(keys);
  });

  it('answers 404 for an unknown source, 413 oversize, 415 wrong content type, and a record without identifiers is reported', async () => {
    const { deps, objects } = memoryWebhookDeps();
    expect((await receiveWebhook(deps, 'nonesuch', signed('shopify', order))).status).toBe(404);
    expect((await receiveWebhook(deps, '../etc', signed('shopify', order))).status).toBe(404);
    expect((await receiveWebhook(deps, 'shopify', signed('shopify', Buffer.alloc(1024 * 1024 + 1, 32)))).status).toBe(413);
    expect((await receiveWebhook(deps, 'shopify', { ...signed('shopify', order), headers: { 'content-type': 'application/xml' } })).status).toBe(415);
    const charge = await receiveWebhook(deps, 'stripe', signed('stripe', fixture('stripe/charge.succeeded.json')));
    expect(charge).toMatchObject({ status: 200, body: { records: 0, rejected: [{ reasons: ['row.noIdentifier'] }] } });
    expect(objects.keys('raw/quarantine/stripe/webhooks/')).toHaveLength(1);
  });
});

describe('webhooks: an erased person', () => {
  it('drops their record that would be rejected: neither quarantined nor archived', async () => {
    const { deps, objects } = memoryWebhookDeps();
    const suppression = { isSuppressed: async (keys: readonly string[]) => keys.includes('email:cancellata@example.it') };
    const charge = JSON.parse(fixture('stripe/charge.succeeded.json').toString()) as { data: { object: Record<string, unknown> } };
    // A charge without its payment intent or id names no order: its record is rejected, the buyer's e-mail in it.
    const { id: _id, payment_intent: _intent, ...object } = charge.data.object;
    const body = (email: string, event: string) => JSON.stringify({ ...charge, id: event, data: { object: { ...object, receipt_email: email } } });
    const theirs = await receiveWebhook({ ...deps, suppression }, 'stripe', signed('stripe', body('Cancellata@example.it', 'evt_1')));
    expect(theirs).toMatchObject({ status: 200, body: { records: 0, suppressed: 1 } });
    expect(theirs.body.rejected).toBeUndefined();
    expect(objects.keys('raw/')).toEqual([]);
    // Someone else's is kept in quarantine, and its body archived, as before.
    const other = await receiveWebhook({ ...deps, suppression }, 'stripe', signed('stripe', body('altra@example.it', 'evt_2')));
    expect(other).toMatchObject({ status: 200, body: { records: 0, rejected: [{ reasons: ['order.noOrderId'] }] } });
    expect(objects.keys('raw/quarantine/stripe/webhooks/')).toHaveLength(1);
    expect(objects.keys('raw/webhooks/stripe/')).toHaveLength(1);
  });
});

describe('webhooks: source files', () => {
  it('answers 404 for a source file that is not JSON, and fails (a 5xx, so the sender retries) when the store is down', async () => {
    const { deps } = memoryWebhookDeps();
    const req = signed('shopify', fixture('shopify/orders_create.json'));
    const broken = { ...deps, sources: { get: async () => Promise.reject(new InvalidSourceFileError('not JSON')) } };
    expect(await receiveWebhook(broken, 'shopify', req)).toMatchObject({ status: 404, reason: 'source.invalidConfig' });
    const down = { ...deps, sources: { get: async () => Promise.reject(new Error('S3 unavailable')) } };
    await expect(receiveWebhook(down, 'shopify', req)).rejects.toThrow('S3 unavailable');
  });
});

describe('webhooks: every file in the shared fixtures folder', () => {
  const files = readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(json|txt)$/.test(f) && !f.endsWith('.fields.json'));

  it.each(files)('%s is taken or refused with a reason, never a 5xx', async (file) => {
    const vendor = file.split(path.sep)[0]!.replace('contact-form-7', 'cf7');
    const { deps } = memoryWebhookDeps();
    const body = fixture(file);
    const contentType = file.endsWith('.txt') ? 'application/x-www-form-urlencoded' : 'application/json';
    const req = signed(vendor, body);
    const out = await receiveWebhook(deps, vendor, { ...req, headers: { ...req.headers, 'content-type': contentType } });
    expect(out.status).toBe(200);
    expect(out.body.received).toBe(true);
    const taken = Number(out.body.records ?? 0) + Number(out.body.privacyRequests ?? 0);
    const rejected = (out.body.rejected as unknown[] | undefined)?.length ?? 0;
    expect(taken + rejected > 0 || typeof out.body.ignored === 'string').toBe(true);
  });
});

import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedDelivery } from '../../cli/webhook.ts';
import type { ConfigChange } from '../../local/config-watch.ts';
import { startTwin, type Twin } from '../../local/twin.ts';
import { cdpOk, runCdp } from '../support/cdp.ts';
import { profileOf } from '../support/profiles.ts';

/**
 * Webhooks as a new user wires them, on the running twin: payloads written here in each vendor's format (an Italian
 * shop's order, a Tally form no fixture has, an Elementor "simple data" post with Italian labels), sent with
 * `cdp webhook send` (signed with the secrets in CDP_HOME/secrets.json) or posted raw.
 */
const home = mkdtempSync(path.join(tmpdir(), 'cdp-webhooks-'));
/** The twin's source files (config/sources in a project): here a folder of the test's own. */
const sourcesDir = mkdtempSync(path.join(tmpdir(), 'cdp-webhook-sources-'));
let twin: Twin;
const configChanges: ConfigChange[] = [];

const SHOP_ORDER = {
  id: '5813927493756123456',
  admin_graphql_api_id: 'gid://shopify/Order/5813927493756123456',
  name: '#1042',
  email: 'Francesca.Neri@Example.IT',
  phone: null,
  created_at: '2026-11-20T15:04:05+01:00',
  processed_at: '2026-11-20T15:04:05+01:00',
  currency: 'EUR',
  total_price: '129.90',
  financial_status: 'paid',
  buyer_accepts_marketing: true,
  browser_ip: '203.0.113.44',
  landing_site: '/collections/estate?utm_source=instagram&utm_medium=social&utm_campaign=saldi-estivi',
  customer_locale: 'it',
  customer: { id: '7381950947699123456', email: 'francesca.neri@example.it', first_name: 'FRANCESCA', last_name: 'NERI', phone: '+39 347 000 1122' },
  billing_address: { first_name: 'Francesca', last_name: 'Neri', address1: 'Via Roma 1', city: 'Bergamo', zip: '24121', province_code: 'BG', country_code: 'IT', phone: '347 000 1122' },
  line_items: [{ id: 1, title: 'Borsa', quantity: 1, price: '129.90' }],
};

const TALLY = {
  eventId: 'a1b2c3d4-0000-4000-8000-000000000001',
  eventType: 'FORM_RESPONSE',
  createdAt: '2026-11-21T09:30:00.000Z',
  data: {
    responseId: 'resp_9Xk2',
    formId: 'w7Lp3Q',
    formName: 'Richiesta demo',
    createdAt: '2026-11-21T09:30:00.000Z',
    fields: [
      { key: 'question_1', label: 'Nome', type: 'INPUT_TEXT', value: 'Francesca' },
      { key: 'question_2', label: 'Cognome', type: 'INPUT_TEXT', value: 'Neri' },
      { key: 'question_3', label: 'La tua email', type: 'INPUT_EMAIL', value: 'francesca.neri@example.it' },
      { key: 'question_4', label: 'Azienda', type: 'INPUT_TEXT', value: 'Neri Moda s.r.l.' },
      { key: 'question_5', label: 'Consenso marketing', type: 'CHECKBOXES', value: ['opt_1'], options: [{ id: 'opt_1', text: 'Acconsento' }] },
      { key: 'question_6', label: 'utm_source', type: 'HIDDEN_FIELDS', value: 'newsletter' },
    ],
  },
};

const ELEMENTOR_SIMPLE = new URLSearchParams({ Nome: 'Paolo', Cognome: 'Verdi', Email: 'paolo.verdi@example.it', Cellulare: '335 765 4321', Provincia: 'Torino', Messaggio: 'Vorrei un preventivo' }).toString();

/** An Italian WooCommerce shop's order (REST API v3 shape, as its webhooks send it). */
const WOO_ORDER = {
  id: 5120,
  number: '5120',
  status: 'processing',
  currency: 'EUR',
  date_created_gmt: '2026-11-18T09:12:00',
  date_modified_gmt: '2026-11-18T09:12:00',
  total: '59.00',
  customer_id: 0,
  billing: { first_name: 'Lucia', last_name: 'Ferri', address_1: 'Via Po 3', city: 'Torino', postcode: '10123', country: 'IT', email: 'lucia.ferri@example.it', phone: '333 112 2334' },
  line_items: [{ id: 1, name: 'Sciarpa', quantity: 1, total: '59.00' }],
  refunds: [],
};

const SECRETS = { shopify: 'shpss_local_test', tally: 'tally_local_test', 'sito-contatti': 'tok_sito_123', woocommerce: 'wc_local_test' };

function payload(name: string, body: string): string {
  const file = path.join(home, name);
  writeFileSync(file, body);
  return file;
}

const profile = (identifierKey: string) => profileOf(twin.clients.dynamodb, twin.resources.tableName, identifierKey);

beforeAll(async () => {
  writeFileSync(path.join(home, 'secrets.json'), JSON.stringify(SECRETS));
  twin = await startTwin({ home, port: 0, sourcesDir, onConfigChange: (c) => configChanges.push(c) });
});
afterAll(async () => {
  await twin?.stop();
  rmSync(home, { recursive: true, force: true });
  rmSync(sourcesDir, { recursive: true, force: true });
});

describe('webhooks on the running twin', () => {
  it('turns a Shopify order into an order on the right profile, counted once when redelivered', async () => {
    // Shopify's order ids exceed 2^53; keep them exact in the payload's text as Shopify sends them.
    const file = payload('order.json', JSON.stringify(SHOP_ORDER).replace(/"(5813927493756123456|7381950947699123456)"/g, '$1'));
    const first = JSON.parse(await cdpOk(home, 'webhook', 'send', 'shopify', file, '--topic', 'orders/create', '--json'));
    expect(first).toMatchObject({ status: 200, response: { received: true, records: 1 } });
    const again = JSON.parse(await cdpOk(home, 'webhook', 'send', 'shopify', file, '--topic', 'orders/create', '--json'));
    expect(again).toMatchObject({ status: 200, response: { duplicate: true } });
    // orders/paid for the same order is another event about the same order: taken, but still one order.
    const paid = JSON.parse(await cdpOk(home, 'webhook', 'send', 'shopify', file, '--topic', 'orders/paid', '--json'));
    expect(paid).toMatchObject({ status: 200, response: { records: 1 } });
    await twin.waitIdle();
    const p = await profile('email:francesca.neri@example.it');
    expect(p?.orders).toMatchObject({ count: 1, revenue: 129.9 });
    expect(p?.identifiers).toEqual(expect.arrayContaining(['externalId:shopify:7381950947699123456', 'phone:+393470001122']));
    expect(p?.attributes).toMatchObject({ firstName: 'Francesca', lastName: 'Neri', province: 'BG' });
    expect(p?.lead).toMatchObject({ source: 'instagram', medium: 'social', campaign: 'saldi-estivi' });
    expect(p?.consents.marketing_email).toMatchObject({ granted: true });
  });

  it('a WooCommerce order put in the bin (order.deleted: its id only) stops counting on its profile; restored, it counts again', async () => {
    const order = payload('woo-order.json', JSON.stringify(WOO_ORDER));
    expect(JSON.parse(await cdpOk(home, 'webhook', 'send', 'woocommerce', order, '--topic', 'order.created', '--json'))).toMatchObject({ status: 200, response: { records: 1 } });
    await twin.waitIdle();
    expect((await profile('email:lucia.ferri@example.it'))?.orders).toMatchObject({ count: 1, revenue: 59 });

    const bin = payload('woo-deleted.json', JSON.stringify({ id: 5120 }));
    expect(JSON.parse(await cdpOk(home, 'webhook', 'send', 'woocommerce', bin, '--topic', 'order.deleted', '--json'))).toMatchObject({ status: 200, response: { records: 1 } });
    await twin.waitIdle();
    expect((await profile('email:lucia.ferri@example.it'))?.orders).toEqual({ count: 0, revenue: 0 });

    // Restored: the whole order again, stamped (to the second, as WooCommerce does) after it was binned.
    const restored = payload('woo-restored.json', JSON.stringify({ ...WOO_ORDER, date_modified_gmt: new Date().toISOString().slice(0, 19) }));
    expect(JSON.parse(await cdpOk(home, 'webhook', 'send', 'woocommerce', restored, '--topic', 'order.restored', '--json'))).toMatchObject({ status: 200, response: { records: 1 } });
    await twin.waitIdle();
    expect((await profile('email:lucia.ferri@example.it'))?.orders).toMatchObject({ count: 1, revenue: 59 });
  });

  it('adds a Tally form response to the same person, with the company and consent', async () => {
    const res = JSON.parse(await cdpOk(home, 'webhook', 'send', 'tally', payload('tally.json', JSON.stringify(TALLY)), '--json'));
    expect(res).toMatchObject({ status: 200, response: { records: 1 } });
    await twin.waitIdle();
    const p = await profile('email:francesca.neri@example.it');
    expect(p?.sources).toEqual(expect.arrayContaining(['shopify', 'tally']));
    expect(p?.attributes.companyName).toBe('Neri Moda S.r.l.');
    expect(p?.orders.count).toBe(1);
  });

  it('takes an Elementor simple-data post on a source configured by name, with its token in the URL', async () => {
    // A source named by the user: its file goes where the twin reads sources (the landing bucket's mappings/).
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    await twin.clients.s3.send(new PutObjectCommand({ Bucket: twin.resources.buckets.landing, Key: 'mappings/sito-contatti.json', Body: JSON.stringify({ webhook: { vendor: 'elementor' } }) }));
    const url = `${twin.url}/webhooks/sito-contatti?token=${SECRETS['sito-contatti']}`;
    const ok = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: ELEMENTOR_SIMPLE });
    expect(ok.status).toBe(200);
    await twin.waitIdle();
    const p = await profile('phone:+393357654321');
    expect(p?.attributes).toMatchObject({ firstName: 'Paolo', lastName: 'Verdi', province: 'TO' });
  });

  it("works Shopify's GDPR topics: data_request becomes an access bundle, customers/redact an erasure that sticks", async () => {
    const customer = { id: 7381950947699123456n, email: 'francesca.neri@example.it', phone: '+39 347 000 1122' };
    const body = (extra: object) => JSON.stringify({ shop_id: 954889, shop_domain: 'negozio.myshopify.com', customer, ...extra }, (_k, v) => (typeof v === 'bigint' ? `#${v}#` : v)).replace(/"#(\d+)#"/g, '$1');
    const requests = async () => JSON.parse(await cdpOk(home, 'dsr', 'list', '--json')) as { requestType: string; status: string; origin: string; evidence?: Record<string, unknown> }[];
    const settled = async (count: number) => {
      for (let i = 0; i < 300; i++) {
        const all = await requests();
        if (all.length >= count && all.every((r) => r.status === 'completed' || r.status === 'rejected')) return all;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error('privacy requests did not settle');
    };

    const asked = JSON.parse(await cdpOk(home, 'webhook', 'send', 'shopify', payload('dr.json', body({ orders_requested: [1], data_request: { id: 9999 } })), '--topic', 'customers/data_request', '--json'));
    expect(asked).toMatchObject({ status: 200, response: { privacyRequests: 1 } });
    const [access] = await settled(1);
    expect(access).toMatchObject({ requestType: 'access', status: 'completed', origin: expect.stringContaining('webhook:shopify') });
    // The order and the Tally form: both raw bodies are in the bundle.
    expect(Number(access!.evidence!.rawRows)).toBeGreaterThanOrEqual(2);

    await cdpOk(home, 'webhook', 'send', 'shopify', payload('redact.json', body({ orders_to_redact: [1] })), '--topic', 'customers/redact', '--json');
    const all = await settled(2);
    expect(all.find((r) => r.requestType === 'erasure')).toMatchObject({ status: 'completed', evidence: { profiles: 1, earlierBundlesDeleted: 1 } });
    expect(await profile('email:francesca.neri@example.it')).toBeUndefined();
    // Shopify sends the order again (a retry, an edit): the person is not re-created, and the body is not archived.
    const file = payload('order2.json', JSON.stringify({ ...SHOP_ORDER, id: '5813927493756999999' }));
    const again = JSON.parse(await cdpOk(home, 'webhook', 'send', 'shopify', file, '--topic', 'orders/updated', '--json'));
    expect(again).toMatchObject({ status: 200, response: { records: 0, suppressed: 1 } });
    await twin.waitIdle();
    expect(await profile('email:francesca.neri@example.it')).toBeUndefined();
  });

  it('answers 401 to a wrong signature, 404 to an unknown source, 400 to a malformed body, and never 5xx', async () => {
    const body = JSON.stringify(SHOP_ORDER);
    const wrong = await fetch(`${twin.url}/webhooks/shopify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-hmac-sha256': 'AAAA', 'x-shopify-topic': 'orders/create' },
      body,
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ reason: 'auth.mismatch' });
    expect((await fetch(`${twin.url}/webhooks/magento`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(404);
    const malformed = await fetch(`${twin.url}/webhooks/sito-contatti?token=${SECRETS['sito-contatti']}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"Nome": ' });
    expect(malformed.status).toBe(400);
    const r = await runCdp(home, 'webhook', 'send', 'stripe', payload('x.json', '{}'), '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatch(/CDP_WEBHOOK_SECRET_STRIPE/);
  });
  it('takes a source and a secret added while it runs, and drops them when they are taken out, with no restart', async () => {
    const order = Buffer.from(JSON.stringify({ ...SHOP_ORDER, id: '5813927493756999001', name: '#2001', email: 'outlet@example.it', customer: { id: '7381950947699999001', email: 'outlet@example.it' }, billing_address: { first_name: 'Marta', last_name: 'Galli', city: 'Como', country_code: 'IT' } }));
    const post = async (secret: string) => {
      const { headers } = signedDelivery('shopify', order, secret, { topic: 'orders/create' });
      return (await fetch(`${twin.url}/webhooks/outlet`, { method: 'POST', headers: { ...headers, 'x-shopify-event-id': 'evt-outlet-1' }, body: order })).status;
    };
    /** The status the source answers once the twin has looked at its files again (it looks every second). */
    const settlesTo = async (status: number, secret: string) => {
      let last = 0;
      for (let i = 0; i < 50 && last !== status; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 200));
        last = await post(secret);
      }
      return last;
    };
    expect(await post('outlet-secret')).toBe(404);

    // The source's file first: known now, but with no secret it takes nothing.
    writeFileSync(path.join(sourcesDir, 'outlet.json'), JSON.stringify({ webhook: { vendor: 'shopify', secret: 'outlet' } }));
    expect(await settlesTo(401, 'outlet-secret')).toBe(401);
    // Then its secret, beside the others in CDP_HOME/secrets.json.
    writeFileSync(path.join(home, 'secrets.json'), JSON.stringify({ ...SECRETS, outlet: 'outlet-secret' }));
    expect(await settlesTo(200, 'outlet-secret')).toBe(200);
    await twin.waitIdle();
    expect((await profile('email:outlet@example.it'))?.orders.count).toBe(1);
    // A changed secret: the old one no longer signs.
    writeFileSync(path.join(home, 'secrets.json'), JSON.stringify({ ...SECRETS, outlet: 'outlet-secret-2' }));
    expect(await settlesTo(401, 'outlet-secret')).toBe(401);
    expect(await post('outlet-secret-2')).toBe(200);

    // A secrets file half-written (not JSON) keeps the secrets read before, and says so.
    writeFileSync(path.join(home, 'secrets.json'), '{"outlet": "outlet-sec');
    await new Promise((r) => setTimeout(r, 2500));
    expect(await post('outlet-secret-2')).toBe(200);
    expect(configChanges.some((c) => 'error' in c && c.what === 'secrets')).toBe(true);

    // The source's file taken out: its copy in the landing bucket goes too, and the source is unknown again. A file put
    // in mappings/ by other means (the Elementor source above) is left alone.
    unlinkSync(path.join(sourcesDir, 'outlet.json'));
    expect(await settlesTo(404, 'outlet-secret-2')).toBe(404);
    const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
    await expect(twin.clients.s3.send(new HeadObjectCommand({ Bucket: twin.resources.buckets.landing, Key: 'mappings/sito-contatti.json' }))).resolves.toBeDefined();
    expect(configChanges).toContainEqual({ what: 'sources', sources: ['outlet'] });
    expect(configChanges).toContainEqual({ what: 'sources', sources: [] });
    writeFileSync(path.join(home, 'secrets.json'), JSON.stringify(SECRETS));
  });
  it('a Shopify order deleted in the shop (orders/delete: its numeric id only) stops counting on whichever profile holds it', async () => {
    const order = { ...SHOP_ORDER, id: '5813927493756777001', name: '#1077', email: 'paolo.bianchi@example.it', total_price: '45.00', customer: { id: '7381950947699777001', email: 'paolo.bianchi@example.it' }, billing_address: { first_name: 'Paolo', last_name: 'Bianchi', city: 'Lecco', country_code: 'IT' }, landing_site: null };
    const exact = (json: string) => json.replace(/"(\d{19})"/g, '$1');
    const placed = JSON.parse(await cdpOk(home, 'webhook', 'send', 'shopify', payload('order-1077.json', exact(JSON.stringify(order))), '--topic', 'orders/create', '--json'));
    expect(placed).toMatchObject({ status: 200, response: { records: 1 } });
    await twin.waitIdle();
    expect((await profile('email:paolo.bianchi@example.it'))?.orders).toMatchObject({ count: 1, revenue: 45 });
    const deleted = JSON.parse(await cdpOk(home, 'webhook', 'send', 'shopify', payload('delete-1077.json', exact(JSON.stringify({ id: order.id }))), '--topic', 'orders/delete', '--json'));
    expect(deleted).toMatchObject({ status: 200, response: { records: 1 } });
    await twin.waitIdle();
    expect((await profile('email:paolo.bianchi@example.it'))?.orders).toMatchObject({ count: 0, revenue: 0 });
  });
});

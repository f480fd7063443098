import type { CountryCode } from 'libphonenumber-js/max';
import type { Identifier } from '../canonical.ts';
import { stableHash } from '../hash.ts';
import { normaliseEmail, normaliseOrderStatus, normalisePhone } from '../normalise.ts';
import type { Answer, AnswerKind, Extracted, Interpretation, Payload, VendorName, VendorPrivacyRequest, WebhookRequest } from './types.ts';

/**
 * Each vendor's payloads read into what they say about people. Pure: the vendor's documented shapes in, labelled
 * raw values out (cleaning happens once, in the row mapper, exactly as for imported rows).
 */

type Json = Record<string, unknown>;
type Fields = [path: string, value: string][];

const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const obj = (x: unknown): Json => (isObject(x) ? x : {});
/** A scalar as text; null, objects and empty strings are absent. */
const str = (x: unknown): string | undefined => {
  if (typeof x === 'string') return x.trim() === '' ? undefined : x;
  if (typeof x === 'number' || typeof x === 'bigint') return String(x);
  if (typeof x === 'boolean') return String(x);
  return undefined;
};
const put = (fields: Fields, path: string, value: unknown): void => {
  const s = str(value);
  if (s !== undefined) fields.push([path, s]);
};
const contentKey = (req: WebhookRequest): string => `sha256:${stableHash(Buffer.from(req.body).toString('latin1'))}`;

/** UTM parameters of a landing URL (Shopify's landing_site, a form's page URL) as the lead source. */
export function leadFromUrl(fields: Fields, url: unknown): void {
  const s = str(url);
  if (!s) return;
  let params: URLSearchParams;
  try {
    params = new URL(s, 'https://landing.invalid').searchParams;
  } catch {
    return;
  }
  put(fields, 'lead.source', params.get('utm_source'));
  put(fields, 'lead.medium', params.get('utm_medium'));
  put(fields, 'lead.campaign', params.get('utm_campaign'));
}

const hostOf = (url: unknown): string | undefined => {
  const s = str(url);
  if (!s) return undefined;
  try {
    return new URL(s).hostname || undefined;
  } catch {
    return undefined;
  }
};

/**
 * Whom a compliance request names. A phone without its country code is read as the source's other phones are (its
 * mapping's default country), since the request carries no address to tell: read otherwise, it would name someone
 * else's number, and put that number on the suppression list.
 */
function subjectIdentifiers(namespace: string, defaultCountry: string, customer: Json): Identifier[] {
  const ids: Identifier[] = [];
  const email = str(customer.email);
  if (email) {
    const e = normaliseEmail(email);
    if (e.ok) ids.push({ type: 'email', value: e.value });
  }
  const phone = str(customer.phone);
  if (phone) {
    const p = normalisePhone(phone, defaultCountry as CountryCode);
    if (p.ok) ids.push({ type: 'phone', value: p.value });
  }
  const id = str(customer.id);
  if (id) ids.push({ type: 'externalId', value: id, namespace });
  return ids;
}

const none = (topic: string, eventKey: string, ignored: string): Interpretation => ({ topic, eventKey, records: [], privacy: [], ignored });
const one = (topic: string, eventKey: string, record: Extracted): Interpretation => ({ topic, eventKey, records: [record], privacy: [] });

/** Labels of checkboxes that are consents: a ticked list means "granted", whatever its option's wording. */
const CONSENT_LABEL = /consen|newsletter|privacy|marketing|acceptance|accett/i;

// -------------------------------------------------------------------------------------------------------- Shopify

function shopifyAddress(fields: Fields, a: Json): void {
  put(fields, 'address.line1', a.address1);
  put(fields, 'address.line2', a.address2);
  put(fields, 'address.city', a.city);
  put(fields, 'address.postalCode', a.zip);
  put(fields, 'address.province', a.province_code ?? a.province);
  put(fields, 'address.country', a.country_code ?? a.country);
  put(fields, 'company.name', a.company);
}

/** Shopify's consent states: subscribed grants, unsubscribed and redacted withdraw, the rest say nothing. */
function shopifyConsent(fields: Fields, purpose: string, c: unknown): void {
  const consent = obj(c);
  const state = str(consent.state);
  if (state === 'subscribed') put(fields, `consents.${purpose}`, 'true');
  else if (state === 'unsubscribed' || state === 'redacted') put(fields, `consents.${purpose}`, 'false');
  else return;
  put(fields, `consents.${purpose}.at`, consent.consent_updated_at);
  put(fields, `consents.${purpose}.text`, consent.opt_in_level);
}

function shopifyCustomer(fields: Fields, c: Json): void {
  put(fields, 'identifiers.externalId', c.id);
  put(fields, 'identifiers.email', c.email);
  put(fields, 'identifiers.phone', c.phone);
  put(fields, 'person.firstName', c.first_name);
  put(fields, 'person.lastName', c.last_name);
  shopifyConsent(fields, 'marketing_email', c.email_marketing_consent);
  shopifyConsent(fields, 'marketing_sms', c.sms_marketing_consent);
}

function shopifyTopic(headers: Readonly<Record<string, string>>, body: Json): string {
  const topic = headers['x-shopify-topic'] ?? headers['shopify-topic'];
  if (topic) return topic;
  if ('line_items' in body) return 'orders/create';
  if ('orders_to_redact' in body) return 'customers/redact';
  if ('data_request' in body) return 'customers/data_request';
  if ('email_marketing_consent' in body && 'customer_id' in body) return 'customers_email_marketing_consent/update';
  if ('sms_marketing_consent' in body && !('email' in body)) return 'customers_marketing_consent/update';
  if ('shop_domain' in body && !('customer' in body)) return 'shop/redact';
  return 'customers/update';
}

function shopify(req: WebhookRequest, payload: Payload, namespace: string, defaultCountry: string): Interpretation {
  const body = obj(payload.value);
  const topic = shopifyTopic(req.headers, body);
  const eventKey = req.headers['x-shopify-event-id'] ?? req.headers['shopify-event-id'] ?? req.headers['x-shopify-webhook-id'] ?? contentKey(req);
  const fields: Fields = [];
  const form = `shopify:${topic}`;
  if (topic === 'orders/delete') {
    // An order deleted in the shop (a test order, one placed by mistake): Shopify sends only its numeric id, not the
    // name it is known by. The order is found by that id (kept on every order as its ref) among the orders already
    // received, and stops counting. A deletion cannot be undone, so one record per order.
    const id = str(body.id);
    if (!id) return none(topic, eventKey, 'topic.noCustomerData');
    const fields: Fields = [['order.orderId', id], ['order.ref', id], ['order.status', 'deleted']];
    return one(topic, eventKey, { kind: 'order', recordKey: `order:${id}#deleted`, fields, form, changeOnly: true });
  }
  if (topic.startsWith('orders/')) {
    const customer = obj(body.customer);
    const billing = obj(body.billing_address);
    const shipping = obj(body.shipping_address);
    // The order's name (#1001) is its id in Shopify's own exports too, so an import and a webhook meet.
    const orderId = str(body.name) ?? str(body.order_number) ?? str(body.id);
    put(fields, 'order.orderId', orderId);
    // Its numeric id too: what orders/delete names it by.
    put(fields, 'order.ref', body.id);
    put(fields, 'order.status', body.cancelled_at ? 'cancelled' : body.financial_status);
    // A test order (the Bogus Gateway, a payment provider's test mode) is kept and counts toward nothing.
    if (body.test === true) put(fields, 'order.test', 'true');
    // What the order is worth now: Shopify's current total follows its edits, returns and refunds, so a partial refund
    // counts at what was kept (as Stripe's does); the total as placed only when there is no current one.
    put(fields, 'order.total', body.current_total_price ?? body.total_price);
    put(fields, 'order.currency', body.currency);
    put(fields, 'order.placedAt', body.processed_at ?? body.created_at);
    // Each change (paid, cancelled, refunded) delivers the order again: its newest version, by when it was updated, wins.
    put(fields, 'occurredAt', body.updated_at ?? body.cancelled_at ?? body.processed_at ?? body.created_at);
    put(fields, 'identifiers.externalId', customer.id);
    put(fields, 'identifiers.email', body.email ?? body.contact_email ?? customer.email);
    put(fields, 'identifiers.phone', body.phone ?? customer.phone);
    put(fields, 'person.firstName', customer.first_name ?? billing.first_name);
    put(fields, 'person.lastName', customer.last_name ?? billing.last_name);
    put(fields, 'person.language', body.customer_locale);
    shopifyAddress(fields, Object.keys(billing).length > 0 ? billing : shipping);
    if (body.buyer_accepts_marketing === true) {
      // Ticked at checkout: a grant. An unticked box withdraws nothing given before.
      put(fields, 'consents.marketing_email', 'true');
      put(fields, 'consents.marketing_email.at', body.processed_at ?? body.created_at);
      put(fields, 'consents.marketing_email.ip', body.browser_ip ?? obj(body.client_details).browser_ip);
    }
    leadFromUrl(fields, body.landing_site);
    if (!fields.some(([p]) => p === 'lead.source')) {
      const ref = hostOf(body.referring_site);
      if (ref) fields.push(['lead.source', ref], ['lead.medium', 'referral']);
    }
    return one(topic, eventKey, { kind: 'order', recordKey: `order:${orderId ?? eventKey}`, fields, form });
  }
  if (topic === 'customers/create' || topic === 'customers/update' || topic === 'customers/enable' || topic === 'customers/disable') {
    shopifyCustomer(fields, body);
    const address = obj(body.default_address);
    shopifyAddress(fields, address);
    if (!fields.some(([p]) => p === 'identifiers.phone')) put(fields, 'identifiers.phone', address.phone);
    put(fields, 'occurredAt', body.updated_at ?? body.created_at);
    return one(topic, eventKey, { kind: 'contact', recordKey: `customer:${str(body.id) ?? eventKey}`, fields, form });
  }
  if (topic === 'customers_email_marketing_consent/update' || topic === 'customers/email_marketing_consent_update') {
    put(fields, 'identifiers.externalId', body.customer_id);
    put(fields, 'identifiers.email', body.email_address);
    shopifyConsent(fields, 'marketing_email', body.email_marketing_consent);
    return one(topic, eventKey, { kind: 'consent', recordKey: `customer:${str(body.customer_id) ?? eventKey}`, fields, form });
  }
  if (topic === 'customers_marketing_consent/update' || topic === 'customers/marketing_consent_update') {
    put(fields, 'identifiers.externalId', body.id ?? body.customer_id);
    put(fields, 'identifiers.phone', body.phone);
    shopifyConsent(fields, 'marketing_sms', body.sms_marketing_consent);
    return one(topic, eventKey, { kind: 'consent', recordKey: `customer:${str(body.id) ?? eventKey}`, fields, form });
  }
  if (topic === 'customers/data_request' || topic === 'customers/redact') {
    const customer = obj(body.customer);
    const request: VendorPrivacyRequest = {
      type: topic === 'customers/redact' ? 'erasure' : 'access',
      scope: 'subject',
      identifiers: subjectIdentifiers(namespace, defaultCountry, customer),
      reference: `shopify:${topic}:${str(obj(body.data_request).id) ?? eventKey}`,
    };
    return { topic, eventKey, records: [], privacy: [request] };
  }
  if (topic === 'shop/redact') {
    return { topic, eventKey, records: [], privacy: [{ type: 'erasure', scope: 'source', identifiers: [], reference: `shopify:shop/redact:${str(body.shop_id) ?? eventKey}` }] };
  }
  return none(topic, eventKey, 'topic.noCustomerData');
}

// ---------------------------------------------------------------------------------------------------- WooCommerce

function wooAddress(fields: Fields, a: Json): void {
  put(fields, 'address.line1', a.address_1);
  put(fields, 'address.line2', a.address_2);
  put(fields, 'address.city', a.city);
  put(fields, 'address.postalCode', a.postcode);
  put(fields, 'address.province', a.state);
  put(fields, 'address.country', a.country);
  put(fields, 'company.name', a.company);
}

/** Whether a body is WooCommerce's creation ping (`webhook_id=<n>`, form-encoded and unsigned). */
export function isWooPing(payload: Payload): boolean {
  return payload.type === 'form' && Object.keys(payload.value).length === 1 && /^\d+$/.test(String(payload.value.webhook_id ?? ''));
}

/**
 * How much of a WooCommerce order was refunded: the sum of its refunds' totals (each negative, as text). A partial
 * refund leaves the order `processing` or `completed`; the row mapper takes this off its total, as for an export.
 */
function wooRefunded(refunds: unknown): string | undefined {
  const cents = (Array.isArray(refunds) ? refunds : []).map((r) => Math.abs(Math.round(Number(str(obj(r).total)) * 100))).filter(Number.isFinite);
  return cents.length > 0 ? (cents.reduce((a, b) => a + b, 0) / 100).toFixed(2) : undefined;
}

function woocommerce(req: WebhookRequest, payload: Payload): Interpretation {
  if (isWooPing(payload)) return none('ping', contentKey(req), 'ping');
  const body = obj(payload.value);
  const topic = req.headers['x-wc-webhook-topic'] ?? ('order_key' in body || 'line_items' in body ? 'order.updated' : 'customer.updated');
  const id = str(body.id);
  const eventKey = id ? `${topic}:${id}:${str(body.date_modified_gmt) ?? str(body.date_modified) ?? contentKey(req)}` : contentKey(req);
  if (topic === 'order.deleted') {
    // An order put in the bin: WooCommerce sends only its id, and no time. Each delivery is an event (and a record) of
    // its own, known by its delivery id: an order can be binned, restored and binned again, each time the same body.
    // The order is found by its id among the orders already received and applied as binned: it stops counting.
    // Restoring it sends the whole order again.
    if (!id) return none(topic, contentKey(req), 'topic.noCustomerData');
    const delivery = req.headers['x-wc-webhook-delivery-id'] ?? contentKey(req);
    // Its id, which is also its number unless a plugin numbers orders otherwise: then the order is kept under its
    // number with the id as its ref, so the id finds it either way.
    const fields: Fields = [['order.orderId', id], ['order.ref', id], ['order.status', 'trash']];
    return one(topic, `${topic}:${id}:${delivery}`, { kind: 'order', recordKey: `order:${id}#deleted:${delivery}`, fields, form: `woocommerce:${topic}`, changeOnly: true });
  }
  if (topic.endsWith('.deleted') || (topic.endsWith('.restored') && topic !== 'order.restored')) return none(topic, eventKey, 'topic.noCustomerData');
  const billing = obj(body.billing);
  const fields: Fields = [];
  const form = `woocommerce:${topic}`;
  const gmt = (x: unknown): string | undefined => {
    const s = str(x);
    return s && !/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? `${s}Z` : s;
  };
  if (topic.startsWith('order.')) {
    const orderId = str(body.number) ?? id;
    put(fields, 'order.orderId', orderId);
    // A sequential-numbering plugin's number: the post id, which alone names the order when it is binned, is its ref.
    if (id && orderId !== id) put(fields, 'order.ref', id);
    // WooCommerce's `pending` is an order placed and never paid (Pending payment): no sale, unlike Shopify's.
    put(fields, 'order.status', typeof body.status === 'string' ? normaliseOrderStatus(body.status, 'woocommerce') : body.status);
    put(fields, 'order.total', body.total);
    put(fields, 'order.refunded', wooRefunded(body.refunds));
    put(fields, 'order.currency', body.currency);
    put(fields, 'order.placedAt', gmt(body.date_created_gmt) ?? body.date_created);
    // Each change of status delivers the order again: its newest version, by when it was modified, wins.
    put(fields, 'occurredAt', gmt(body.date_modified_gmt) ?? body.date_modified);
    if (Number(body.customer_id) > 0) put(fields, 'identifiers.externalId', body.customer_id);
    put(fields, 'identifiers.email', billing.email);
    put(fields, 'identifiers.phone', billing.phone);
    put(fields, 'person.firstName', billing.first_name);
    put(fields, 'person.lastName', billing.last_name);
    wooAddress(fields, billing);
    // WooCommerce's order attribution (8.5+) keeps the UTM fields in the order's meta data.
    for (const m of Array.isArray(body.meta_data) ? body.meta_data : []) {
      const key = str(obj(m).key);
      const value = obj(m).value;
      if (key === '_wc_order_attribution_utm_source') put(fields, 'lead.source', value);
      else if (key === '_wc_order_attribution_utm_medium') put(fields, 'lead.medium', value);
      else if (key === '_wc_order_attribution_utm_campaign') put(fields, 'lead.campaign', value);
    }
    return one(topic, eventKey, { kind: 'order', recordKey: `order:${orderId ?? eventKey}`, fields, form });
  }
  if (topic.startsWith('customer.')) {
    put(fields, 'identifiers.externalId', id);
    put(fields, 'identifiers.email', body.email ?? billing.email);
    put(fields, 'identifiers.phone', billing.phone);
    put(fields, 'person.firstName', body.first_name ?? billing.first_name);
    put(fields, 'person.lastName', body.last_name ?? billing.last_name);
    wooAddress(fields, billing);
    put(fields, 'occurredAt', gmt(body.date_modified_gmt) ?? gmt(body.date_created_gmt));
    return one(topic, eventKey, { kind: 'contact', recordKey: `customer:${id ?? eventKey}`, fields, form });
  }
  return none(topic, eventKey, 'topic.noCustomerData');
}

// --------------------------------------------------------------------------------------------------------- Stripe

/** Currencies Stripe counts in whole units (amounts are not in cents). */
const ZERO_DECIMAL = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);
const stripeAmount = (amount: unknown, currency: unknown): string | undefined => {
  if (typeof amount !== 'number') return undefined;
  return ZERO_DECIMAL.has(String(currency).toLowerCase()) ? String(amount) : (amount / 100).toFixed(2);
};
const unix = (x: unknown): string | undefined => (typeof x === 'number' ? new Date(x * 1000).toISOString() : undefined);

function stripeParty(fields: Fields, p: Json): void {
  put(fields, 'identifiers.email', p.email);
  put(fields, 'identifiers.phone', p.phone);
  put(fields, 'person.fullName', p.name ?? p.individual_name);
  put(fields, 'company.name', p.business_name);
  const a = obj(p.address);
  put(fields, 'address.line1', a.line1);
  put(fields, 'address.line2', a.line2);
  put(fields, 'address.city', a.city);
  put(fields, 'address.postalCode', a.postal_code);
  put(fields, 'address.province', a.state);
  put(fields, 'address.country', a.country);
}

function stripe(req: WebhookRequest, payload: Payload): Interpretation {
  const event = obj(payload.value);
  const topic = str(event.type) ?? 'unknown';
  const eventKey = str(event.id) ?? contentKey(req);
  const o = obj(obj(event.data).object);
  const fields: Fields = [];
  const form = `stripe:${topic}`;
  if (topic === 'customer.created' || topic === 'customer.updated') {
    put(fields, 'identifiers.externalId', o.id);
    stripeParty(fields, o);
    const locales = Array.isArray(o.preferred_locales) ? o.preferred_locales : [];
    put(fields, 'person.language', locales[0]);
    put(fields, 'occurredAt', unix(event.created));
    return one(topic, eventKey, { kind: 'contact', recordKey: `customer:${str(o.id) ?? eventKey}`, fields, form });
  }
  if (topic === 'checkout.session.completed' || topic === 'charge.succeeded' || topic === 'charge.refunded') {
    // A checkout and its charge are one purchase: both carry the payment intent, which is the order's id. A refund is
    // that order again: wholly refunded it is no sale; partly, it counts what was kept.
    const orderId = str(o.payment_intent) ?? str(o.id);
    const refund = topic === 'charge.refunded' ? (o.refunded === true ? 'refunded' : 'partially_refunded') : undefined;
    const gross = o.amount_total ?? o.amount;
    const kept = refund === 'partially_refunded' && typeof gross === 'number' && typeof o.amount_refunded === 'number' ? gross - o.amount_refunded : gross;
    put(fields, 'order.orderId', orderId);
    put(fields, 'order.status', refund ?? o.payment_status ?? o.status);
    // An event of Stripe's test mode (test keys, test cards): a test order, kept and counted toward nothing.
    if (event.livemode === false) put(fields, 'order.test', 'true');
    put(fields, 'order.total', stripeAmount(kept, o.currency));
    put(fields, 'order.currency', o.currency);
    put(fields, 'order.placedAt', unix(o.created) ?? unix(event.created));
    // When it happened, not when it arrived: Stripe does not deliver events in order, and an order's newest version wins.
    put(fields, 'occurredAt', unix(event.created));
    put(fields, 'identifiers.externalId', typeof o.customer === 'string' ? o.customer : obj(o.customer).id);
    if (topic === 'checkout.session.completed') {
      stripeParty(fields, obj(o.customer_details));
      put(fields, 'identifiers.email', o.customer_email);
      const promotions = str(obj(o.consent).promotions);
      if (promotions === 'opt_in' || promotions === 'opt_out') {
        put(fields, 'consents.marketing_email', promotions === 'opt_in' ? 'true' : 'false');
        put(fields, 'consents.marketing_email.at', unix(o.created));
      }
    } else {
      stripeParty(fields, obj(o.billing_details));
      put(fields, 'identifiers.email', o.receipt_email);
    }
    const meta = obj(o.metadata);
    put(fields, 'lead.source', meta.utm_source);
    put(fields, 'lead.medium', meta.utm_medium);
    put(fields, 'lead.campaign', meta.utm_campaign);
    return one(topic, eventKey, { kind: 'order', recordKey: `order:${orderId ?? eventKey}`, fields, form });
  }
  return none(topic, eventKey, 'topic.noCustomerData');
}

// ------------------------------------------------------------------------------------------------------- Typeform

/** An answer, when it says anything: an empty one drops nothing and is not named as unmapped. */
function answer(answers: Answer[], label: string, value: unknown, extra: { aliases?: readonly string[]; kind?: AnswerKind | undefined } = {}): void {
  const v = str(value);
  if (v === undefined) return;
  const aliases = (extra.aliases ?? []).filter((a) => a !== '' && a !== label);
  answers.push({ label, value: v, ...(aliases.length > 0 ? { aliases } : {}), ...(extra.kind ? { kind: extra.kind } : {}) });
}

/** Typeform's answer types that say what kind their value is (ratings and opinion scales come as `number`). */
const TYPEFORM_KINDS: Readonly<Record<string, AnswerKind>> = { boolean: 'boolean', number: 'number', date: 'date' };

function typeform(req: WebhookRequest, payload: Payload): Interpretation {
  const body = obj(payload.value);
  const topic = str(body.event_type) ?? 'form_response';
  const r = obj(body.form_response);
  const eventKey = str(body.event_id) ?? str(r.token) ?? contentKey(req);
  if (topic !== 'form_response') return none(topic, eventKey, 'topic.noCustomerData');
  const definition = obj(r.definition);
  const titles = new Map<string, Json>();
  for (const f of Array.isArray(definition.fields) ? definition.fields : []) titles.set(String(obj(f).id), obj(f));
  const fields: Fields = [];
  const answers: Answer[] = [];
  for (const a of Array.isArray(r.answers) ? r.answers : []) {
    const given = obj(a);
    const field = obj(given.field);
    const def = titles.get(String(field.id)) ?? {};
    // A ref the form's author chose (`first_name`) is another name for the answer; a generated one (a UUID) is not.
    const ref = str(field.ref) && !/^[0-9a-f-]{36}$/.test(String(field.ref)) ? String(field.ref) : undefined;
    const title = str(def.title) ?? ref ?? String(field.id);
    const type = String(given.type);
    const named = { aliases: ref ? [ref] : [], kind: TYPEFORM_KINDS[type] };
    switch (type) {
      case 'email':
        put(fields, 'identifiers.email', given.email);
        break;
      case 'phone_number':
        put(fields, 'identifiers.phone', given.phone_number);
        break;
      case 'boolean':
        // Legal and yes/no answers: consents when their wording says so (the question's text is the proof).
        answer(answers, field.type === 'legal' && !/newsletter|marketing|promozion|offert/i.test(title) ? 'privacy' : title, String(given.boolean), named);
        break;
      case 'choice':
        answer(answers, title, obj(given.choice).label ?? obj(given.choice).other, named);
        break;
      case 'choices': {
        const c = obj(given.choices);
        answer(answers, title, [...(Array.isArray(c.labels) ? c.labels : []), ...(c.other ? [c.other] : [])].map(String).join(', '), named);
        break;
      }
      default: {
        // text, number, date, url, and whatever else comes (a file, a payment): recognised, mapped, or named unmapped.
        const value = given[type];
        answer(answers, title, isObject(value) ? JSON.stringify(value) : value, named);
      }
    }
  }
  const hidden = obj(r.hidden);
  for (const [k, v] of Object.entries(hidden)) answer(answers, k, v);
  put(fields, 'occurredAt', r.submitted_at);
  const formName = str(definition.title) ?? str(r.form_id) ?? 'typeform';
  return one(topic, eventKey, { kind: 'contact', recordKey: `response:${str(r.token) ?? eventKey}`, fields, answers, form: `typeform:${str(r.form_id) ?? 'form'}`, touchpoint: formName });
}

// ---------------------------------------------------------------------------------------------------------- Tally

/** Tally's field types whose value is a number or a date. */
const TALLY_KINDS: Readonly<Record<string, AnswerKind>> = { INPUT_NUMBER: 'number', RATING: 'number', LINEAR_SCALE: 'number', INPUT_DATE: 'date' };

function tally(req: WebhookRequest, payload: Payload): Interpretation {
  const body = obj(payload.value);
  const topic = str(body.eventType) ?? 'FORM_RESPONSE';
  const data = obj(body.data);
  const eventKey = str(body.eventId) ?? str(data.responseId) ?? contentKey(req);
  if (topic !== 'FORM_RESPONSE') return none(topic, eventKey, 'topic.noCustomerData');
  const fields: Fields = [];
  const answers: Answer[] = [];
  for (const f of Array.isArray(data.fields) ? data.fields : []) {
    const field = obj(f);
    const type = str(field.type) ?? '';
    const label = str(field.label) ?? str(field.key) ?? '';
    let value = field.value;
    const kind: AnswerKind | undefined = TALLY_KINDS[type] ?? (typeof value === 'boolean' ? 'boolean' : undefined);
    const options = Array.isArray(field.options) ? field.options.map(obj) : [];
    if (Array.isArray(value)) {
      const texts = value.map((v) => str(options.find((o) => o.id === v)?.text) ?? str(v) ?? '');
      // A consent checkbox: ticked is consent, whichever option (its label's wording is the proof).
      if (type === 'CHECKBOXES' && CONSENT_LABEL.test(label)) {
        answer(answers, label, String(texts.length > 0), { kind: 'boolean' });
        continue;
      }
      value = texts.join(', ');
    }
    if (type === 'INPUT_EMAIL') put(fields, 'identifiers.email', value);
    else if (type === 'INPUT_PHONE_NUMBER') put(fields, 'identifiers.phone', value);
    else if (!isObject(value)) answer(answers, label, value, { kind });
  }
  put(fields, 'occurredAt', data.createdAt ?? body.createdAt);
  const formName = str(data.formName) ?? 'tally';
  return one(topic, eventKey, { kind: 'contact', recordKey: `response:${str(data.responseId) ?? eventKey}`, fields, answers, form: `tally:${str(data.formId) ?? 'form'}`, touchpoint: formName });
}

// ------------------------------------------------------------------------------------------------------ Mailchimp

function mailchimp(req: WebhookRequest, payload: Payload): Interpretation {
  const f = payload.type === 'form' ? payload.value : {};
  const get = (k: string): string | undefined => {
    const v = f[k];
    return str(Array.isArray(v) ? v[0] : v);
  };
  const topic = get('type') ?? 'unknown';
  const email = get('data[email]') ?? get('data[new_email]');
  const eventKey = `${topic}:${get('fired_at') ?? ''}:${get('data[list_id]') ?? ''}:${get('data[id]') ?? get('data[new_id]') ?? email?.toLowerCase() ?? contentKey(req)}`;
  const fields: Fields = [];
  const form = `mailchimp:list:${get('data[list_id]') ?? 'unknown'}`;
  const firedAt = get('fired_at');
  put(fields, 'occurredAt', firedAt);
  const merges = (): void => {
    put(fields, 'person.firstName', get('data[merges][FNAME]'));
    put(fields, 'person.lastName', get('data[merges][LNAME]'));
    put(fields, 'identifiers.phone', get('data[merges][PHONE]'));
    put(fields, 'person.birthDate', get('data[merges][BIRTHDAY]'));
    put(fields, 'address.line1', get('data[merges][ADDRESS][addr1]'));
    put(fields, 'address.line2', get('data[merges][ADDRESS][addr2]'));
    put(fields, 'address.city', get('data[merges][ADDRESS][city]'));
    put(fields, 'address.province', get('data[merges][ADDRESS][state]'));
    put(fields, 'address.postalCode', get('data[merges][ADDRESS][zip]'));
    put(fields, 'address.country', get('data[merges][ADDRESS][country]'));
    const combined = get('data[merges][ADDRESS]');
    if (combined) put(fields, 'address.combined', combined);
  };
  const consent = (granted: boolean): void => {
    put(fields, 'consents.marketing_email', String(granted));
    put(fields, 'consents.marketing_email.at', firedAt);
    if (granted) put(fields, 'consents.marketing_email.ip', get('data[ip_opt]') ?? get('data[ip_signup]'));
  };
  switch (topic) {
    case 'subscribe':
      put(fields, 'identifiers.email', email);
      merges();
      consent(true);
      break;
    case 'unsubscribe':
      put(fields, 'identifiers.email', email);
      merges();
      consent(false);
      put(fields, 'attributes.mailchimpUnsubscribeReason', get('data[reason]'));
      break;
    case 'profile':
      put(fields, 'identifiers.email', email);
      merges();
      break;
    case 'upemail':
      // Both addresses in one record: the resolver links the old address's profile to the new one.
      put(fields, 'identifiers.email', get('data[old_email]'));
      put(fields, 'identifiers.email', get('data[new_email]'));
      break;
    case 'cleaned':
      put(fields, 'identifiers.email', email);
      put(fields, 'attributes.mailchimpCleaned', get('data[reason]') ?? 'true');
      break;
    default:
      return none(topic, eventKey, 'topic.noCustomerData');
  }
  return one(topic, eventKey, { kind: topic === 'subscribe' || topic === 'unsubscribe' ? 'consent' : 'contact', recordKey: `member:${eventKey}`, fields, form });
}

// --------------------------------------------------------------------------------------- form posts (Elementor, CF7)

/** What a JSON value says it is: true and false, and numbers, keep their kind; a string says nothing. */
const kindOf = (v: unknown): AnswerKind | undefined => (typeof v === 'boolean' ? 'boolean' : typeof v === 'number' ? 'number' : undefined);

/** A form post's fields as answers; checkbox lists become their chosen options (or, for consents, "true"). */
function formAnswers(entries: Iterable<[string, unknown]>, aliasesOf: (key: string) => string[] = () => []): Answer[] {
  const out: Answer[] = [];
  for (const [k, v] of entries) {
    if (Array.isArray(v)) {
      const texts = v.map((x) => str(x)).filter((x): x is string => x !== undefined);
      if (CONSENT_LABEL.test(k)) answer(out, k, String(texts.length > 0), { aliases: aliasesOf(k), kind: 'boolean' });
      else answer(out, k, texts.join(', '), { aliases: aliasesOf(k) });
    } else if (isObject(v)) {
      for (const [k2, v2] of Object.entries(v)) if (!isObject(v2)) answer(out, `${k} ${k2}`, v2, { kind: kindOf(v2) });
    } else answer(out, k, v, { aliases: aliasesOf(k), kind: kindOf(v) });
  }
  return out;
}

function formInterpretation(
  req: WebhookRequest,
  vendor: VendorName,
  answers: Answer[],
  meta: { form?: string; ip?: string; page?: string },
): Interpretation {
  const eventKey = contentKey(req);
  const fields: Fields = [];
  leadFromUrl(fields, meta.page);
  // No time of the post's own: the plugins post a submission from the request that sends the form, and never again,
  // so it is dated when it arrives, to the millisecond. The date and time they can add (Elementor's meta, CF7's
  // `_date`) are the site's local time in its display format (`3 novembre 2025`), or the day alone: a consent given
  // at 15:00 was dated midnight, before a withdrawal of that morning.
  if (meta.ip) for (const purpose of ['marketing_email', 'privacy_notice']) fields.push([`consents.${purpose}.ip`, meta.ip]);
  const formName = meta.form ?? vendor;
  return one('form', eventKey, { kind: 'contact', recordKey: `submission:${eventKey.slice(7, 39)}`, fields, answers, form: `${vendor}:${formName}`, touchpoint: formName });
}

/** Elementor's field types whose value is a number or a date. */
const ELEMENTOR_KINDS: Readonly<Record<string, AnswerKind>> = { number: 'number', date: 'date' };

/** Elementor Pro's webhook action: simple data (label=value) or advanced data (form[], fields[id][...], meta[...]). */
function elementor(req: WebhookRequest, payload: Payload): Interpretation {
  const f = payload.type === 'form' ? payload.value : Object.fromEntries(formAnswers(Object.entries(obj(payload.value))).map((a) => [a.label, a.value]));
  const one = (k: string): string | undefined => {
    const v = f[k];
    return str(Array.isArray(v) ? v.join(', ') : v);
  };
  const advanced = Object.keys(f).some((k) => k.startsWith('fields['));
  if (!advanced) {
    return formInterpretation(req, 'elementor', formAnswers(Object.entries(f)), {});
  }
  const byField = new Map<string, Record<string, string>>();
  for (const k of Object.keys(f)) {
    const m = /^fields\[([^\]]+)\]\[([a-z_]+)\]$/.exec(k);
    if (!m) continue;
    const entry = byField.get(m[1]!) ?? {};
    entry[m[2]!] = one(k) ?? '';
    byField.set(m[1]!, entry);
  }
  const answers: Answer[] = [];
  for (const [id, e] of byField) {
    const value = e.raw_value ?? e.value ?? '';
    const label = e.title || id;
    if (e.type === 'email') answer(answers, 'email', value);
    else if (e.type === 'tel') answer(answers, 'telefono', value);
    else if (e.type === 'acceptance') answer(answers, /newsletter|marketing|promozion/i.test(label) ? label : 'privacy', value === '' ? 'false' : value, { kind: 'boolean' });
    else answer(answers, label, value, { aliases: [id], kind: e.type ? ELEMENTOR_KINDS[e.type] : undefined });
  }
  return formInterpretation(req, 'elementor', answers, {
    form: one('form[name]') ?? one('form[id]'),
    ip: one('meta[remote_ip][value]'),
    page: one('meta[page_url][value]'),
  });
}

/** Contact Form 7 through "CF7 to Webhook": JSON keyed by form-tag name, plus any special mail tags (_remote_ip…). */
function cf7(req: WebhookRequest, payload: Payload): Interpretation {
  const body = payload.type === 'json' ? obj(payload.value) : (payload.value as Json);
  const meta = { ip: str(body._remote_ip), page: str(body._url), form: str(body._post_title) ?? str(body._form_title) };
  const entries = Object.entries(body).filter(([k]) => !k.startsWith('_'));
  return formInterpretation(req, 'cf7', formAnswers(entries), meta);
}

/** Any JSON object or form post: labels are recognised, and the source's mapping names the rest. */
function generic(req: WebhookRequest, payload: Payload): Interpretation {
  const entries: [string, unknown][] = [];
  // A nested field is also known by its own name ({"contatto": {"email": ...}}).
  const ownName = (path: string): string[] => (path.includes('.') ? [path.slice(path.lastIndexOf('.') + 1)] : []);
  const walk = (prefix: string, x: unknown): void => {
    if (isObject(x)) for (const [k, v] of Object.entries(x)) walk(prefix ? `${prefix}.${k}` : k, v);
    else entries.push([prefix, x]);
  };
  if (payload.type === 'json') walk('', payload.value);
  else entries.push(...Object.entries(payload.value));
  const pick = (re: RegExp): string | undefined => str(entries.find(([k]) => re.test(k))?.[1]);
  return formInterpretation(req, 'generic', formAnswers(entries, ownName), { ip: pick(/(^|\.)(ip|ip_address|remote_ip)$/i), page: pick(/(^|\.)(page_url|url|referrer)$/i) });
}

export const INTERPRETERS: Record<VendorName, (req: WebhookRequest, payload: Payload, namespace: string, defaultCountry: string) => Interpretation> = {
  shopify,
  woocommerce,
  stripe,
  typeform,
  tally,
  mailchimp,
  elementor,
  cf7,
  generic,
};

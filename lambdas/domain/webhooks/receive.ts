import * as z from 'zod/mini';
import type { CanonicalRecord } from '../canonical.ts';
import { stableHash } from '../hash.ts';
import { foldHeader, HEADER_SYNONYMS, MULTI_VALUED, personFieldOf, SYNONYM_LOOKUP } from '../headers.ts';
import { mappingSchema, nameOrderOfHeader, needsOrderId, type PlannedField, type RowPlan } from '../mapping.ts';
import { identifierKeysOf, mapRow } from '../row-mapper.ts';
import { parseJsonExact } from './json.ts';
import { safeEqual, verifyBase64Hmac, verifyStripe, verifyTypeform } from './signatures.ts';
import { type Answer, type AnswerKind, type Extracted, type Interpretation, type Payload, VENDORS, type VendorName, type WebhookRequest } from './types.ts';
import { INTERPRETERS, isWooPing } from './vendors.ts';

/**
 * The webhook receiver's decisions, pure: which source, whether the sender is authentic, whether the body can be
 * read, what it says. The use case around it does the I/O (secrets, archive, queues, the delivery log).
 */

/** API Gateway accepts 10 MB; no vendor sends a webhook near 1 MiB (a large Shopify order is ~100 KB). */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

/** A source's webhook settings: the `webhook` key of `config/sources/<name>.json`. */
export const webhookConfigSchema = z.strictObject({
  vendor: z.enum(VENDORS),
  /** Name of the secret (Secrets Manager key / CDP_WEBHOOK_SECRET_<NAME>); defaults to the source name. */
  secret: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/))),
  /** Header carrying the token for unsigned senders (default: `?token=` or X-CDP-Token). */
  tokenHeader: z.optional(z.string().check(z.regex(/^[A-Za-z0-9-]{1,64}$/))),
});

export const sourceFileSchema = z.looseObject({ webhook: z.optional(webhookConfigSchema) });

export interface SourceSettings {
  readonly source: string;
  readonly vendor: VendorName;
  readonly secretName: string;
  readonly tokenHeader?: string;
  /** The source's mapping (the same file's import keys): namespace, default country, fields by label. */
  readonly mapping?: z.infer<typeof mappingSchema>;
}

export const SOURCE_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** A source named after a vendor needs no file; any other source needs one naming its vendor. */
export function sourceSettings(source: string, file: unknown): SourceSettings | { readonly error: string } {
  const parsed = file === undefined ? undefined : sourceFileSchema.safeParse(file);
  if (parsed && !parsed.success) return { error: `config/sources/${source}.json: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
  const webhook = parsed?.data.webhook;
  const vendor = webhook?.vendor ?? (VENDORS as readonly string[]).find((v) => v === source);
  if (!vendor) return { error: 'unknown source' };
  let mapping: z.infer<typeof mappingSchema> | undefined;
  if (file !== undefined) {
    const { webhook: _w, ...rest } = file as Record<string, unknown>;
    const m = mappingSchema.safeParse(rest);
    if (!m.success) return { error: `config/sources/${source}.json: ${m.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
    mapping = m.data;
  }
  return {
    source,
    vendor: vendor as VendorName,
    secretName: webhook?.secret ?? source,
    ...(webhook?.tokenHeader ? { tokenHeader: webhook.tokenHeader.toLowerCase() } : {}),
    ...(mapping ? { mapping } : {}),
  };
}

/** Environment variable of a source's secret: `CDP_WEBHOOK_SECRET_<NAME>`, upper-cased, other characters as `_`. */
export const secretEnvVar = (name: string): string => `CDP_WEBHOOK_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

export type Refusal = { readonly status: 400 | 401 | 404 | 405 | 413 | 415; readonly reason: string };

type BodyType = 'json' | 'form';
const BODIES: Record<VendorName, readonly BodyType[]> = {
  shopify: ['json'],
  woocommerce: ['json', 'form'],
  stripe: ['json'],
  typeform: ['json'],
  tally: ['json'],
  mailchimp: ['form'],
  elementor: ['form', 'json'],
  cf7: ['json', 'form'],
  generic: ['json', 'form'],
};

/** The body's type from its Content-Type (sniffed when a sender leaves it out or sends text/plain). */
export function bodyType(req: WebhookRequest): BodyType | undefined {
  const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (ct === 'application/json' || ct.endsWith('+json')) return 'json';
  if (ct === 'application/x-www-form-urlencoded') return 'form';
  if (ct === '' || ct === 'text/plain') {
    const first = Buffer.from(req.body.subarray(0, 64)).toString('utf8').trimStart()[0];
    return first === '{' || first === '[' ? 'json' : 'form';
  }
  return undefined;
}

/** Checks that need no secret: method, size, content type. */
export function precheck(settings: SourceSettings, req: WebhookRequest): Refusal | 'validation' | undefined {
  if (req.method === 'GET' || req.method === 'HEAD') {
    // Mailchimp validates a new webhook URL with a GET before it sends anything.
    return settings.vendor === 'mailchimp' ? 'validation' : { status: 405, reason: 'method.notAllowed' };
  }
  if (req.method !== 'POST') return { status: 405, reason: 'method.notAllowed' };
  if (req.body.length > MAX_WEBHOOK_BYTES) return { status: 413, reason: 'body.tooLarge' };
  const type = bodyType(req);
  if (!type || !BODIES[settings.vendor].includes(type)) return { status: 415, reason: 'contentType.unsupported' };
  return undefined;
}

/** Reads the body; a malformed one is the sender's mistake (400), never a crash. */
export function parseBody(req: WebhookRequest): Payload | Refusal {
  const type = bodyType(req);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(req.body);
  } catch {
    return { status: 400, reason: 'body.notUtf8' };
  }
  if (type === 'json') {
    try {
      const value = parseJsonExact(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
      if (typeof value !== 'object' || value === null) return { status: 400, reason: 'json.notAnObject' };
      return { type: 'json', value };
    } catch {
      return { status: 400, reason: 'json.malformed' };
    }
  }
  if (text.trim() === '') return { status: 400, reason: 'form.empty' };
  const value: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const key = k.endsWith('[]') ? k.slice(0, -2) : k;
    const prev = value[key];
    value[key] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  if (Object.keys(value).length === 0) return { status: 400, reason: 'form.malformed' };
  return { type: 'form', value };
}

/** WooCommerce's creation ping is unsigned by design; it is answered and nothing is kept. */
export function isUnsignedPing(settings: SourceSettings, req: WebhookRequest): boolean {
  if (settings.vendor !== 'woocommerce' || req.headers['x-wc-webhook-signature'] || bodyType(req) !== 'form') return false;
  const p = parseBody(req);
  return 'type' in p && isWooPing(p);
}

export type AuthVerdict = 'ok' | 'missing' | 'mismatch' | 'stale' | 'noSecret';

/** The vendor's scheme on the raw bytes, constant-time; unsigned senders by a token in the URL or a header. */
export function authenticate(settings: SourceSettings, req: WebhookRequest, secret: string | undefined, nowMs: number): AuthVerdict {
  if (!secret) return 'noSecret';
  const h = req.headers;
  const verdict = (ok: boolean, header: string | undefined): AuthVerdict => (ok ? 'ok' : header ? 'mismatch' : 'missing');
  switch (settings.vendor) {
    case 'shopify': {
      const header = h['x-shopify-hmac-sha256'] ?? h['shopify-hmac-sha256'];
      return verdict(verifyBase64Hmac(req.body, secret, header), header);
    }
    case 'woocommerce':
      return verdict(verifyBase64Hmac(req.body, secret, h['x-wc-webhook-signature']), h['x-wc-webhook-signature']);
    case 'tally':
      return verdict(verifyBase64Hmac(req.body, secret, h['tally-signature']), h['tally-signature']);
    case 'typeform':
      return verdict(verifyTypeform(req.body, secret, h['typeform-signature']), h['typeform-signature']);
    case 'stripe': {
      const v = verifyStripe(req.body, secret, h['stripe-signature'], nowMs);
      return v === 'ok' ? 'ok' : v === 'stale' ? 'stale' : v === 'missing' ? 'missing' : 'mismatch';
    }
    default: {
      const token = (settings.tokenHeader ? h[settings.tokenHeader] : undefined) ?? req.query.token ?? h['x-cdp-token'];
      return verdict(token !== undefined && safeEqual(token, secret), token);
    }
  }
}

/**
 * Scope of a source's customer ids: the mapping's `namespace`, else the vendor for shops and payment providers
 * (`shopify:123` meets Shopify's exports), else the source itself for forms (their ids mean nothing elsewhere).
 */
const FORM_VENDORS: ReadonlySet<string> = new Set(['generic', 'cf7', 'elementor', 'tally', 'typeform']);
export const namespaceOf = (settings: SourceSettings): string =>
  settings.mapping?.namespace ?? (FORM_VENDORS.has(settings.vendor) ? settings.source : settings.vendor);

/** The country of the source's numbers and addresses that do not say theirs: the mapping's, else Italy. */
const defaultCountryOf = (settings: SourceSettings): string => settings.mapping?.defaultCountry ?? 'IT';

export function interpret(settings: SourceSettings, req: WebhookRequest, payload: Payload): Interpretation {
  return INTERPRETERS[settings.vendor](req, payload, namespaceOf(settings), defaultCountryOf(settings));
}

/** Form-builder prefixes that carry no meaning (`your-email`, `form_fields[nome]`, `field_nome`). */
const PREFIX = /^(?:your|form fields|fields|field|input|wpforms|data|merges) (?=\S)/;

/**
 * An answer's canonical path. The source's mapping is the user's word: any of the answer's names it maps, to any path.
 * Then the synonyms of export headers (Italian and English), by each name exactly, then in a question ("What is your
 * first name?") by the longest synonym it contains, and only to a path that takes the kind of value the form says the
 * answer is.
 */
export function recogniseAnswer(answer: Pick<Answer, 'label' | 'aliases' | 'kind'>, mappingByLabel: ReadonlyMap<string, string>): string | undefined {
  const names = [answer.label, ...(answer.aliases ?? [])].map(foldHeader);
  for (const n of names) {
    const mapped = mappingByLabel.get(n);
    if (mapped) return mapped;
  }
  const fit = (path: string | undefined) => (path && takes(path, answer.kind) ? path : undefined);
  for (const n of names) {
    const bare = n.replace(PREFIX, '');
    if (UNNAMED_CODES.has(bare)) continue;
    const exact = fit(SYNONYM_LOOKUP.get(bare)) ?? fit(SYNONYM_LOOKUP.get(n));
    // A form's bare `Data` is the day the person picks (a table's, a visit's), not when the form was sent.
    if (exact === 'occurredAt' && CHOSEN_DATES.has(bare)) continue;
    if (exact) return exact;
  }
  // A field of a nested object named as the person (`customer.id`, `cliente.id`, `contact.email`) is theirs, as a
  // header so named is (`Customer ID`, `ID cliente`).
  const [parent, own] = answer.label.split('.').slice(-2).map(foldHeader);
  if (parent && own) {
    const nested = fit(personFieldOf(`${parent} ${own}`)) ?? fit(personFieldOf(`${own} ${parent}`));
    if (nested) return nested;
  }
  for (const n of names) {
    const bare = n.replace(PREFIX, '');
    if (bare.split(' ').length < 3) continue;
    const padded = ` ${bare} `;
    const found = SYNONYMS_LONGEST_FIRST.find(([path, f]) => padded.includes(` ${f} `) && takes(path, answer.kind) && !IN_QUESTIONS_NEVER.has(path) && !UNNAMED_CODES.has(f));
    if (found) return found[0];
  }
  return undefined;
}

/**
 * A form's code or id that does not say whose it is (`Codice`, `Hai un codice sconto?`, `Inserisci il codice`, a post's
 * `id` or a nested `form.id`): a promotion's, an invitation's, the submission's or the form's, typed or sent alike by
 * everyone who uses the form. Read as a customer id it linked them all, and a submission with no name to tell them
 * apart joined one profile. A code that names its holder (`Codice cliente`, `Customer ID`) is still read; a source's
 * mapping can take any other.
 */
const UNNAMED_CODES: ReadonlySet<string> = new Set(['id', 'cod', 'codice']);

/**
 * What a question is never about: when the form was sent (`In che data vuoi venire?`, `Date of visit` are the person's
 * wishes; the form is dated when it arrives), as a time of day never is (see takes).
 */
const IN_QUESTIONS_NEVER: ReadonlySet<string> = new Set(['occurredAt']);

/** A form's date box named only as a date: a booking form's `Data` beside its `Ora` and `Persone`. */
const CHOSEN_DATES: ReadonlySet<string> = new Set(['data', 'date', 'giorno', 'day']);

/** Paths a number may be: an identifier, a postcode, a headcount, an amount; never a name, a town or a street. */
const NUMBER_PATHS: ReadonlySet<string> = new Set([
  'identifiers.phone',
  'identifiers.externalId',
  'identifiers.vatNumber',
  'company.vatNumber',
  'identifiers.loyaltyCard',
  'address.postalCode',
  'company.size',
  'order.orderId',
  'order.total',
  'order.refunded',
]);
const DATE_PATHS: ReadonlySet<string> = new Set(['person.birthDate', 'order.placedAt', 'occurredAt']);
/** Answers that make an order number an order's own: what it costs, or the state it is in (a posted status change). */
const ORDER_FACTS: ReadonlySet<string> = new Set(['order.total', 'order.lineTotal', 'order.unitPrice', 'order.refunded', 'order.status']);

/**
 * Whether a synonym's path takes a value of the kind a form says it is: a yes/no is only ever a consent, or an opt-out
 * of one (`Opt out of our e-mails`, ticked). No answer is the time of day of the submission (`Book a time with me`,
 * `Orario preferito` are the person's wishes): the form says when it was sent.
 */
function takes(path: string, kind: AnswerKind | undefined): boolean {
  if (path === 'occurredAt.time') return false;
  if (kind === 'boolean') return /^consents\.[a-z_]+(\.optOut)?$/.test(path);
  if (kind === 'number') return NUMBER_PATHS.has(path);
  if (kind === 'date') return DATE_PATHS.has(path);
  return true;
}

/** Folded synonyms of four letters or more, longest first: a question matches the most specific one it contains. */
const SYNONYMS_LONGEST_FIRST: readonly (readonly [path: string, folded: string])[] = Object.entries(HEADER_SYNONYMS)
  .flatMap(([path, names]) => names.map((n) => [path, foldHeader(n)] as const))
  .filter(([, f]) => f.length >= 4)
  .sort((a, b) => b[1].length - a[1].length);

export interface WebhookContext {
  readonly source: string;
  readonly deliveryId: string;
  /** Where the raw body is archived: the records' lineage. */
  readonly rawKey: string;
  readonly receivedAt: string;
}

/**
 * One delivery's record, or why it was rejected; either way, the labels of the answers nothing took (no path
 * recognised, or their path already taken by another answer), which the raw body alone keeps.
 */
export type BuiltRecord = (
  | { readonly ok: true; readonly record: CanonicalRecord }
  // The identifiers a rejected record holds (an order's buyer without the order's number): what it is checked against
  // the suppression list with.
  | { readonly ok: false; readonly recordKey: string; readonly reasons: readonly string[]; readonly identifierKeys: readonly string[] }
) & {
  readonly unmapped: readonly string[];
};

/** One extracted record through the same cleaning and validation as an imported row. */
export function buildRecord(x: Extracted, settings: SourceSettings, ctx: WebhookContext): BuiltRecord {
  const mapping = settings.mapping;
  const byLabel = new Map<string, string>();
  for (const [path, spec] of Object.entries(mapping?.fields ?? {})) {
    const cols = typeof spec === 'object' && !Array.isArray(spec) ? spec.column : spec;
    for (const c of Array.isArray(cols) ? cols : cols === undefined ? [] : [cols]) if (typeof c === 'string') byLabel.set(foldHeader(c), path);
  }
  const cells: string[] = [];
  const fields: PlannedField[] = [];
  const taken = new Set<string>();
  const add = (path: string, value: string): void => {
    if (taken.has(path) && !MULTI_VALUED.has(path)) return;
    taken.add(path);
    fields.push({ path, index: cells.length });
    cells.push(value);
  };
  for (const [path, value] of x.fields ?? []) add(path, value);
  const unmapped: string[] = [];
  // The fields a form's answers gave, by the answer's label.
  const answered = new Map<PlannedField, string>();
  let orderNumber: { readonly label: string; readonly field: number } | undefined;
  let fullNameLabel: string | undefined;
  for (const answer of x.answers ?? []) {
    const path = recogniseAnswer(answer, byLabel);
    if (path && (!taken.has(path) || MULTI_VALUED.has(path))) {
      add(path, answer.value);
      answered.set(fields.at(-1)!, answer.label);
      const named = [answer.label, ...(answer.aliases ?? [])].some((n) => byLabel.has(foldHeader(n)));
      if (path === 'order.orderId' && !named) orderNumber = { label: answer.label, field: fields.length - 1 };
      if (path === 'person.fullName') fullNameLabel ??= foldHeader(answer.label).replace(PREFIX, '');
    }
    // In full: the label is what the source's mapping names it by.
    else unmapped.push(answer.label);
  }
  for (const [path, value] of Object.entries(mapping?.defaults ?? {})) if (!taken.has(path)) add(path, String(value));
  // An order number a form asks for with nothing of the order beside it, no amount, no state (a complaint's `Numero
  // ordine`), names an order the person refers to, not a sale: taken as one, the form made its sender a customer with
  // an order of unknown amount. The source's mapping can still name it an order's.
  if (orderNumber && !fields.some((f) => ORDER_FACTS.has(f.path))) {
    fields.splice(orderNumber.field, 1);
    unmapped.push(orderNumber.label);
  }
  // An amount a form asks for with no order's id (a donation's `Importo`) is read into no order, as a file's is: named
  // unmapped rather than dropped unsaid. The source's mapping can name the answer that is the order's id.
  if (!fields.some((f) => f.path === 'order.orderId')) {
    for (let i = fields.length - 1; i >= 0; i--) {
      const label = answered.get(fields[i]!);
      if (label === undefined || !needsOrderId(fields[i]!.path)) continue;
      fields.splice(i, 1);
      unmapped.push(label);
    }
  }
  const plan: RowPlan = {
    kind: x.kind,
    fields,
    recordKey: [],
    namespace: namespaceOf(settings),
    defaultCountry: defaultCountryOf(settings),
    decimal: '.',
    dateFormat: mapping?.format?.dateFormat ?? 'auto',
    ...(mapping?.format?.timeZone ? { timeZone: mapping.format.timeZone } : {}),
    nameOrder: mapping?.nameOrder ?? (fullNameLabel ? nameOrderOfHeader(fullNameLabel) : 'firstLast'),
    ...(x.touchpoint || mapping?.touchpoint ? { touchpoint: mapping?.touchpoint ?? x.touchpoint } : {}),
    ...(mapping?.consentText ? { consentText: mapping.consentText } : {}),
    unmapped: [],
  };
  const outcome = mapRow(cells, 0, plan, {
    source: ctx.source,
    objectKey: ctx.rawKey,
    importId: '',
    receivedAt: ctx.receivedAt,
    webhook: { deliveryId: ctx.deliveryId, recordKey: x.recordKey, form: x.form, ...(x.changeOnly ? { changeOnly: true } : {}) },
  });
  if (outcome.accepted) return { ok: true, record: outcome.record, unmapped };
  return { ok: false, recordKey: x.recordKey, reasons: outcome.reasons, identifierKeys: identifierKeysOf(cells, plan), unmapped };
}

/** A delivery's id for the archive's key: the vendor's when it sends one (never personal data), else derived. */
export function deliveryIdOf(req: WebhookRequest, eventKey: string, receivedAtMs: number): string {
  const vendorId = vendorDeliveryId(req);
  if (vendorId) return vendorId;
  return `${receivedAtMs.toString(36)}-${stableHash(eventKey, String(receivedAtMs)).slice(0, 16)}`;
}

/** The delivery id a vendor sends with each delivery (Shopify, WooCommerce), when it is a safe object-key part. */
export function vendorDeliveryId(req: WebhookRequest): string | undefined {
  const id = req.headers['x-shopify-webhook-id'] ?? req.headers['x-wc-webhook-delivery-id'];
  return id && /^[A-Za-z0-9_-]{1,100}$/.test(id) ? id : undefined;
}

/** The delivery log's key of an event: hashed, so vendor ids built from e-mail addresses never reach a key. */
export const eventHash = (source: string, eventKey: string): string => stableHash(source, eventKey);

import type { CanonicalRecord } from './canonical.ts';
import type { IdentityConfig } from './identity-config.ts';
import { statedBirthDates } from './italy.ts';
import { type LeadScoring, leadScore } from './lead-score.ts';
import type { PersonKey } from './resolution.ts';
import { foldText } from './text.ts';

/**
 * A unified profile's state (what the PROFILE item holds), and the pure rules that evolve it. Every rule gives the
 * same state whatever order the records arrive in: survivorship ranks values by source priority, then time, then
 * value; consents keep the latest decision (a withdrawal, of two at one time); the lead source is the first touch.
 */

/** One value seen for a field, with where and when it came from. */
export interface FieldValue {
  readonly v: string;
  /** source */
  readonly s: string;
  /** when (the record's date, but never after it reached the product: see knownAt) */
  readonly t: string;
  /** recordId */
  readonly r: string;
}

export interface ProfileState {
  readonly profileId: string;
  readonly values: Readonly<Record<string, readonly FieldValue[]>>;
  readonly attributes: Readonly<Record<string, string>>;
  readonly identifiers: readonly string[];
  readonly sources: readonly string[];
  readonly recordCount: number;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
  readonly consents: Readonly<Record<string, { readonly granted: boolean; readonly at: string; readonly undated?: true; readonly source: string; readonly r: string }>>;
  readonly lead?: { readonly source?: string; readonly medium?: string; readonly campaign?: string; readonly at: string; readonly r: string };
  readonly orders: { readonly count: number; readonly revenue: number; readonly firstAt?: string; readonly lastAt?: string };
  /** Art. 18/21: kept, but out of marketable counts and activation exports. The request that restricted it. */
  readonly restricted?: { readonly at: string; readonly r: string };
  /**
   * Profiles a person said are someone else (an unmerge split them from this one, or a duplicate candidate between
   * them was dismissed): never merged with it again, by a link or a score, nor proposed (a person may still merge
   * them by hand). Ids as they were then; whoever checks follows merged ones to their survivor.
   */
  readonly apart?: readonly string[];
}

/** Values corrected on a data subject's request carry this source prefix and outrank every other source. */
export const RECTIFIED_SOURCE_PREFIX = 'dsr:';

/** Values kept per field (the best by survivorship order; the rest are in the timeline). */
const MAX_VALUES = 8;

/** The fields a profile survives, and where each comes from in a canonical record. */
const FIELDS: readonly [string, (r: CanonicalRecord) => string | undefined][] = [
  ['firstName', (r) => r.person?.firstName],
  ['lastName', (r) => r.person?.lastName],
  ['gender', (r) => r.person?.gender],
  ['birthDate', (r) => r.person?.birthDate],
  ['language', (r) => r.person?.language],
  ['companyName', (r) => r.company?.name],
  ['companyVatNumber', (r) => r.company?.vatNumber],
  ['companySector', (r) => r.company?.sector],
  ['companySize', (r) => r.company?.size],
  ['role', (r) => r.company?.role],
  ['line1', (r) => r.address?.line1],
  ['line2', (r) => r.address?.line2],
  ['postalCode', (r) => r.address?.postalCode],
  ['city', (r) => r.address?.city],
  ['province', (r) => r.address?.province],
  ['region', (r) => r.address?.region],
  ['country', (r) => r.address?.country],
];

/** The fields a profile survives (custom attributes survive too, as `attr.<name>`). */
export const SURVIVED_FIELDS: readonly string[] = FIELDS.map(([f]) => f);

/**
 * Survivorship order of a field's values: the field's configured source priority (else the profile's), then the most
 * recent, then record id (a total order).
 */
function rank(config: IdentityConfig, field: string): (a: FieldValue, b: FieldValue) => number {
  const sources = config.fieldSourcePriority[field] ?? config.sourcePriority;
  const priority = (s: string) => {
    if (s.startsWith(RECTIFIED_SOURCE_PREFIX)) return -1;
    const i = sources.indexOf(s);
    return i < 0 ? sources.length : i;
  };
  return (a, b) => priority(a.s) - priority(b.s) || (a.t < b.t ? 1 : a.t > b.t ? -1 : 0) || (a.r < b.r ? -1 : a.r > b.r ? 1 : 0);
}

function addValues(values: readonly FieldValue[], more: readonly FieldValue[], order: (a: FieldValue, b: FieldValue) => number): FieldValue[] {
  const all = [...values, ...more].sort(order);
  const out: FieldValue[] = [];
  const seen = new Set<string>();
  for (const v of all) {
    // One entry per distinct value: its best provenance.
    if (seen.has(v.v)) continue;
    seen.add(v.v);
    out.push(v);
    if (out.length === MAX_VALUES) break;
  }
  return out;
}

function survive(values: Readonly<Record<string, readonly FieldValue[]>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, list] of Object.entries(values)) if (list[0]) out[field] = list[0].v;
  return out;
}

export function emptyProfile(profileId: string, at: string): ProfileState {
  return { profileId, values: {}, attributes: {}, identifiers: [], sources: [], recordCount: 0, firstSeenAt: at, lastSeenAt: at, consents: {}, orders: { count: 0, revenue: 0 } };
}

const minIso = (a: string, b: string) => (a < b ? a : b);

/**
 * When what a record says of its person was known: its date, or when it reached the product if that is earlier. A row
 * dated ahead (a hotel stay by its check-in, a salon's next appointment, a year typed `2062` for `2026`) tells of the
 * person as of its upload. Ranked at its own date, its address or name outranked every later correction until that
 * day came, and kept the person last seen (and recent, to the lead score) in the future. The record keeps its date:
 * its timeline event and its order are dated by it.
 */
export const knownAt = (r: { readonly occurredAt: string; readonly receivedAt: string }): string => minIso(r.occurredAt, r.receivedAt);
const maxIso = (a: string, b: string) => (a > b ? a : b);
const union = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])].sort();

/**
 * The state after one more record. `orders` are the profile's order totals after this record, recounted by the
 * store from its order items (so they are the same whatever order the versions of an order arrive in).
 */
export function applyRecord(
  state: ProfileState,
  record: CanonicalRecord,
  identifierKeys: readonly string[],
  config: IdentityConfig,
  orders?: ProfileState['orders'],
): ProfileState {
  const values: Record<string, readonly FieldValue[]> = { ...state.values };
  const at = knownAt(record);
  for (const [field, get] of FIELDS) {
    const v = get(record);
    if (v) values[field] = addValues(values[field] ?? [], [{ v, s: record.source, t: at, r: record.recordId }], rank(config, field));
  }
  for (const [k, v] of Object.entries(record.attributes ?? {})) {
    const field = `attr.${k}`;
    values[field] = addValues(values[field] ?? [], [{ v: String(v), s: record.source, t: at, r: record.recordId }], rank(config, field));
  }
  const consents = { ...state.consents };
  for (const c of record.consents ?? []) {
    const decision = { granted: c.granted, at: c.at, ...(c.undated ? { undated: c.undated } : {}), source: record.source, r: record.recordId };
    const cur = consents[c.purpose];
    if (!cur || supersedes(decision, cur)) consents[c.purpose] = decision;
  }
  let lead = state.lead;
  if (record.lead && (record.lead.source || record.lead.medium || record.lead.campaign)) {
    if (!lead || at < lead.at || (at === lead.at && record.recordId < lead.r)) lead = { ...record.lead, at, r: record.recordId };
  }
  return {
    ...state,
    values,
    attributes: survive(values),
    identifiers: union(state.identifiers, identifierKeys),
    sources: union(state.sources, [record.source]),
    recordCount: state.recordCount + 1,
    firstSeenAt: state.recordCount === 0 ? at : minIso(state.firstSeenAt, at),
    lastSeenAt: state.recordCount === 0 ? at : maxIso(state.lastSeenAt, at),
    consents,
    ...(lead ? { lead } : {}),
    orders: orders ?? state.orders,
  };
}

type ConsentDecision = ProfileState['consents'][string];

/** A grant with no date of its own (see `supersedes`). */
const weak = (d: Pick<ConsentDecision, 'granted' | 'undated'>): boolean => d.granted && d.undated === true;

/**
 * Whether consent decision `a` replaces `b`: the later one stands. Of two decisions of one moment (a consent column on
 * the lines of one order, in two exports), the withdrawal stands: a consent the controller cannot show to be the later
 * word is no consent (GDPR Art. 7(1)). Then the record id, any fixed choice: the same whatever order records arrive in.
 *
 * A grant a file gives without its date (an export's `Newsletter: Sì`, dated by its row or the import) cannot be shown
 * to be later than anything: it stands only while no withdrawal and no dated decision is known, so an old export
 * uploaded after an unsubscribe does not subscribe the person again (as a newsletter tool refuses an import's
 * resubscription). It ranks below every other decision, a total order still: arrival order does not change the result.
 */
export const supersedes = (a: ConsentDecision, b: ConsentDecision): boolean =>
  weak(a) !== weak(b) ? weak(b) : a.at !== b.at ? a.at > b.at : a.granted !== b.granted ? !a.granted : a.r > b.r;

/** Two profiles of one person as one (orders are recounted by the store from the merged order items). */
export function mergeStates(target: ProfileState, other: ProfileState, config: IdentityConfig, orders: ProfileState['orders']): ProfileState {
  const values: Record<string, readonly FieldValue[]> = { ...target.values };
  for (const [field, list] of Object.entries(other.values)) values[field] = addValues(values[field] ?? [], list, rank(config, field));
  const consents = { ...target.consents };
  for (const [purpose, c] of Object.entries(other.consents)) {
    const cur = consents[purpose];
    if (!cur || supersedes(c, cur)) consents[purpose] = c;
  }
  const leads = [target.lead, other.lead].filter((l): l is NonNullable<ProfileState['lead']> => l !== undefined).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.r < b.r ? -1 : 1));
  const empty = (s: ProfileState) => s.recordCount === 0;
  return {
    profileId: target.profileId,
    values,
    attributes: survive(values),
    identifiers: union(target.identifiers, other.identifiers),
    sources: union(target.sources, other.sources),
    recordCount: target.recordCount + other.recordCount,
    firstSeenAt: empty(target) ? other.firstSeenAt : empty(other) ? target.firstSeenAt : minIso(target.firstSeenAt, other.firstSeenAt),
    lastSeenAt: empty(target) ? other.lastSeenAt : empty(other) ? target.lastSeenAt : maxIso(target.lastSeenAt, other.lastSeenAt),
    consents,
    ...(leads[0] ? { lead: leads[0] } : {}),
    orders,
    ...(target.restricted || other.restricted ? { restricted: (target.restricted ?? other.restricted)! } : {}),
    ...(target.apart || other.apart ? { apart: union(target.apart ?? [], other.apart ?? []) } : {}),
  };
}

/** `state` with the values of `former` that `keep` selects added (each field's values ranked as ever). */
export function keepValues(state: ProfileState, former: ProfileState, keep: (v: FieldValue) => boolean, config: IdentityConfig): ProfileState {
  const values: Record<string, readonly FieldValue[]> = { ...state.values };
  for (const [field, list] of Object.entries(former.values)) {
    const more = list.filter(keep);
    if (more.length > 0) values[field] = addValues(values[field] ?? [], more, rank(config, field));
  }
  return { ...state, values, attributes: survive(values) };
}

/** The fields a data subject may have corrected (Art. 16). */
export const RECTIFIABLE_FIELDS: readonly string[] = SURVIVED_FIELDS;

/**
 * Art. 16: the corrected value replaces every value seen for the field (they were wrong), with the request as its
 * provenance; it outranks later records' values until the person's data changes again by request.
 */
export function rectify(state: ProfileState, changes: Readonly<Record<string, string>>, requestId: string, at: string): ProfileState {
  const values: Record<string, readonly FieldValue[]> = { ...state.values };
  for (const [field, v] of Object.entries(changes)) {
    if (v === '') delete values[field];
    else values[field] = [{ v, s: `${RECTIFIED_SOURCE_PREFIX}${requestId}`, t: at, r: requestId }];
  }
  return { ...state, values, attributes: survive(values) };
}

/** Art. 18/21: the profile is kept and marked; KPIs' marketable counts and activation exports leave it out. */
export const restrict = (state: ProfileState, requestId: string, at: string): ProfileState => ({ ...state, restricted: state.restricted ?? { at, r: requestId } });

/** Everything the profile knows that tells its person apart from another. */
export function personKeyOfProfile(state: ProfileState): PersonKey {
  const all = (field: string) => (state.values[field] ?? []).map((v) => v.v);
  const [firstNames, lastNames, birthDates] = [all('firstName'), all('lastName'), all('birthDate')];
  const taxCodes = state.identifiers.filter((k) => k.startsWith('taxCode:')).map((k) => k.slice(8));
  return { firstNames, lastNames, birthDates: birthDates.length > 0 ? birthDates : statedBirthDates(taxCodes, firstNames, lastNames, state.lastSeenAt), taxCodes };
}

/**
 * Order statuses that are no sale: cancelled, refunded, returned, voided or failed (Shopify, WooCommerce, Stripe, and the
 * Italian of ERP and shop exports, PrestaShop's `Errore di pagamento` too), WooCommerce's orders never placed
 * (`checkout-draft`, a checkout left half-way), never paid (`pending payment`: WooCommerce's reports leave them out as
 * well) or put in the bin (`trash`), PrestaShop's orders still awaiting their payment (a cheque, a bank wire, PayPal,
 * cash on delivery to confirm, a backorder not paid: the states its statistics leave out, `logable` 0, by the English
 * and Italian names PrestaShop has given them), and orders deleted in the shop (`deleted`: Shopify's `orders/delete`).
 * Each source is counted as its own reports count it: Shopify's `pending` and WooCommerce's `on-hold` (a bank transfer
 * awaited there too) are sales in their reports, and here. Such an order stays on the profile and in the lake with its
 * status, and counts toward nothing: not the order count, revenue, first or last order, lifecycle or lead score, nor
 * the KPI tables. A partial refund still counts, at the total the source gives (a Stripe refund's, Shopify's current
 * total, WooCommerce's total less refunds and an export's total less its refunded amount are what was kept; otherwise
 * the order's).
 */
export const VOID_ORDER_STATUSES: readonly string[] = [
  'cancelled', 'canceled', 'refunded', 'returned', 'voided', 'failed', 'trash', 'checkout-draft', 'deleted',
  'annullato', 'annullata', 'rimborsato', 'rimborsata', 'stornato', 'stornata', 'reso', 'errore di pagamento',
  // WooCommerce's order never paid (`pending`, as normaliseOrderStatus names it), and its Italian labels.
  'pending payment', 'in attesa di pagamento', 'cancellato', 'cancellata', 'fallito', 'fallita', 'bozza',
  // A payment or a request refused or let lapse (Shopify's `expired`: an authorisation never captured).
  'declined', 'expired', 'rifiutato', 'rifiutata', 'scaduto', 'scaduta',
  // PrestaShop's states awaiting a payment, in English and in the Italian of its translations old and new.
  'awaiting check payment', 'awaiting cheque payment', 'awaiting bank wire payment', 'awaiting paypal payment',
  'awaiting cash on delivery validation', 'on backorder (not paid)',
  'in attesa di pagamento con assegno', 'in attesa del pagamento con assegno', 'in attesa di pagamento con bonifico bancario',
  'in attesa di bonifico bancario', 'in attesa di pagamento con paypal', 'in attesa di validazione contrassegno',
  'in attesa di rifornimento (non pagato)',
  // An invoicing tool's documents that sell nothing themselves: a quote, a pro forma, a delivery note (documentOf).
  'preventivo', 'proforma', 'ddt',
  // A payment app's own money movements (documentOf): a payout to the shop's bank, a fee, an adjustment.
  'payout', 'fee', 'adjustment',
];

/** An order's key among a profile's orders: its source and id, and for one line of it, the line. */
export const orderKey = (source: string, order: { readonly orderId: string; readonly line?: string }): string =>
  `${source}#${order.orderId}${order.line !== undefined ? `#${order.line}` : ''}`;

/**
 * Whether a change that names no person (a binned WooCommerce order, a deleted Shopify one) names this order of its
 * source: by the vendor's own id (ref) when the change gives one, an order kept without a ref being named by that id (a
 * WooCommerce order numbered as its id); else by the order's id. A line of an order is not the order.
 */
export const namesOrder = (change: { readonly orderId: string; readonly ref?: string }, order: { readonly orderId?: string; readonly ref?: string; readonly line?: string }): boolean =>
  order.line === undefined && (change.ref !== undefined && order.ref !== undefined ? order.ref === change.ref : order.orderId === (change.ref ?? change.orderId));

/**
 * Which version of an order is newer, as a string that sorts so (it is also compared in DynamoDB conditions): when the
 * record says it happened, then when it was received (two exports of one order dated by the order's date: the later
 * upload is its newer state), then the record id (any fixed choice, the same whatever order they arrive in).
 * A version that says nothing of the order as a whole, neither its total nor its status, comes before every version
 * that does (`!` sorts before digits): it is another line of the order (Shopify's export fills those only on an order's
 * first line), and must not blank out what the first line said, whichever is read first.
 */
export const orderVersion = (r: { readonly occurredAt: string; readonly receivedAt?: string; readonly recordId: string; readonly total?: number; readonly status?: string }): string =>
  `${r.total === undefined && !r.status ? '!' : ''}${r.occurredAt}|${r.receivedAt ?? ''}|${r.recordId}`;

/** Whether an order with this status is a sale (no status: it is). */
export const isSale = (status: string | undefined): boolean => !VOID_ORDER_STATUSES.includes((status ?? '').trim().toLowerCase());

/** Whether an order counts: a sale by its status, and not a test order (Order.test), whatever its status says. */
export const counts = (o: { readonly status?: string; readonly test?: boolean }): boolean => isSale(o.status) && o.test !== true;

/** An order as stored on a profile, or one line of it (`line` set): what its totals are counted from. */
export interface OrderItem {
  readonly total?: number;
  readonly placedAt?: string;
  readonly occurredAt: string;
  readonly status?: string;
  readonly source?: string;
  readonly orderId?: string;
  readonly line?: string;
  readonly currency?: string;
  readonly receivedAt?: string;
  readonly recordId?: string;
  /** A test order (Order.test): it counts toward nothing. */
  readonly test?: boolean;
}

/**
 * The orders a profile's order items make. An order stored whole is itself. The lines of one order (one source, one
 * order id) make one order: at the sum of its lines that are sales, void only when every line is (then at the sum of
 * them all, as an order stored whole keeps its amount), placed when its first line was. Where a version of the whole
 * order with its total is stored too (an orders export beside a lines export), it is the order, and its lines are only
 * its detail; one without a total (a lines export's header row: the order's number, date and state, no amount) lends
 * its state to the lines that give none. The same whatever order the items are listed in.
 */
export function ordersOf<T extends OrderItem>(items: readonly T[]): (T | OrderItem)[] {
  const keyOf = (o: OrderItem) => `${o.source ?? ''}#${o.orderId ?? ''}`;
  const versionOf = (o: OrderItem) => orderVersion({ ...o, recordId: o.recordId ?? '' });
  const lines = new Map<string, T[]>();
  for (const o of items) {
    if (o.line === undefined || o.orderId === undefined) continue;
    const group = lines.get(keyOf(o));
    if (group) group.push(o);
    else lines.set(keyOf(o), [o]);
  }
  const out: (T | OrderItem)[] = [];
  const totalled = new Set<string>();
  const headers = new Map<string, T>();
  for (const o of items) {
    if (o.line !== undefined && o.orderId !== undefined) continue;
    if (o.orderId !== undefined && o.total === undefined && lines.has(keyOf(o))) {
      const had = headers.get(keyOf(o));
      if (!had || versionOf(had) < versionOf(o)) headers.set(keyOf(o), o);
      continue;
    }
    out.push(o);
    if (o.orderId !== undefined) totalled.add(keyOf(o));
  }
  for (const [key, group] of lines) {
    if (totalled.has(key)) continue;
    const header = headers.get(key);
    const stated = group.map((l) => (l.status === undefined && header?.status !== undefined ? { ...l, status: header.status } : l));
    stated.sort((a, b) => (a.line! < b.line! ? -1 : a.line! > b.line! ? 1 : 0));
    const sales = stated.filter(counts);
    const first = stated.reduce((f, l) => ((l.placedAt ?? l.occurredAt) < (f.placedAt ?? f.occurredAt) ? l : f));
    // What counts; for an order of which nothing does (cancelled whole), what was ordered, as one stored whole keeps.
    // No line with an amount (a price the export left blank or garbled, flagged at import): the total is unknown, not 0.
    const priced = (sales.length > 0 ? sales : stated).filter((l) => l.total !== undefined);
    const total = priced.reduce((sum, l) => sum + l.total!, 0);
    const status = (sales[0] ?? stated[0]!).status;
    out.push({
      orderId: first.orderId!,
      ...(first.source !== undefined ? { source: first.source } : {}),
      occurredAt: first.occurredAt,
      placedAt: first.placedAt ?? first.occurredAt,
      ...(priced.length > 0 ? { total: Math.round(total * 100) / 100 } : {}),
      ...(status !== undefined ? { status } : {}),
      ...(first.currency !== undefined ? { currency: first.currency } : {}),
      // A test only when every line is: a real line counts (its sum is the lines that do).
      ...(stated.every((l) => l.test === true) ? { test: true } : {}),
    });
  }
  return refundsTakenOff(out);
}

/** A sale's status that says its amount was given back: the order already counts toward nothing. */
const REFUNDED = new Set(['refunded', 'returned', 'rimborsato', 'rimborsata', 'stornato', 'stornata', 'reso']);
/** A payment app's refund, by its type (the start of its key: see documentOf): it may carry its sale's own id. */
const REFUND_TYPE = /^(rimborso|refund|storno|chargeback|reso|return)\b/;

/**
 * A payment app that marks a sale refunded and lists the refund too, as a row of its own typed so and carrying the
 * sale's id (`Rimborso TX-1` beside `TX-1`, `Refunded`), took the amount off twice: the sale counted toward nothing,
 * and the refund, a credit, off the revenue. Such a refund takes the sale's status: it stays listed, and counts
 * toward nothing, as its sale. A refund with an id of its own, or of a sale still counted (partly refunded), is a
 * credit as before: nothing here ties it to a sale. An invoicing tool's credit note is of its own series (`Nota di
 * credito 1/2026` is not invoice 1/2026's), so it is never tied so.
 */
function refundsTakenOff<T extends OrderItem>(orders: T[]): T[] {
  const refunded = new Map<string, string>();
  for (const o of orders) {
    if (o.orderId !== undefined && !isCredit(o) && REFUNDED.has((o.status ?? '').trim().toLowerCase())) refunded.set(`${o.source ?? ''}#${o.orderId}`, o.status!);
  }
  if (refunded.size === 0) return orders;
  return orders.map((o) => {
    if (!isCredit(o) || !counts(o) || o.orderId === undefined) return o;
    for (let i = o.orderId.indexOf(' '); i > 0; i = o.orderId.indexOf(' ', i + 1)) {
      const status = refunded.get(`${o.source ?? ''}#${o.orderId.slice(i + 1)}`);
      if (status !== undefined && REFUND_TYPE.test(foldText(o.orderId.slice(0, i)))) return { ...o, status };
    }
    return o;
  });
}

/** Whether an order that counts is a credit: a credit note, a return booked as a document of its own (a negative total). */
export const isCredit = (o: { readonly total?: number }): boolean => o.total !== undefined && o.total < 0;

/**
 * A profile's order totals, always recounted from its orders as they are now: the same whatever order versions arrived
 * in. A credit takes its amount off the revenue and is no order: it makes nobody a customer, nor a repeat one.
 */
export function orderTotals(items: readonly OrderItem[]): ProfileState['orders'] {
  let count = 0;
  let revenue = 0;
  let firstAt: string | undefined;
  let lastAt: string | undefined;
  for (const o of ordersOf(items)) {
    if (!counts(o)) continue;
    revenue += o.total ?? 0;
    if (isCredit(o)) continue;
    count++;
    const at = o.placedAt ?? o.occurredAt;
    if (!firstAt || at < firstAt) firstAt = at;
    if (!lastAt || at > lastAt) lastAt = at;
  }
  return { count, revenue: Math.round(revenue * 100) / 100, ...(firstAt ? { firstAt } : {}), ...(lastAt ? { lastAt } : {}) };
}

export type Lifecycle = 'lead' | 'customer' | 'repeat';

/**
 * Lifecycle (by the orders that are a sale) and the rule-based lead score (0-100) under the configured rules, as of a
 * time (a rule may ask how recent the last record is).
 */
export function lifecycleOf(state: ProfileState, scoring: LeadScoring, asOf: string): { lifecycle: Lifecycle; score: number } {
  const lifecycle: Lifecycle = state.orders.count >= 2 ? 'repeat' : state.orders.count === 1 ? 'customer' : 'lead';
  return { lifecycle, score: leadScore(state, scoring.rules, asOf) };
}

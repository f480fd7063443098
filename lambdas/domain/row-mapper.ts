import type { CountryCode } from 'libphonenumber-js/max';
import { type Address, type CanonicalRecord, type Company, type Consent, type Identifier, identifierKey, type IdentifierType, type Order, type Person } from './canonical.ts';
import { stableHash } from './hash.ts';
import { birthByCodiciFiscali, checkCodiceFiscale, checkPartitaIva, namesByCodiceFiscale } from './italy.ts';
import type { PlannedField, RowPlan } from './mapping.ts';
import {
  type Cleaned,
  currencyOfAmount,
  hasTimeOfDay,
  normaliseAmount,
  normaliseBoolean,
  normaliseConsent,
  isBusinessName,
  normaliseCity,
  normaliseCompanyName,
  normaliseCountry,
  normaliseDate,
  normaliseEmail,
  normaliseGender,
  normaliseName,
  normaliseOrderStatus,
  normalisePhone,
  normalisePostalCode,
  normaliseProvince,
  normaliseTimestamp,
  normaliseTimeOfDay,
  PARTICLES,
} from './normalise.ts';
import { own, cleanText as text, foldText } from './text.ts';
import { localTime } from './time-zone.ts';

export interface RowContext {
  readonly source: string;
  readonly objectKey: string;
  readonly importId: string;
  readonly receivedAt: string;
  /** Webhooks: the record comes from a delivery (its id in the lineage), not from a file's line. */
  readonly webhook?: {
    readonly deliveryId: string;
    /** The vendor's stable key of what was delivered (an order id, an event id). */
    readonly recordKey: string;
    /** Consent proof: the form or topic the consent was given on. */
    readonly form: string;
    /** A change to an order already received that names no person: an order id is enough (no identifier needed). */
    readonly changeOnly?: boolean;
  };
}

export type RowOutcome =
  | { readonly accepted: true; readonly record: CanonicalRecord }
  | { readonly accepted: false; readonly reasons: readonly string[] };

interface ConsentDraft {
  readonly purpose: string;
  granted?: boolean;
  /** An opt-out column says yes (`Email Opt Out`, `Disiscritto`): withdrawn, whatever a consent column of the row says. */
  optedOut?: true;
  at?: string;
  ip?: string;
  text?: string;
}


/** A survey's choice that asks for more (`Other (please specify)`, `Altro (specificare)`): its answer is the choice's name. */
const PLEASE_SPECIFY = /\s*\((?:please specify|specify|specificare|specifica|si prega di specificare)\)$/;
/**
 * A cell's value. Exports meant for Excel (Shopify's among them) mark numbers as text with a leading apostrophe
 * ('+39..., '00184, '7381950947628): the apostrophe is not part of the value.
 */
function cell(cells: readonly string[], index: number): string {
  const raw = cells[index] ?? '';
  return raw.charCodeAt(0) === 39 && /^'[+\d]/.test(raw) ? raw.slice(1) : raw;
}

/** A row being mapped. Sub-objects are created only when a value lands in them (most rows fill few). */
class Draft {
  identifiers: Identifier[] = [];
  person?: Person;
  fullName?: string;
  company?: Company;
  address?: Address;
  consents?: ConsentDraft[];
  order?: { orderId?: string; ref?: string; status?: string; total?: number; currency?: string; placedAt?: string; test?: true };
  interaction?: { touchpoint?: string; type?: string; subject?: string; summary?: string };
  lead?: { source?: string; medium?: string; campaign?: string };
  attributes?: Record<string, string>;
  flags?: Record<string, string>;
  occurredAt?: string;
  /** The time of day a column apart from the date gives (`Ora`), as `HH:MM:SS`, and the zone it is read in. */
  timeOfDay?: { time: string; timeZone?: string };
  /** The row's date as written (occurredAt): a day without its own time is what a time column completes. */
  occurredAtRaw?: string;
  provinceRaw?: string;
  postalCodeRaw?: string;
  /** A house number in a column of its own (`Indirizzo;Civico`): see mapRow. */
  houseNumber?: string;
  /**
   * An address book's other address (Outlook's home one, `Home Street`, …; Google's second), as address paths: the
   * row's where it has no other.
   */
  home?: [path: string, raw: string, field: PlannedField][];
  phonesRaw?: string[];
  /** A person's codice fiscale that failed only its check character: no identifier, but its first letters still spell its holder's names. */
  taxCodeMistyped?: string;
  /** How much of the order was refunded (Shopify's `Refunded Amount`): the order counts at its total less this. */
  orderRefunded?: number;
  /** The currency an amount is written in (`£12.99`) or its header notes (`Total (USD)`): the order's where no column says. */
  amountCurrency?: string;
  /** Which document of an invoicing tool the row is (`Fattura`, `Nota di credito`): see documentOf. */
  documentType?: string;
  /** One line of an order: its number, article, quantity, unit price and amount, as far as the row gives them. */
  orderLine?: { line?: string; product?: string; quantity?: number; unitPrice?: number; total?: number };

  flag(path: string, reason: string): void {
    if (reason.endsWith('.empty')) return;
    (this.flags ??= {})[path] = reason;
  }
  id(type: IdentifierType, cleaned: Cleaned<string>, namespace: string): void {
    if (!cleaned.ok) return this.flag(`identifiers.${type}`, cleaned.reason);
    const value = cleaned.value;
    for (const i of this.identifiers) if (i.type === type && i.value === value) return;
    if (this.identifiers.length >= MAX_IDENTIFIERS) return this.flag(`identifiers.${type}`, 'identifiers.tooMany');
    this.identifiers.push(type === 'externalId' ? { type, value, namespace } : { type, value });
  }
  consent(purpose: string): ConsentDraft {
    const list = (this.consents ??= []);
    let c = list.find((x) => x.purpose === purpose);
    if (!c) {
      c = { purpose };
      list.push(c);
    }
    return c;
  }
}

/**
 * The longest id kept (a customer id, loyalty card, order id, order line), in UTF-8 bytes. The table's keys are built
 * from them (`ID#…`, `ORDER#<source>#<order>#<line>`) and DynamoDB refuses a sort key over 1,024 bytes and a partition
 * key over 2,048: one such value would fail its whole message of records on every delivery, into the dead-letter
 * queue. No system's ids come near (a UUID is 36).
 */
export const MAX_ID_BYTES = 200;
/**
 * Identifiers one record keeps (the first ones; the rest are flagged). The resolver writes a record in one transaction,
 * a claim for each new identifier, and DynamoDB takes at most 100 items in one: a form with a hundred e-mail fields
 * would fail its message on every delivery. A person has a few addresses and numbers.
 */
export const MAX_IDENTIFIERS = 20;
const utf8 = new TextEncoder();
/** `value` unless it is over MAX_ID_BYTES (encoded only when it might be: a UTF-16 unit is at most 3 bytes in UTF-8). */
const bounded = (value: string, reason: string): Cleaned<string> =>
  value.length * 3 > MAX_ID_BYTES && utf8.encode(value).length > MAX_ID_BYTES ? { ok: false, reason } : { ok: true, value };

/**
 * A payment card as payment and till exports show it (`**** 4242`, `424242******4242`, `XXXX-XXXX-XXXX-1234`, `Visa
 * ending 4242`), under a header a loyalty card has too (`Card number`, `Numero carta`): its last digits are every
 * holder's of those digits, and as a loyalty card (which links across sources) they joined strangers.
 */
const MASKED_CARD = /[*•●xX#]{3,}|…|\.{3}|\b(?:ending|ends|terminante|termina|finale)\b/i;

/**
 * What an id column holds where there is no id: a yes or no (`Tessera: Sì`, whether the customer has a card), a
 * placeholder (`-`, `n.d.`, `Nessuna`, `0`). The same for everyone it describes: as an id it joined them all.
 */
const NO_ID_WORDS: ReadonlySet<string> = new Set([
  'si', 'no', 'yes', 'y', 'n', 'x', 'ok', 'true', 'false', 'vero', 'falso', 'nd', 'n d', 'na', 'n a', 'none', 'nessuno',
  'nessuna', 'null', 'nil', 'undefined', 'nan', 'sconosciuto', 'unknown', 'non disponibile', 'non presente', 'assente',
  'mancante', 'missing',
]);
/** First characters such a value may have (the words', a zero's, punctuation's): an id's rarely, so most skip the rest. */
const NO_ID_START = /* @__PURE__ */ startsOf('snyxotfvumaSNYXOTFVUMA0-?./*_#');
const saysNoId = (raw: string): boolean => {
  if (raw.length > 24 || NO_ID_START[raw.charCodeAt(0)] !== 1) return false;
  const folded = foldText(raw);
  return folded === '' || NO_ID_WORDS.has(folded) || /^0+$/.test(folded);
};

/** A table of the given characters' codes (below 128), for a test of a value's first character. */
function startsOf(chars: string): Uint8Array {
  const table = new Uint8Array(128);
  for (const ch of chars) table[ch.charCodeAt(0)] = 1;
  return table;
}

/** Applies one raw value to the draft according to its canonical path. */
function apply(d: Draft, path: string, raw: string, f: PlannedField, plan: RowPlan): void {
  switch (path) {
    case 'identifiers.email':
      for (const one of several(raw)) d.id('email', normaliseEmail(one), plan.namespace);
      return;
    case 'identifiers.phone':
      // Cleaned once the row's country is known (a Canadian customer's number in an Italian shop's export).
      (d.phonesRaw ??= []).push(...several(raw));
      return;
    case 'identifiers.sms':
      // A number is where texts go (Brevo's `SMS`); a yes or no is whether they may be sent.
      return apply(d, raw.replace(/\D/g, '').length >= 6 ? 'identifiers.phone' : 'consents.marketing_sms', raw, f, plan);
    case 'identifiers.externalId':
      if (saysNoId(raw)) return;
      return d.id('externalId', bounded(text(raw), 'externalId.tooLong'), plan.namespace);
    case 'identifiers.taxCode': {
      const code = checkCodiceFiscale(raw);
      if (!code.ok && code.reason === 'taxCode.checksum') d.taxCodeMistyped = raw.replace(/[\s.-]/g, '').toUpperCase();
      return d.id('taxCode', code, plan.namespace);
    }
    case 'identifiers.loyaltyCard':
      if (saysNoId(raw)) return;
      if (MASKED_CARD.test(raw)) return d.flag('identifiers.loyaltyCard', 'loyaltyCard.masked');
      // A card is numbered: a word (`Gold`, `VIP`) is its tier, the same for every holder of it.
      if (!/\d/.test(raw)) return d.flag('identifiers.loyaltyCard', 'loyaltyCard.noNumber');
      return d.id('loyaltyCard', bounded(raw.replace(/\s/g, ''), 'loyaltyCard.tooLong'), plan.namespace);
    case 'identifiers.vatNumber':
    case 'company.vatNumber': {
      // A combined `P.IVA/C.F.` column holds a private customer's codice fiscale where a business has its partita IVA
      // (and a codice fiscale is often typed where the partita IVA goes): sixteen characters are the person's tax code.
      if (path === 'identifiers.vatNumber' && /^[A-Za-z]{6}[0-9A-Za-z]{10}$/.test(raw.replace(/[\s.-]/g, ''))) return apply(d, 'identifiers.taxCode', raw, f, plan);
      const vat = checkPartitaIva(raw);
      if (path === 'identifiers.vatNumber') d.id('vatNumber', vat, plan.namespace);
      else if (!vat.ok) d.flag(path, vat.reason);
      if (vat.ok) (d.company ??= {}).vatNumber = vat.value;
      return;
    }
    case 'person.firstName':
    case 'person.lastName':
    case 'person.fullName': {
      // A business where a person's name was looked for (a register's `Nome` is its client's name or business name; a
      // `Cognome/Ragione sociale` holds either; a shop's `Name` may be a company's): it names the company, no person.
      if (isBusinessName(raw)) {
        if (!d.company?.name) apply(d, 'company.name', raw, f, plan);
        return;
      }
      const c = normaliseName(raw);
      if (!c.ok) return d.flag(path, c.reason);
      if (path === 'person.fullName') d.fullName = c.value;
      else (d.person ??= {})[path === 'person.firstName' ? 'firstName' : 'lastName'] = c.value;
      return;
    }
    case 'person.gender': {
      const c = normaliseGender(raw);
      if (c.ok) (d.person ??= {}).gender = c.value;
      else d.flag(path, c.reason);
      return;
    }
    case 'person.birthDate': {
      const c = normaliseDate(raw, f.format ?? plan.dateFormat);
      if (c.ok) (d.person ??= {}).birthDate = c.value;
      else d.flag(path, c.reason);
      return;
    }
    case 'person.language':
      (d.person ??= {}).language = text(raw).toLowerCase();
      return;
    case 'person.title':
      (d.person ??= {}).title = text(raw);
      return;
    case 'company.name': {
      const c = normaliseCompanyName(raw);
      if (c.ok) (d.company ??= {}).name = c.value;
      else d.flag(path, c.reason);
      return;
    }
    case 'company.size':
    case 'company.sector':
    case 'company.role':
      (d.company ??= {})[path.slice(8) as 'size' | 'sector' | 'role'] = text(raw);
      return;
    case 'address.line1':
    case 'address.line2':
    case 'address.region':
      (d.address ??= {})[path.slice(8) as 'line1' | 'line2' | 'region'] = text(raw);
      return;
    case 'address.houseNumber':
      d.houseNumber = text(raw);
      return;
    case 'address.home.line1':
    case 'address.home.line2':
    case 'address.home.city':
    case 'address.home.province':
    case 'address.home.postalCode':
    case 'address.home.country':
      (d.home ??= []).push([path.replace('home.', ''), raw, f]);
      return;
    case 'address.postalCode':
      d.postalCodeRaw = raw;
      return;
    case 'address.combined': {
      // Mailchimp's one-field address: "line1  line2  city  state  zip  country", parts separated by two spaces.
      const parts = raw.split(/\s{2,}/).map((p) => p.trim());
      if (parts.length < 4) return d.flag(path, 'address.format');
      const [line1, ...rest] = parts;
      const country = rest.pop()!;
      const zip = rest.pop()!;
      const state = rest.pop()!;
      const city = rest.pop()!;
      const a = (d.address ??= {});
      if (line1) a.line1 = line1;
      if (rest.length > 0 && rest[0]) a.line2 = rest.join(' ');
      if (city) apply(d, 'address.city', city, f, plan);
      if (country) apply(d, 'address.country', country, f, plan);
      if (zip) d.postalCodeRaw ??= zip;
      if (state) d.provinceRaw ??= state;
      return;
    }
    case 'address.province':
      d.provinceRaw = raw;
      return;
    case 'address.city': {
      const c = normaliseCity(raw);
      if (c.ok) (d.address ??= {}).city = c.value;
      else d.flag(path, c.reason);
      return;
    }
    case 'address.country': {
      const c = normaliseCountry(raw);
      if (c.ok) (d.address ??= {}).country = c.value;
      // A newsletter list's `Stato` is the subscriber's (`Iscritto`, `Disiscritto`), not a country: its consent.
      else if (SUBSCRIPTION_STATES.has(foldText(raw))) apply(d, 'consents.marketing_email', raw, f, plan);
      else d.flag(path, c.reason);
      return;
    }
    case 'order.orderId': {
      if (saysNoId(raw)) return;
      const id = bounded(text(raw), 'order.idTooLong');
      if (id.ok) (d.order ??= {}).orderId = id.value;
      else d.flag(path, id.reason);
      return;
    }
    case 'order.ref': {
      const ref = bounded(text(raw), 'order.idTooLong');
      if (ref.ok) (d.order ??= {}).ref = ref.value;
      else d.flag(path, ref.reason);
      return;
    }
    case 'order.status':
      (d.order ??= {}).status = normaliseOrderStatus(text(raw));
      return;
    case 'order.test': {
      // A test order (Shopify's `test`, Stripe's test mode): kept, counted toward nothing. `no` is a real order.
      const c = normaliseBoolean(raw);
      if (!c.ok) d.flag(path, c.reason);
      else if (c.value) (d.order ??= {}).test = true;
      return;
    }
    case 'order.total': {
      const c = normaliseAmount(raw, f.decimal ?? plan.decimal);
      if (c.ok) {
        (d.order ??= {}).total = c.value;
        d.amountCurrency ??= f.currency ?? currencyOfAmount(raw);
      } else d.flag(path, c.reason);
      return;
    }
    case 'order.line': {
      // Too long to key the line by: the line is known by its content instead, as without a line column.
      const line = bounded(text(raw), 'order.lineTooLong');
      if (line.ok) (d.orderLine ??= {}).line = line.value;
      else d.flag(path, line.reason);
      return;
    }
    case 'order.product':
      (d.orderLine ??= {}).product = text(raw);
      return;
    case 'order.quantity':
    case 'order.unitPrice':
    case 'order.lineTotal': {
      const c = normaliseAmount(raw, f.decimal ?? plan.decimal);
      if (c.ok) (d.orderLine ??= {})[path === 'order.quantity' ? 'quantity' : path === 'order.unitPrice' ? 'unitPrice' : 'total'] = c.value;
      else d.flag(path, c.reason);
      if (c.ok && path !== 'order.quantity') d.amountCurrency ??= f.currency ?? currencyOfAmount(raw);
      return;
    }
    case 'order.refunded': {
      const c = normaliseAmount(raw, f.decimal ?? plan.decimal);
      if (c.ok) {
        d.orderRefunded = c.value;
        d.amountCurrency ??= f.currency ?? currencyOfAmount(raw);
      } else d.flag(path, c.reason);
      return;
    }
    case 'order.currency': {
      const c = raw.trim().toUpperCase().replace('€', 'EUR');
      if (/^[A-Z]{3}$/.test(c)) (d.order ??= {}).currency = c;
      else d.flag(path, 'currency.unknown');
      return;
    }
    case 'order.documentType':
      d.documentType = text(raw);
      return;
    case 'order.placedAt': {
      const c = normaliseTimestamp(raw, f.format ?? plan.dateFormat, f.timeZone ?? plan.timeZone);
      if (c.ok) (d.order ??= {}).placedAt = c.value;
      else d.flag(path, c.reason);
      return;
    }
    case 'interaction.subject':
    case 'interaction.summary':
      (d.interaction ??= {})[path.slice(12) as 'subject' | 'summary'] = text(raw);
      return;
    // In lower case, as a column writes them (`Email`, `EMAIL`): the sources KPI counts per touchpoint.
    case 'interaction.touchpoint':
    case 'interaction.type':
      (d.interaction ??= {})[path.slice(12) as 'touchpoint' | 'type'] = text(raw).toLowerCase();
      return;
    case 'lead.source':
    case 'lead.medium':
      (d.lead ??= {})[path.slice(5) as 'source' | 'medium'] = text(raw).toLowerCase().replace(PLEASE_SPECIFY, '');
      return;
    case 'lead.campaign':
      (d.lead ??= {}).campaign = text(raw);
      return;
    case 'occurredAt': {
      const c = normaliseTimestamp(raw, f.format ?? plan.dateFormat, f.timeZone ?? plan.timeZone);
      if (c.ok) {
        d.occurredAt = c.value;
        d.occurredAtRaw = raw;
      } else d.flag(path, c.reason);
      return;
    }
    case 'occurredAt.time': {
      const c = normaliseTimeOfDay(raw);
      const timeZone = f.timeZone ?? plan.timeZone;
      if (c.ok) d.timeOfDay = { time: c.value, ...(timeZone ? { timeZone } : {}) };
      else d.flag(path, c.reason);
      return;
    }
  }
  if (path.startsWith('consents.')) {
    const dot = path.indexOf('.', 9);
    const c = d.consent(dot < 0 ? path.slice(9) : path.slice(9, dot));
    const part = dot < 0 ? undefined : path.slice(dot + 1);
    if (part === undefined) {
      const b = normaliseConsent(raw);
      if (b.ok) c.granted = b.value;
      else d.flag(path, b.reason);
    } else if (part === 'optOut') {
      // Yes: the person opted out. No says nothing: not having opted out is no consent (GDPR Art. 4(11), 7).
      const b = normaliseBoolean(raw);
      if (!b.ok) d.flag(path, b.reason);
      else if (b.value) c.optedOut = true;
    } else if (part === 'at') {
      const t = normaliseTimestamp(raw, f.format ?? plan.dateFormat, f.timeZone ?? plan.timeZone);
      if (t.ok) c.at = t.value;
      else d.flag(path, t.reason);
    } else if (part === 'ip') c.ip = raw.trim();
    else c.text = raw.trim();
  } else if (path.startsWith('attributes.')) (d.attributes ??= {})[path.slice(11)] = raw.trim();
}

/** The values of one cell: Google Contacts joins a label's several addresses or numbers with ` ::: `. */
const several = (raw: string): string[] => (raw.includes(' ::: ') ? raw.split(' ::: ').filter((v) => v.trim() !== '') : [raw]);

/**
 * A date left unset, as databases and address books write it (`0000-00-00`, MySQL's and so PrestaShop's; `0/0/00`,
 * Outlook's): no date, not an unreadable one.
 */
const ZERO_DATE = /^\s*0{1,4}([-/.])0{1,2}\1(?:0{1,4})(?:[ T]0{1,2}:0{1,2}(?::0{1,2})?)?\s*$/;
const isDatePath = (path: string): boolean => path === 'person.birthDate' || path === 'occurredAt' || path === 'order.placedAt' || path.endsWith('.at');

/** A subscriber's state where a country was looked for (`Stato`: Italian for both). */
const SUBSCRIPTION_STATES: ReadonlySet<string> = new Set([
  'iscritto', 'iscritta', 'disiscritto', 'disiscritta', 'non iscritto', 'non iscritta', 'subscribed', 'unsubscribed',
]);

/** A name with its surname at either end taken off ("Mario Rossi", "Rossi" → "Mario"); the name as it is otherwise. */
function withoutSurname(full: string, surname: string): string | undefined {
  const words = full.split(' ');
  const last = surname.split(' ').length;
  if (words.length > last) {
    const same = (part: string[]) => foldText(part.join(' ')) === foldText(surname);
    if (same(words.slice(-last))) return words.slice(0, -last).join(' ');
    if (same(words.slice(0, last))) return words.slice(last).join(' ');
  }
  return foldText(full) === foldText(surname) ? undefined : full;
}

/**
 * The row's person's codice fiscale, which spells their surname and name (see namesByCodiceFiscale): a valid one, or
 * one mistyped past its name letters (its check character fails; six letters spelt by the words of a name are not
 * chance).
 */
const personalCode = (d: Draft): string | undefined => d.identifiers.find((i) => i.type === 'taxCode' && i.value.length === 16)?.value ?? d.taxCodeMistyped;

/** What a comma may add after a name that is no part of it: a suffix or a title (`Mario Rossi, Jr.`, `Rossi Mario, Dott.`). */
const AFTER_NAME = /^(?:jr|sr|ii|iii|iv|phd|md|esq|dr|dott|dott ssa|dottssa|ing|avv|arch|geom|rag|prof|prof ssa|sig|sig ra|sigra|sig na|mr|mrs|ms)$/;

/**
 * A full name written with one comma: surname first (`Rossi, Mario`, `De Luca, Maria Grazia`), as registers, address
 * books' "file as" and Booking.com write it, whatever the column's order; or followed by a suffix or a title, which is
 * dropped. `whole` is the name without the comma, for its codice fiscale to split where the row has one.
 */
function byComma(full: string): { whole: string; surnameFirst?: { firstName: string; lastName: string } } {
  const comma = full.indexOf(',');
  if (comma < 0 || comma !== full.lastIndexOf(',')) return { whole: full };
  const [before, after] = [full.slice(0, comma).trim(), full.slice(comma + 1).trim()];
  if (!before) return { whole: full };
  if (!after || AFTER_NAME.test(foldText(after))) return { whole: before };
  return { whole: `${before} ${after}`, surnameFirst: { firstName: after, lastName: before } };
}

/**
 * Splits "Mario Rossi" (or "ROSSI MARIO" with lastFirst) into first and last name; surname particles (de, di, van)
 * stay with the surname: "Anna Maria de Luca", "DE LUCA MARIA GRAZIA" (lastFirst).
 */
function splitFullName(full: string, order: 'firstLast' | 'lastFirst'): { firstName?: string; lastName?: string } {
  const words = full.split(' ');
  if (words.length === 1) return { lastName: full };
  const isParticle = (w: string | undefined): boolean => w !== undefined && PARTICLES.has(w.toLowerCase());
  if (order === 'lastFirst') {
    let cut = 1;
    while (cut < words.length - 1 && isParticle(words[cut - 1])) cut++;
    return { lastName: words.slice(0, cut).join(' '), firstName: words.slice(cut).join(' ') };
  }
  let cut = words.length - 1;
  while (cut > 1 && isParticle(words[cut - 1])) cut--;
  return { firstName: words.slice(0, cut).join(' '), lastName: words.slice(cut).join(' ') };
}

const readings = new WeakMap<RowPlan, string>();
/**
 * How a plan reads a row (its fields, key, kind, formats), as a hash that is part of a file record's id. An export
 * imported again as it was makes the same records, which the resolver skips (a daily full export adds nothing); imported
 * again under another mapping (a column mapped since, another date format), its records are new and apply. Which
 * columns were left unmapped, and the headers' own words, are no part of it.
 */
function readingOf(plan: RowPlan): string {
  let reading = readings.get(plan);
  if (reading === undefined) {
    const { unmapped: _unmapped, unread: _unread, exportFormat: _format, ...how } = plan;
    reading = stableHash('reading', JSON.stringify(how)).slice(0, 16);
    readings.set(plan, reading);
  }
  return reading;
}

/**
 * The identifier keys a row's identifier columns hold, cleaned as mapRow cleans them: what a row that cannot be a
 * record (a column too many, an order line without its order's id) is checked against the suppression list with,
 * so an erased person's customer code or codice fiscale keeps their rejected row out of the quarantine too.
 */
export function identifierKeysOf(cells: readonly string[], plan: RowPlan): string[] {
  const d = new Draft();
  for (const f of plan.fields) {
    if (f.index === undefined || !f.path.startsWith('identifiers.')) continue;
    let raw = cell(cells, f.index);
    if (f.values) raw = own(f.values, raw.trim()) ?? raw;
    if (raw.trim() !== '') apply(d, f.path, raw, f, plan);
  }
  for (const raw of d.phonesRaw ?? []) d.id('phone', normalisePhone(raw, plan.defaultCountry as CountryCode), plan.namespace);
  return d.identifiers.map(identifierKey);
}

/**
 * What a cell holds where the value is unknown: a dash, a question mark, `n.d.`, `N/A`, `null`, `Sconosciuto`. Read as
 * a value it became a name, a town or the lead's first touch (`-`, the earliest source of all), and by recency it
 * replaced what another source knew. It is read as an empty cell, for every field but those where `-` says no (a
 * consent, a test flag, Brevo's `SMS`). Checked on short cells that may be one (the first character first): an
 * import reads millions of cells.
 */
const SAYS_NOTHING: ReadonlySet<string> = new Set([
  '-', '--', '---', '?', '??', '.', '/', '*', 'n.d.', 'n.d', 'nd', 'n/d', 'n/a', 'n.a.', 'n.a', 'null', 'nil', 'none', 'nan',
  'undefined', 'nessuno', 'nessuna', 'sconosciuto', 'sconosciuta', 'unknown', 'non disponibile', 'non noto', 'non nota',
  'non specificato', 'non specificata', 'not available', 'not specified', 'not set',
]);
const MAY_SAY_NOTHING = /* @__PURE__ */ startsOf('-?./*nNsSuU');
const saysNothing = (raw: string): boolean => raw.length <= 16 && MAY_SAY_NOTHING[raw.charCodeAt(0)] === 1 && SAYS_NOTHING.has(raw.trim().toLowerCase());
const NOTHING_SAYS_NO = /^(?:consents\.|order\.test$|identifiers\.sms$)/;

/**
 * Turns one row (its cells, per the file's plan) into a canonical record, or a reject with its reasons. A value that
 * fails is flagged and the row kept while the row is still useful; a row with no identifier to resolve on, or an
 * order row without an order id, is rejected.
 */
export function mapRow(cells: readonly string[], line: number, plan: RowPlan, ctx: RowContext): RowOutcome {
  const d = new Draft();
  for (const f of plan.fields) {
    let raw = f.index === undefined ? (f.value ?? '') : cell(cells, f.index);
    if (f.values) raw = own(f.values, raw.trim()) ?? raw;
    if (raw === '' || (raw.charCodeAt(0) <= 32 && raw.trim() === '')) continue;
    if (isDatePath(f.path) && ZERO_DATE.test(raw)) continue;
    if (saysNothing(raw) && !NOTHING_SAYS_NO.test(f.path)) continue;
    apply(d, f.path, raw, f, plan);
  }

  // An address book's contact with only its other address (a private customer's home one, Google's second): that one
  // is the row's.
  if (d.home && !d.address?.line1 && !d.address?.city && d.postalCodeRaw === undefined) for (const [path, raw, f] of d.home) apply(d, path, raw, f, plan);
  if (d.phonesRaw) {
    const region = (d.address?.country ?? plan.defaultCountry) as CountryCode;
    for (const raw of d.phonesRaw) d.id('phone', normalisePhone(raw, region), plan.namespace);
  }
  if (d.fullName !== undefined) {
    const p = (d.person ??= {});
    if (!p.firstName && !p.lastName) {
      // The person's codice fiscale tells which words are the surname, whatever order the register wrote them in.
      const code = personalCode(d);
      const { whole, surnameFirst } = byComma(d.fullName);
      Object.assign(p, (code && namesByCodiceFiscale(whole, code)) || surnameFirst || splitFullName(whole, plan.nameOrder));
    } else if (!p.firstName && p.lastName) {
      // `Name;Surname` (a newsletter plugin's, an English form's): beside a surname, the name column holds the first
      // name, or the whole name with the surname in it.
      const first = withoutSurname(d.fullName, p.lastName);
      if (first) p.firstName = first;
    }
  }
  // A first name with no surname (a register's `Nome` alone is its client's whole name, `ROSSI MARIO`): the person's
  // codice fiscale tells when it holds the surname too, and which words it is, as a comma does (`Rossi, Mario`). A
  // newsletter's `Anna Maria` stays.
  const named = d.person;
  if (named?.firstName?.includes(' ') && !named.lastName && d.fullName === undefined) {
    const code = personalCode(d);
    const { whole, surnameFirst } = byComma(named.firstName);
    const names = (code && namesByCodiceFiscale(whole, code)) || surnameFirst;
    if (names) Object.assign(named, names);
  }
  // An invoicing tool's `Denominazione` names a business or a private customer (`ROSSI MARIO`); a person's codice
  // fiscale says which, and which words are the surname. A sole trader's business name (with a partita IVA) stays too.
  if (d.company?.name && !d.person?.firstName && !d.person?.lastName) {
    const code = personalCode(d);
    const names = code ? namesByCodiceFiscale(d.company.name, code) : undefined;
    const [first, last] = names ? [normaliseName(names.firstName), normaliseName(names.lastName)] : [];
    if (first?.ok && last?.ok) {
      Object.assign((d.person ??= {}), { firstName: first.value, lastName: last.value });
      if (!d.company.vatNumber) {
        const { name: _name, ...rest } = d.company;
        d.company = Object.keys(rest).length > 0 ? rest : undefined;
      }
    }
  }
  // A birth date the row gives against the one its holder's codice fiscale states (a code spelling the row's names):
  // one of the two is mistyped, and only the user can tell which. Flagged, and kept: the row's own date still comes
  // first, as the more cautious evidence against a merge (a father's code on a namesake son's row).
  const p = d.person;
  // A birth after the row reached the product (`1980` typed `2080`) is no one's: kept, it would weigh against every
  // record of the person (a generation apart) and keep a shared e-mail from joining them.
  if (p?.birthDate && p.birthDate > ctx.receivedAt) {
    delete p.birthDate;
    d.flag('person.birthDate', 'birthDate.future');
  }
  if (p?.birthDate && p.firstName && p.lastName) {
    const code = d.identifiers.find((i) => i.type === 'taxCode' && i.value.length === 16)?.value;
    // Read in the row's own birth year: the code has no century, so only its two digits of the year are weighed.
    const stated = code ? birthByCodiciFiscali([code], [p.firstName], [p.lastName], p.birthDate)[0] : undefined;
    if (stated && stated.birthDate !== p.birthDate) d.flag('person.birthDate', 'birthDate.taxCodeDisagrees');
  }
  // A house number in a column of its own belongs to the street, as every other source writes it (`Via Roma 12`),
  // unless the street already ends with it.
  if (d.houseNumber && d.address?.line1 && !d.address.line1.endsWith(` ${d.houseNumber}`)) d.address.line1 = `${d.address.line1} ${d.houseNumber}`;
  if (d.postalCodeRaw !== undefined) {
    const c = normalisePostalCode(d.postalCodeRaw, d.address?.country ?? plan.defaultCountry);
    if (c.ok) (d.address ??= {}).postalCode = c.value;
    else d.flag('address.postalCode', c.reason);
  }
  if (d.provinceRaw !== undefined) {
    const country = d.address?.country ?? plan.defaultCountry;
    const address = (d.address ??= {});
    if (country === 'IT') {
      const c = normaliseProvince(d.provinceRaw);
      if (c.ok) {
        address.province = c.value.code;
        address.region ??= c.value.region;
      } else d.flag('address.province', c.reason);
    } else address.province = text(d.provinceRaw);
  }

  const anonymous = d.identifiers.length === 0 && !(ctx.webhook?.changeOnly && d.order?.orderId);
  if (anonymous || (plan.kind === 'order' && !d.order?.orderId)) {
    const reasons: string[] = [];
    if (anonymous && !ctx.webhook?.changeOnly) {
      for (const [k, v] of Object.entries(d.flags ?? {})) if (k.startsWith('identifiers.')) reasons.push(v);
      if (reasons.length === 0) reasons.push('row.noIdentifier');
    }
    if (plan.kind === 'order' && !d.order?.orderId) reasons.push(d.flags?.['order.orderId'] ?? 'order.noOrderId');
    return { accepted: false, reasons };
  }

  // A change that gives no time (a binned WooCommerce order) is dated when it came, to the second as the vendor's own
  // dates are: the order restored within that second is its later version (the tie goes to the later arrival).
  // A time of day in a column of its own completes a date that has none (a date with its own time keeps it).
  if (d.timeOfDay && d.occurredAt && !hasTimeOfDay(d.occurredAtRaw!)) d.occurredAt = localTime(d.occurredAt.slice(0, 10), d.timeOfDay.time, d.timeOfDay.timeZone);
  const occurredAt = d.occurredAt ?? d.order?.placedAt ?? (ctx.webhook?.changeOnly ? `${ctx.receivedAt.slice(0, 19)}.000Z` : ctx.receivedAt);
  let consents: Consent[] | undefined;
  if (d.consents) {
    for (const c of d.consents) {
      const granted = c.optedOut ? false : c.granted;
      if (granted === undefined) continue;
      const textVersion = c.text ?? plan.consentText;
      const proof: { form: string; textVersion?: string; ip?: string } = { form: ctx.webhook?.form ?? `import:${ctx.source}` };
      if (textVersion) proof.textVersion = textVersion;
      if (c.ip) proof.ip = c.ip;
      // A file's decision with no date of its own is dated by its row or the import, which only bound it: a webhook's
      // is the person's act as it happens.
      const undated = c.at === undefined && !ctx.webhook;
      // Never after it reached the product: a date in the future (a mistyped year, an appointment's day) would rank the
      // decision above every later one until then.
      const at = c.at ?? occurredAt;
      (consents ??= []).push({ purpose: c.purpose, granted, at: at > ctx.receivedAt ? ctx.receivedAt : at, ...(undated ? { undated: true as const } : {}), proof });
    }
  }
  let order: Order | undefined;
  if (d.order?.orderId) {
    // A partial refund counts at what was kept (as a webhook's does); never below nothing.
    const kept = d.order.total !== undefined && d.orderRefunded ? Math.max(0, Math.round((d.order.total - Math.abs(d.orderRefunded)) * 100) / 100) : d.order.total;
    order = { ...d.order, orderId: d.order.orderId, currency: d.order.currency ?? d.amountCurrency ?? 'EUR', ...(kept !== undefined ? { total: kept } : {}), ...lineOf(d), ...(ctx.webhook?.changeOnly ? { changeOnly: true as const } : {}) };
    if (d.documentType) {
      const doc = documentOf(d.documentType);
      order = {
        ...order,
        ...(doc.keyedByType ? { orderId: `${d.documentType.slice(0, 60)} ${order.orderId}` } : {}),
        ...(doc.kind === 'credit' && order.total !== undefined ? { total: -Math.abs(order.total) } : {}),
        ...(doc.kind === 'none' ? { status: doc.status } : {}),
      };
    }
  }
  let recordKey: string;
  if (ctx.webhook) recordKey = ctx.webhook.recordKey;
  else if (plan.recordKey.length === 1) recordKey = cell(cells, plan.recordKey[0]!).trim();
  else recordKey = plan.recordKey.map((i) => cell(cells, i).trim()).join('|');
  const content = cells.join('\u0001');
  if (recordKey === '' || (plan.recordKey.length > 1 && plan.recordKey.some((i) => !cell(cells, i).trim()))) {
    recordKey = `row:${stableHash(content).slice(0, 16)}`;
  }
  const interaction =
    plan.kind === 'interaction' || plan.touchpoint || d.interaction
      ? { ...d.interaction, touchpoint: d.interaction?.touchpoint ?? plan.touchpoint ?? ctx.source, type: d.interaction?.type ?? plan.kind }
      : undefined;

  const record: Mutable<CanonicalRecord> = {
    recordId: ctx.webhook ? stableHash(ctx.source, recordKey, content) : stableHash(ctx.source, recordKey, content, readingOf(plan)),
    source: ctx.source,
    channel: ctx.webhook ? 'webhook' : 'file',
    kind: plan.kind,
    occurredAt,
    receivedAt: ctx.receivedAt,
    lineage: ctx.webhook
      ? { objectKey: ctx.objectKey, deliveryId: ctx.webhook.deliveryId, recordKey }
      : { objectKey: ctx.objectKey, importId: ctx.importId, recordKey, line },
    identifiers: d.identifiers,
  };
  if (d.person) record.person = d.person;
  if (d.company) record.company = d.company;
  if (d.address) record.address = d.address;
  if (consents) record.consents = consents;
  if (order) record.order = order;
  if (interaction) record.interaction = interaction;
  if (d.lead) record.lead = d.lead;
  if (d.attributes) record.attributes = d.attributes;
  if (d.flags) record.flags = d.flags;
  return { accepted: true, record };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** What an invoicing tool's document is: see documentOf. */
export type DocumentReading =
  | { readonly kind: 'sale' | 'credit'; readonly keyedByType: boolean }
  | { readonly kind: 'none'; readonly keyedByType: true; readonly status: 'preventivo' | 'proforma' | 'ddt' | 'payout' | 'fee' | 'adjustment' };

/**
 * What an invoicing tool's document is, by its type. An invoice is a sale, known by its number. A credit note takes
 * back what it states: its amount counts negative, whatever sign the export writes it with. A quote, a pro forma and a
 * delivery note are no sale (the delivery's invoice is): they keep a status that counts toward nothing (see
 * VOID_ORDER_STATUSES). A tool numbers each type on its own (`Fattura 1/2025` and `Nota di credito 1/2025`), so every
 * document but an invoice is known by its type and number together (`keyedByType`). Any other type (`Ricevuta`,
 * `Parcella`) is a sale of its own series. A payment app's transactions are typed so too: a payment (`Pagamento`,
 * `charge`) is the sale, known by its id, and a refund (`Rimborso`, `refund`, `Storno`, `chargeback`) a credit, which
 * may carry the sale's own number. The app's own money movements are no sale, whoever's address the row names: a
 * payout to the shop's bank (`Payout`, `Prelievo`, `Withdrawal`), its fees (`Fee`, `Commissione`, `Stripe fee`), an
 * adjustment or a currency conversion (`Adjustment`, `Conversione di valuta`).
 */
export function documentOf(type: string): DocumentReading {
  const t = foldText(type);
  if (/^(nota (di )?credito|n ?c|credit (note|memo)|rimborso|refund|storno|chargeback|reso|return)\b/.test(t)) return { kind: 'credit', keyedByType: true };
  if (/^(preventivo|offerta|quote|quotation|estimate)\b/.test(t)) return { kind: 'none', keyedByType: true, status: 'preventivo' };
  if (/\bpro ?forma\b/.test(t)) return { kind: 'none', keyedByType: true, status: 'proforma' };
  if (/^(ddt|documento di trasporto|bolla|delivery note)\b/.test(t)) return { kind: 'none', keyedByType: true, status: 'ddt' };
  if (/^(payout|prelievo|withdrawal|general withdrawal)\b/.test(t)) return { kind: 'none', keyedByType: true, status: 'payout' };
  if (/^((stripe |application |processing )?fees?|commission[ei]?)\b/.test(t)) return { kind: 'none', keyedByType: true, status: 'fee' };
  if (/^(adjustment|rettifica|(general )?currency conversion|conversione (generica )?di valuta)\b/.test(t)) return { kind: 'none', keyedByType: true, status: 'adjustment' };
  return { kind: 'sale', keyedByType: !/^(fattura|invoice|pagamento|payment|charge|vendita|sale|incasso|acquisto|purchase)\b/.test(t) };
}

/**
 * A row that is one line of an order, and gives no total of the whole order: its amount (as given, or quantity times
 * unit price) and its key within the order. The key is the line's number where the export has one; otherwise the
 * article, quantity, price and amount together, which a later export of the same line repeats (its status or date may
 * change; those are the order's). Two lines alike in all four count once: a line number column tells them apart.
 * A line whose amount cannot be read (flagged) is still a line, of no amount: read as the whole order, it would hide
 * the order's other lines.
 */
function lineOf(d: Draft): { total?: number; line: string } | Record<string, never> {
  const l = d.orderLine;
  if (!l || d.order?.total !== undefined) return {};
  const total = l.total ?? (l.quantity !== undefined && l.unitPrice !== undefined ? Math.round(l.quantity * l.unitPrice * 100) / 100 : undefined);
  const line = l.line ?? `~${stableHash('line', l.product ?? '', String(l.quantity ?? ''), String(l.unitPrice ?? ''), String(total ?? '')).slice(0, 16)}`;
  return { ...(total !== undefined ? { total } : {}), line };
}

/**
 * What an import has seen of the order whose lines it is reading: each line key (the ones made from a line's content)
 * and how often it came. Small enough for an import's checkpoint: one order's lines.
 */
export interface AlikeLines {
  readonly orderId?: string;
  readonly seen: Readonly<Record<string, number>>;
}

/** An order with more content-keyed lines than this is not tallied further: its later lines alike count once, as before. */
export const MAX_TALLIED_LINES = 1000;

/**
 * Lines alike in article, quantity, price and amount, listed together under one order in an export without a line
 * number (a till that scans an article twice writes it twice): the second becomes `~h.2`, with a record id of its
 * own, the third `~h.3`, so each counts. The first keeps its key, and the same export (or the next one, listing the
 * order's lines again) numbers them the same way, so nothing counts twice. Only the order being read is tallied:
 * lines of one order split by other orders' lines are told apart within each run, and a line alike to one before
 * the split counts once.
 */
export function numberAlikeLine(record: CanonicalRecord, alike: AlikeLines): { record: CanonicalRecord; alike: AlikeLines } {
  const order = record.order;
  if (!order?.line?.startsWith('~')) return { record, alike };
  const seen = alike.orderId === order.orderId ? alike.seen : {};
  const n = (seen[order.line] ?? 0) + 1;
  const tallied = n > 1 || Object.keys(seen).length < MAX_TALLIED_LINES ? { ...seen, [order.line]: n } : seen;
  const next: AlikeLines = { orderId: order.orderId, seen: tallied };
  // A row alike to another has the same record id too (a duplicate delivery to the resolver): the number tells them apart.
  return { record: n === 1 ? record : { ...record, recordId: stableHash(record.recordId, String(n)), order: { ...order, line: `${order.line}.${n}` } }, alike: next };
}

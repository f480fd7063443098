import type { CountryCode } from 'libphonenumber-js/max';
import type { Address, CanonicalRecord, Company, Consent, Identifier, IdentifierType, Order, Person } from './canonical.ts';
import { stableHash } from './hash.ts';
import { checkCodiceFiscale, checkPartitaIva } from './italy.ts';
import type { PlannedField, RowPlan } from './mapping.ts';
import {
  type Cleaned,
  normaliseAmount,
  normaliseBoolean,
  normaliseCity,
  normaliseCompanyName,
  normaliseCountry,
  normaliseDate,
  normaliseEmail,
  normaliseGender,
  normaliseName,
  normalisePhone,
  normalisePostalCode,
  normaliseProvince,
  normaliseTimestamp,
  PARTICLES,
} from './normalise.ts';

export interface RowContext {
  readonly source: string;
  readonly objectKey: string;
  readonly importId: string;
  readonly receivedAt: string;
}

export type RowOutcome =
  | { readonly accepted: true; readonly record: CanonicalRecord }
  | { readonly accepted: false; readonly reasons: readonly string[] };

interface ConsentDraft {
  granted?: boolean;
  at?: string;
  ip?: string;
  text?: string;
}

interface Draft {
  readonly identifiers: Identifier[];
  readonly person: Person & { fullName?: string };
  readonly company: Company;
  readonly address: Address;
  readonly consents: Map<string, ConsentDraft>;
  readonly order: { orderId?: string; status?: string; total?: number; currency?: string; placedAt?: string };
  readonly interaction: { touchpoint?: string; type?: string; subject?: string; summary?: string };
  readonly lead: { source?: string; medium?: string; campaign?: string };
  readonly attributes: Record<string, string>;
  readonly flags: Record<string, string>;
  occurredAt?: string;
  provinceRaw?: string;
  postalCodeRaw?: string;
}

const text = (raw: string): string => raw.trim().replace(/\s+/g, ' ');

function take<T>(draft: Draft, path: string, cleaned: Cleaned<T>, set: (v: T) => void): void {
  if (cleaned.ok) set(cleaned.value);
  else if (!cleaned.reason.endsWith('.empty')) draft.flags[path] = cleaned.reason;
}

function identifier(draft: Draft, type: IdentifierType, cleaned: Cleaned<string>, plan: RowPlan): void {
  take(draft, `identifiers.${type}`, cleaned, (value) => {
    if (draft.identifiers.some((i) => i.type === type && i.value === value)) return;
    draft.identifiers.push(type === 'externalId' ? { type, value, namespace: plan.namespace } : { type, value });
  });
}

/** What each canonical path does with its raw value. */
const HANDLERS: Readonly<Record<string, (d: Draft, raw: string, f: PlannedField, plan: RowPlan) => void>> = {
  'identifiers.email': (d, raw, _f, plan) => identifier(d, 'email', normaliseEmail(raw), plan),
  'identifiers.phone': (d, raw, _f, plan) => identifier(d, 'phone', normalisePhone(raw, plan.defaultCountry as CountryCode), plan),
  'identifiers.externalId': (d, raw, _f, plan) => identifier(d, 'externalId', { ok: true, value: text(raw) }, plan),
  'identifiers.taxCode': (d, raw, _f, plan) => identifier(d, 'taxCode', checkCodiceFiscale(raw), plan),
  'identifiers.vatNumber': (d, raw, _f, plan) => {
    const vat = checkPartitaIva(raw);
    identifier(d, 'vatNumber', vat, plan);
    if (vat.ok) d.company.vatNumber = vat.value;
  },
  'identifiers.loyaltyCard': (d, raw, _f, plan) => identifier(d, 'loyaltyCard', { ok: true, value: raw.replace(/\s/g, '') }, plan),
  'person.firstName': (d, raw) => take(d, 'person.firstName', normaliseName(raw), (v) => (d.person.firstName = v)),
  'person.lastName': (d, raw) => take(d, 'person.lastName', normaliseName(raw), (v) => (d.person.lastName = v)),
  'person.fullName': (d, raw) => take(d, 'person.fullName', normaliseName(raw), (v) => (d.person.fullName = v)),
  'person.gender': (d, raw) => take(d, 'person.gender', normaliseGender(raw), (v) => (d.person.gender = v)),
  'person.birthDate': (d, raw, f, plan) =>
    take(d, 'person.birthDate', normaliseDate(raw, f.format ?? plan.dateFormat), (v) => (d.person.birthDate = v)),
  'person.language': (d, raw) => (d.person.language = text(raw).toLowerCase()),
  'person.title': (d, raw) => (d.person.title = text(raw)),
  'company.name': (d, raw) => take(d, 'company.name', normaliseCompanyName(raw), (v) => (d.company.name = v)),
  'company.vatNumber': (d, raw) => take(d, 'company.vatNumber', checkPartitaIva(raw), (v) => (d.company.vatNumber = v)),
  'company.size': (d, raw) => (d.company.size = text(raw)),
  'company.sector': (d, raw) => (d.company.sector = text(raw)),
  'company.role': (d, raw) => (d.company.role = text(raw)),
  'address.line1': (d, raw) => (d.address.line1 = text(raw)),
  'address.line2': (d, raw) => (d.address.line2 = text(raw)),
  'address.postalCode': (d, raw) => (d.postalCodeRaw = raw),
  'address.city': (d, raw) => take(d, 'address.city', normaliseCity(raw), (v) => (d.address.city = v)),
  'address.province': (d, raw) => (d.provinceRaw = raw),
  'address.region': (d, raw) => (d.address.region = text(raw)),
  'address.country': (d, raw) => take(d, 'address.country', normaliseCountry(raw), (v) => (d.address.country = v)),
  'order.orderId': (d, raw) => (d.order.orderId = text(raw)),
  'order.status': (d, raw) => (d.order.status = text(raw).toLowerCase()),
  'order.total': (d, raw, f, plan) => take(d, 'order.total', normaliseAmount(raw, f.decimal ?? plan.decimal), (v) => (d.order.total = v)),
  'order.currency': (d, raw) => {
    const c = raw.trim().toUpperCase().replace('€', 'EUR');
    if (/^[A-Z]{3}$/.test(c)) d.order.currency = c;
    else d.flags['order.currency'] = 'currency.unknown';
  },
  'order.placedAt': (d, raw, f, plan) =>
    take(d, 'order.placedAt', normaliseTimestamp(raw, f.format ?? plan.dateFormat), (v) => (d.order.placedAt = v)),
  'interaction.touchpoint': (d, raw) => (d.interaction.touchpoint = text(raw)),
  'interaction.type': (d, raw) => (d.interaction.type = text(raw).toLowerCase()),
  'interaction.subject': (d, raw) => (d.interaction.subject = text(raw)),
  'interaction.summary': (d, raw) => (d.interaction.summary = text(raw)),
  'lead.source': (d, raw) => (d.lead.source = text(raw).toLowerCase()),
  'lead.medium': (d, raw) => (d.lead.medium = text(raw).toLowerCase()),
  'lead.campaign': (d, raw) => (d.lead.campaign = text(raw)),
  occurredAt: (d, raw, f, plan) => take(d, 'occurredAt', normaliseTimestamp(raw, f.format ?? plan.dateFormat), (v) => (d.occurredAt = v)),
};

function consent(d: Draft, path: string, raw: string, f: PlannedField, plan: RowPlan): void {
  const [, purpose, part] = path.split('.') as [string, string, string | undefined];
  let c = d.consents.get(purpose);
  if (!c) {
    c = {};
    d.consents.set(purpose, c);
  }
  if (part === undefined) take(d, path, normaliseBoolean(raw), (v) => (c.granted = v));
  else if (part === 'at') take(d, path, normaliseTimestamp(raw, f.format ?? plan.dateFormat), (v) => (c.at = v));
  else if (part === 'ip') c.ip = raw.trim();
  else c.text = raw.trim();
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

const nonEmpty = <T extends object>(o: T): T | undefined =>
  Object.values(o).some((v) => v !== undefined) ? (Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T) : undefined;

/**
 * Turns one row (its cells, per the file's plan) into a canonical record, or a reject with its reasons. A value that
 * fails is flagged and the row kept while the row is still useful; a row with no identifier to resolve on, or an
 * order row without an order id, is rejected.
 */
export function mapRow(cells: readonly string[], line: number, plan: RowPlan, ctx: RowContext): RowOutcome {
  const d: Draft = {
    identifiers: [],
    person: {},
    company: {},
    address: {},
    consents: new Map(),
    order: {},
    interaction: {},
    lead: {},
    attributes: {},
    flags: {},
  };
  for (const f of plan.fields) {
    let raw = f.index === undefined ? (f.value ?? '') : (cells[f.index] ?? '');
    if (f.values) raw = f.values[raw.trim()] ?? raw;
    if (raw === '' || raw.trim() === '') continue;
    const handler = HANDLERS[f.path];
    if (handler) handler(d, raw, f, plan);
    else if (f.path.startsWith('consents.')) consent(d, f.path, raw, f, plan);
    else if (f.path.startsWith('attributes.')) d.attributes[f.path.slice(11)] = raw.trim();
  }

  if (d.person.fullName) {
    if (!d.person.firstName && !d.person.lastName) Object.assign(d.person, splitFullName(d.person.fullName, plan.nameOrder));
    delete d.person.fullName;
  }
  if (d.postalCodeRaw !== undefined) {
    take(d, 'address.postalCode', normalisePostalCode(d.postalCodeRaw, d.address.country ?? plan.defaultCountry), (v) => (d.address.postalCode = v));
  }
  if (d.provinceRaw !== undefined) {
    const country = d.address.country ?? plan.defaultCountry;
    if (country === 'IT') {
      take(d, 'address.province', normaliseProvince(d.provinceRaw), (p) => {
        d.address.province = p.code;
        d.address.region ??= p.region;
      });
    } else d.address.province = text(d.provinceRaw);
  }

  const reasons: string[] = [];
  if (d.identifiers.length === 0) {
    const failed = Object.entries(d.flags).filter(([k]) => k.startsWith('identifiers.')).map(([, v]) => v);
    reasons.push(...(failed.length > 0 ? failed : ['row.noIdentifier']));
  }
  if (plan.kind === 'order' && !d.order.orderId) reasons.push('order.noOrderId');
  if (reasons.length > 0) return { accepted: false, reasons };

  const occurredAt = d.occurredAt ?? d.order.placedAt ?? ctx.receivedAt;
  const consents: Consent[] = [];
  for (const [purpose, c] of d.consents) {
    if (c.granted === undefined) continue;
    consents.push({
      purpose,
      granted: c.granted,
      at: c.at ?? occurredAt,
      proof: {
        form: `import:${ctx.source}`,
        ...(c.text ?? plan.consentText ? { textVersion: c.text ?? plan.consentText } : {}),
        ...(c.ip ? { ip: c.ip } : {}),
      },
    });
  }
  const order: Order | undefined = d.order.orderId
    ? { ...nonEmpty(d.order), orderId: d.order.orderId, currency: d.order.currency ?? 'EUR' }
    : undefined;
  const content = cells.join('\u0001');
  const recordKey =
    plan.recordKey.length > 0 && plan.recordKey.every((i) => (cells[i] ?? '').trim() !== '')
      ? plan.recordKey.map((i) => (cells[i] ?? '').trim()).join('|')
      : `row:${stableHash(content).slice(0, 16)}`;
  const interaction =
    plan.kind === 'interaction' || plan.touchpoint
      ? { touchpoint: d.interaction.touchpoint ?? plan.touchpoint ?? ctx.source, type: d.interaction.type ?? plan.kind, ...nonEmpty({ subject: d.interaction.subject, summary: d.interaction.summary }) }
      : undefined;
  const person = nonEmpty(d.person);
  const company = nonEmpty(d.company);
  const address = nonEmpty(d.address);
  const lead = nonEmpty(d.lead);
  return {
    accepted: true,
    record: {
      recordId: stableHash(ctx.source, recordKey, content),
      source: ctx.source,
      channel: 'file',
      kind: plan.kind,
      occurredAt,
      receivedAt: ctx.receivedAt,
      lineage: { objectKey: ctx.objectKey, importId: ctx.importId, recordKey, line },
      identifiers: d.identifiers,
      ...(person ? { person } : {}),
      ...(company ? { company } : {}),
      ...(address ? { address } : {}),
      ...(consents.length > 0 ? { consents } : {}),
      ...(order ? { order } : {}),
      ...(interaction ? { interaction } : {}),
      ...(lead ? { lead } : {}),
      ...(Object.keys(d.attributes).length > 0 ? { attributes: d.attributes } : {}),
      ...(Object.keys(d.flags).length > 0 ? { flags: d.flags } : {}),
    },
  };
}

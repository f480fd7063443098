import type { CanonicalRecord, Identifier, IdentifierType, Person } from './canonical.ts';
import { stableHash } from './hash.ts';
import { type Cleaned, normaliseEmail, normaliseName, normalisePhone } from './normalise.ts';

export interface RowContext {
  readonly source: string;
  readonly objectKey: string;
  readonly importId: string;
  /** 1-based line of the row in the file (header is line 1). */
  readonly line: number;
  readonly receivedAt: string;
  /** Canonical field -> column header. */
  readonly fields: ReadonlyMap<string, string>;
}

export type RowOutcome =
  | { readonly accepted: true; readonly record: CanonicalRecord }
  | { readonly accepted: false; readonly reasons: readonly string[] };

const IDENTIFIER_CLEANERS: Partial<Record<IdentifierType, (raw: string) => Cleaned<string>>> = {
  email: normaliseEmail,
  phone: (raw) => normalisePhone(raw),
  externalId: (raw) => (raw.trim() ? { ok: true, value: raw.trim() } : { ok: false, reason: 'externalId.empty' }),
  taxCode: (raw) => {
    const v = raw.replace(/\s/g, '').toUpperCase();
    return /^[A-Z0-9]{11,16}$/.test(v) ? { ok: true, value: v } : { ok: false, reason: 'taxCode.syntax' };
  },
};

/**
 * Turns one row of a contact export into a canonical record, or a reject with its reasons. A value that fails keeps
 * the row (flagged) while the row still has an identifier to resolve on; without any, the row is rejected.
 */
export function contactRowToRecord(row: Readonly<Record<string, string>>, ctx: RowContext): RowOutcome {
  const get = (field: string): string => {
    const header = ctx.fields.get(field);
    return header === undefined ? '' : (row[header] ?? '').trim();
  };
  const flags: Record<string, string> = {};
  const identifiers: Identifier[] = [];
  for (const [type, clean] of Object.entries(IDENTIFIER_CLEANERS) as [
    IdentifierType,
    (r: string) => Cleaned<string>,
  ][]) {
    const raw = get(`identifiers.${type}`);
    if (!raw) continue;
    const cleaned = clean(raw);
    if (cleaned.ok) {
      identifiers.push(
        type === 'externalId' ? { type, value: cleaned.value, namespace: ctx.source } : { type, value: cleaned.value },
      );
    } else flags[`identifiers.${type}`] = cleaned.reason;
  }

  const person: Person = {};
  for (const part of ['firstName', 'lastName'] as const) {
    const raw = get(`person.${part}`);
    if (!raw) continue;
    const cleaned = normaliseName(raw);
    if (cleaned.ok) person[part] = cleaned.value;
    else flags[`person.${part}`] = cleaned.reason;
  }

  if (identifiers.length === 0) {
    const reasons = Object.values(flags);
    return { accepted: false, reasons: reasons.length > 0 ? reasons : ['row.noIdentifier'] };
  }

  const address = Object.fromEntries(
    (['line1', 'postalCode', 'city', 'province', 'country'] as const)
      .map((k) => [k, get(`address.${k}`)] as const)
      .filter(([, v]) => v !== ''),
  );
  const companyName = get('company.name');
  const recordKey = get('identifiers.externalId') || `line:${ctx.line}`;
  const content = JSON.stringify(row);
  return {
    accepted: true,
    record: {
      recordId: stableHash(ctx.source, recordKey, content),
      source: ctx.source,
      channel: 'file',
      kind: 'contact',
      occurredAt: ctx.receivedAt,
      receivedAt: ctx.receivedAt,
      lineage: { objectKey: ctx.objectKey, importId: ctx.importId, recordKey, line: ctx.line },
      identifiers,
      ...(Object.keys(person).length > 0 ? { person } : {}),
      ...(Object.keys(address).length > 0 ? { address } : {}),
      ...(companyName ? { company: { name: companyName } } : {}),
      ...(Object.keys(flags).length > 0 ? { flags } : {}),
    },
  };
}

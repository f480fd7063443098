import type { CountryCode } from 'libphonenumber-js/max';
import { checkCodiceFiscale } from '../italy.ts';
import { normaliseEmail, normalisePhone } from '../normalise.ts';

export { suppressionHash } from './hash.ts';

/**
 * Who a data-subject request is about. The plain identifiers exist only in memory while a request is worked on; what
 * is stored (request state, the suppression list) are salted hashes, so neither a table dump nor a log names anyone.
 */

/** The plain identifiers of a subject, as identifier keys (`type:value`, `type:namespace:value`). */
export interface SubjectValues {
  readonly keys: ReadonlySet<string>;
  readonly emails: ReadonlySet<string>;
  readonly phones: ReadonlySet<string>;
  /** Tax codes, VAT numbers, customer ids, loyalty cards: compared as written, case-insensitively. */
  readonly others: ReadonlySet<string>;
}

export function subjectValues(identifierKeys: Iterable<string>): SubjectValues {
  const keys = new Set<string>();
  const emails = new Set<string>();
  const phones = new Set<string>();
  const others = new Set<string>();
  for (const key of identifierKeys) {
    keys.add(key);
    const type = key.slice(0, key.indexOf(':'));
    const value = key.slice(key.lastIndexOf(':') + 1);
    if (type === 'email') emails.add(key.slice(6));
    else if (type === 'phone') phones.add(value);
    // Customer ids shorter than 4 characters ("12") would match unrelated cells; they are matched through lineage only.
    else if (value.length >= 4) others.add(value.toUpperCase());
  }
  return { keys, emails, phones, others };
}

const EMAILISH = /@/;
const PHONEISH = /^[\s+()./\-\d]{6,24}$/;

/** Whether one raw value (a cell, a JSON string) is one of the subject's identifiers, however it was written. */
export function valueIsSubject(raw: string, s: SubjectValues): boolean {
  const v = raw.trim();
  if (v.length < 4) return false;
  if (EMAILISH.test(v)) {
    if (s.emails.size === 0) return false;
    const e = normaliseEmail(v);
    if (e.ok && s.emails.has(e.value)) return true;
    // "Mario <mario@rossi.it>", "mailto:" and other wrappings.
    const lower = v.toLowerCase();
    for (const email of s.emails) if (lower.includes(email)) return true;
    return false;
  }
  if (s.phones.size > 0 && PHONEISH.test(v)) {
    const p = normalisePhone(v);
    if (p.ok && s.phones.has(p.value)) return true;
  }
  return s.others.size > 0 && s.others.has(v.toUpperCase());
}

/** Whether any string inside a JSON value (a webhook body, a quarantined row) is one of the subject's identifiers. */
export function jsonMentionsSubject(value: unknown, s: SubjectValues): boolean {
  if (typeof value === 'string') return valueIsSubject(value, s);
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 999 && valueIsSubject(String(value), s);
  if (Array.isArray(value)) return value.some((v) => jsonMentionsSubject(v, s));
  if (value && typeof value === 'object') return Object.values(value).some((v) => jsonMentionsSubject(v, s));
  return false;
}

/** Whether a row's cells hold one of the subject's identifiers. */
export const rowMentionsSubject = (cells: readonly string[], s: SubjectValues): boolean => cells.some((c) => valueIsSubject(c, s));

const EMAIL_IN_TEXT = /[^\s;,|"'<>()[\]]+@[^\s;,|"'<>()[\]]+/g;

const CODICE_FISCALE = /(?<![A-Za-z0-9])[A-Za-z]{6}[0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{3}[A-Za-z](?![A-Za-z0-9])/g;

/**
 * The e-mail, phone and codice fiscale identifier keys among the strings of a value that no record could be made of
 * (a rejected row's cells, or its text): what the suppression list is checked with, so an erased person's rejected
 * row is not kept.
 */
export function identifierKeysIn(value: unknown, defaultRegion: string = 'IT'): string[] {
  const out = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
    else if (typeof v === 'string') {
      const t = v.trim();
      if (EMAILISH.test(t)) {
        for (const m of t.matchAll(EMAIL_IN_TEXT)) {
          const e = normaliseEmail(m[0]);
          if (e.ok) out.add(`email:${e.value}`);
        }
      } else if (PHONEISH.test(t)) {
        const p = normalisePhone(t, defaultRegion as CountryCode);
        if (p.ok) out.add(`phone:${p.value}`);
      }
      // A person's codice fiscale, alone in its cell or in a line of text (its check character verified).
      for (const m of t.matchAll(CODICE_FISCALE)) {
        const code = checkCodiceFiscale(m[0]);
        if (code.ok) out.add(`taxCode:${code.value}`);
      }
    }
  };
  visit(value);
  return [...out];
}

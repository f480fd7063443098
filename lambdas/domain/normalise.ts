import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** Result of cleaning one value: the clean form, or the reason it could not be read. */
export type Cleaned<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const ok = <T>(value: T): Cleaned<T> => ({ ok: true, value });
const fail = <T>(reason: string): Cleaned<T> => ({ ok: false, reason });

const EMAIL_LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/;
const DOMAIN_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Trims, lower-cases, converts an internationalised domain to ASCII, and checks the syntax. */
export function normaliseEmail(raw: string): Cleaned<string> {
  const trimmed = raw.trim().replace(/^mailto:/i, '');
  if (!trimmed) return fail('email.empty');
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) return fail('email.syntax');
  const local = trimmed.slice(0, at);
  let domain: string;
  try {
    domain = new URL(`http://${trimmed.slice(at + 1)}`).hostname;
  } catch {
    return fail('email.domain');
  }
  if (!EMAIL_LOCAL.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return fail('email.syntax');
  }
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => DOMAIN_LABEL.test(l)) || /^\d+$/.test(labels.at(-1) ?? '')) {
    return fail('email.domain');
  }
  if (local.length > 64 || local.length + domain.length + 1 > 254) return fail('email.length');
  return ok(`${local.toLowerCase()}@${domain}`);
}

/** To E.164 with libphonenumber-js; `00` international prefixes and punctuation are accepted. */
export function normalisePhone(raw: string, defaultRegion: CountryCode = 'IT'): Cleaned<string> {
  let s = raw.trim();
  if (!s) return fail('phone.empty');
  s = s.replace(/[\s().\-/]/g, '');
  if (s.startsWith('00')) s = `+${s.slice(2)}`;
  if (!/^\+?\d{5,17}$/.test(s)) return fail('phone.syntax');
  const parsed = parsePhoneNumberFromString(s, defaultRegion);
  if (!parsed || !parsed.isValid()) return fail('phone.invalid');
  return ok(parsed.number);
}

const PARTICLES = new Set(['da', 'de', 'del', 'della', 'di', 'dal', 'van', 'von', 'der', 'la', 'lo', 'le']);

/** `ROSSI MARIO` -> `Rossi Mario`, `d'angelo` -> `D'Angelo`, `Niccolo'` -> `Niccolò`; particles stay lower case. */
export function normaliseName(raw: string): Cleaned<string> {
  const s = raw.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (!s) return fail('name.empty');
  if (/[0-9@_#$%&*=<>{}[\]\\|~^]/.test(s)) return fail('name.characters');
  const withAccents = s.replace(/([aeiouAEIOU])'(?=\s|$)/g, (_m, v: string) => GRAVE[v] ?? v);
  const words = withAccents.split(' ').map((word, i) => {
    const lower = word.toLocaleLowerCase('it');
    if (i > 0 && PARTICLES.has(lower)) return lower;
    return lower.replace(/(^|['’-])(\p{L})/gu, (_m, sep: string, ch: string) => sep + ch.toLocaleUpperCase('it'));
  });
  return ok(words.join(' '));
}

const GRAVE: Record<string, string> = {
  a: 'à',
  e: 'è',
  i: 'ì',
  o: 'ò',
  u: 'ù',
  A: 'À',
  E: 'È',
  I: 'Ì',
  O: 'Ò',
  U: 'Ù',
};

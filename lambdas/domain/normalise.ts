import { domainToASCII } from 'node:url';
import { Metadata } from 'libphonenumber-js/core';
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import metadata from 'libphonenumber-js/max/metadata';
import { checkCap, findProvince } from './italy.ts';
import { onFirstUse } from './on-first-use.ts';
import { localTime } from './time-zone.ts';
import { foldText, own } from './text.ts';

/**
 * Cleaning of single values into the product's one uniform form. Every function answers the clean value or the
 * reason (a stable code such as `email.syntax`) it could not be read; none throws, none logs the value.
 */
export type Cleaned<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const ok = <T>(value: T): Cleaned<T> => ({ ok: true, value });
const fail = <T>(reason: string): Cleaned<T> => ({ ok: false, reason });

/** A bounded cache for values that repeat across rows (first names, cities, dates); cleared when full. */
function memo<T>(fn: (raw: string) => T, max = 20_000): (raw: string) => T {
  const cache = new Map<string, T>();
  return (raw) => {
    let v = cache.get(raw);
    if (v === undefined) {
      if (cache.size >= max) cache.clear();
      v = fn(raw);
      cache.set(raw, v);
    }
    return v;
  };
}

// ---------------------------------------------------------------------------------------------------------- email

const EMAIL_LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/;
const ASCII_DOMAIN = /^[A-Za-z0-9.-]+$/;
const DOMAIN_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Trims, lower-cases, converts an internationalised domain to ASCII (punycode), and checks the syntax. */
export function normaliseEmail(raw: string): Cleaned<string> {
  let s = raw.trim();
  if (s.length > 7 && s.slice(0, 7).toLowerCase() === 'mailto:') s = s.slice(7);
  if (!s) return fail('email.empty');
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1) return fail('email.syntax');
  const local = s.slice(0, at);
  // An address masked as a marketplace's or a partner's export shows it (`m***@gmail.com`): every Mario's and Maria's at
  // that provider. Mail providers allow no `*` in an address; as an identifier it would join them all.
  if (/[*•]/.test(local)) return fail('email.masked');
  if (!EMAIL_LOCAL.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return fail('email.syntax');
  }
  let domain = s.slice(at + 1);
  domain = ASCII_DOMAIN.test(domain) ? domain.toLowerCase() : domainToASCII(domain);
  if (!domain) return fail('email.domain');
  const labels = domain.split('.');
  // No top-level domain is one letter or all digits (`a@a.a`, `x@1.2`: typed for none).
  if (labels.length < 2 || !labels.every((l) => DOMAIN_LABEL.test(l)) || /^(\d+|[a-z0-9-])$/.test(labels.at(-1) ?? '')) {
    return fail('email.domain');
  }
  if (local.length > 64 || local.length + domain.length + 1 > 254) return fail('email.length');
  return ok(`${local.toLowerCase()}@${domain}`);
}

// ---------------------------------------------------------------------------------------------------------- phone

/**
 * Italian numbers are most of what Italian exports hold, and a full libphonenumber parse costs ~25 µs. For them a
 * fast path matches the national number against libphonenumber's own IT patterns (mobile, fixed line, VoIP, toll
 * free, shared cost) taken from the same metadata; anything else takes the full parse. A property test checks that
 * both paths agree.
 */
const itPatterns = /* @__PURE__ */ onFirstUse((): readonly RegExp[] => {
  const m = new Metadata(metadata);
  m.selectNumberingPlan('IT');
  const plan = m.numberingPlan as unknown as {
    type(t: string): { pattern(): string } | undefined;
  };
  return ['MOBILE', 'FIXED_LINE', 'VOIP', 'TOLL_FREE', 'SHARED_COST', 'PREMIUM_RATE', 'UAN']
    .map((t) => plan.type(t)?.pattern())
    .filter((p): p is string => typeof p === 'string')
    .map((p) => new RegExp(`^(?:${p})$`));
});

const PHONE_PUNCTUATION = /[\s().\-/]/g;

function italianFastPath(digits: string): string | undefined {
  // digits: the number without punctuation; with +39 / 0039 or without any prefix.
  let nsn: string;
  if (digits.startsWith('+39')) nsn = digits.slice(3);
  else if (digits.startsWith('0039')) nsn = digits.slice(4);
  else if (digits.startsWith('+') || digits.startsWith('00')) return undefined;
  else nsn = digits;
  if (nsn.length < 6 || nsn.length > 11) return undefined;
  for (const p of itPatterns()) if (p.test(nsn)) return `+39${nsn}`;
  return undefined;
}

/** To E.164; `00` international prefixes and punctuation are accepted. Default region from the mapping, else IT. */
export function normalisePhone(raw: string, defaultRegion: CountryCode = 'IT'): Cleaned<string> {
  // Meta's lead downloads mark a phone `p:+39…` (so a spreadsheet keeps it as text).
  let s = raw.trim().replace(/^p:/i, '');
  if (!s) return fail('phone.empty');
  s = s.replace(PHONE_PUNCTUATION, '');
  if (!/^\+?\d{5,17}$/.test(s)) return fail('phone.syntax');
  if (defaultRegion === 'IT' || s.startsWith('+39') || s.startsWith('0039')) {
    const fast = italianFastPath(s);
    if (fast) return ok(fast);
  }
  if (s.startsWith('00')) s = `+${s.slice(2)}`;
  const parsed = parsePhoneNumberFromString(s, defaultRegion);
  if (!parsed || !parsed.isValid()) return fail('phone.invalid');
  return ok(parsed.number);
}

// ---------------------------------------------------------------------------------------------------------- names

/** Surname particles (da, de, di, van, ...), lower case. */
export const PARTICLES: ReadonlySet<string> = new Set(['da', 'de', 'del', 'della', 'dei', 'degli', 'di', 'dal', 'dalla', 'van', 'von', 'der', 'la', 'lo', 'le']);
const GRAVE: Readonly<Record<string, string>> = { a: 'à', e: 'è', i: 'ì', o: 'ò', u: 'ù', A: 'À', E: 'È', I: 'Ì', O: 'Ò', U: 'Ù' };
const NAME_FORBIDDEN = /[0-9@_#$%&*=<>{}[\]\\|~^"+:;!?]/;

function cleanName(raw: string): Cleaned<string> {
  const s = raw.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (!s) return fail('name.empty');
  if (NAME_FORBIDDEN.test(s)) return fail('name.characters');
  // Typewriter accents: "Niccolo'" -> "Niccolò" (an apostrophe after a final vowel).
  const withAccents = s.replace(/([aeiouAEIOU])['’`](?=\s|$)/g, (_m, v: string) => GRAVE[v] ?? v);
  const words = withAccents.split(' ').map((word, i) => {
    const lower = word.toLocaleLowerCase('it');
    if (i > 0 && PARTICLES.has(lower)) return lower;
    return lower.replace(/(^|['’\-.])(\p{L})/gu, (_m, sep: string, ch: string) => sep + ch.toLocaleUpperCase('it'));
  });
  return ok(words.join(' ').replace(/’/g, "'"));
}

/** `ROSSI MARIO` -> `Rossi Mario`, `d'angelo` -> `D'Angelo`, `Niccolo'` -> `Niccolò`; particles stay lower case. */
export const normaliseName = memo(cleanName);

const LEGAL_FORMS: readonly [RegExp, string][] = [
  [/\bs\.?\s?r\.?\s?l\.?\s?s\.?(?=\s|$)/i, 'S.r.l.s.'],
  [/\bs\.?\s?r\.?\s?l\.?(?=\s|$)/i, 'S.r.l.'],
  [/\bs\.?\s?p\.?\s?a\.?(?=\s|$)/i, 'S.p.A.'],
  [/\bs\.?\s?n\.?\s?c\.?(?=\s|$)/i, 'S.n.c.'],
  [/\bs\.?\s?a\.?\s?s\.?(?=\s|$)/i, 'S.a.s.'],
  [/\bs\.?\s?s\.?(?=\s|$)/i, 'S.s.'],
  [/\bsoc(?:ietà|ieta)?\.?\s*coop(?:erativa)?\.?(?=\s|$)/i, 'Soc. Coop.'],
  [/\bltd\.?(?=\s|$)/i, 'Ltd'],
  [/\bgmbh(?=\s|$)/i, 'GmbH'],
  [/\binc\.?(?=\s|$)/i, 'Inc.'],
];

function cleanCompanyName(raw: string): Cleaned<string> {
  let s = raw.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (!s) return fail('company.empty');
  // Shouting (ROSSI IMPIANTI SRL) is cased like a name; mixed case (McDonald's, IBM Italia) is kept.
  if (s === s.toUpperCase() && /\p{Lu}{4,}/u.test(s)) {
    s = s
      .toLocaleLowerCase('it')
      .replace(/(^|[\s'’\-&/(])(\p{L})/gu, (_m, sep: string, ch: string) => sep + ch.toLocaleUpperCase('it'));
  }
  for (const [pattern, form] of LEGAL_FORMS) {
    if (pattern.test(s)) {
      s = s.replace(pattern, form).replace(/\s*,\s*(?=\S+$)/, ' ');
      break;
    }
  }
  return ok(s.replace(/\s+/g, ' ').trim());
}

/** Company names with their legal form in one spelling: `ROSSI IMPIANTI SRL` -> `Rossi Impianti S.r.l.`. */
export const normaliseCompanyName = memo(cleanCompanyName);

/** A legal form as a name's last words: `Rossi Impianti SRL`, `Acme, S.p.A.`, not `S.r.l. Rossi`. */
const ENDS_IN_LEGAL_FORM = /* @__PURE__ */ new RegExp(`[\\s,]\\s*(?:${LEGAL_FORMS.map(([p]) => p.source).join('|')})\\s*$`, 'i');

/**
 * Whether a name is a business's: one that ends in its legal form after at least one word (`Acme S.r.l.`, `ROSSI
 * IMPIANTI SNC`, `Bianchi Ltd`). No person's name is written so; a lone `Sas` or `Spa` may be a surname.
 */
export const isBusinessName = (raw: string): boolean => ENDS_IN_LEGAL_FORM.test(raw.trim());

// ---------------------------------------------------------------------------------------------------------- dates

export type DateFormat = 'dd/MM/yyyy' | 'MM/dd/yyyy' | 'yyyy-MM-dd' | 'excel' | 'auto';

const DMY = /^(\d{1,2})[/.\-\s](\d{1,2})[/.\-\s](\d{2}|\d{4})(?:[ T]\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)?$/;
// The offset may follow a space, and UTC may be named (Shopify's exports: `2026-07-01 09:00:00 +0200`).
const YMD = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?: ?(Z|UTC|GMT|[+-]\d{2}:?\d{2}))?)?$/i;
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

function isoDate(y: number, m: number, d: number): Cleaned<string> {
  if (m < 1 || m > 12 || d < 1 || d > 31) return fail('date.impossible');
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return fail('date.impossible');
  return ok(`${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
}

function twoDigitYear(y: number, pivotYear: number): number {
  const century = Math.floor(pivotYear / 100) * 100;
  return y + century > pivotYear ? y + century - 100 : y + century;
}

/**
 * A calendar date as `yyyy-MM-dd`. Day-first (`dd/mm/yyyy`, the Italian way) unless the mapping or the file's dates
 * say otherwise (see detectMonthFirst); ISO dates; Excel serial numbers (spreadsheets); a month by its name. Impossible
 * dates (31/02) are rejected, never rolled over. Two-digit years are read as the latest year not after `pivotYear`
 * (birth dates are in the past).
 */
export function normaliseDate(raw: string, format: DateFormat = 'auto', pivotYear = CURRENT_YEAR): Cleaned<string> {
  if (pivotYear !== CURRENT_YEAR) return readDate(raw, format, pivotYear);
  return (format === 'auto' ? dateAuto : format === 'dd/MM/yyyy' ? dateDmy : format === 'MM/dd/yyyy' ? dateMdy : format === 'yyyy-MM-dd' ? dateYmd : dateExcel)(raw);
}

const CURRENT_YEAR = new Date().getUTCFullYear();
// Dates repeat across rows (birth dates, order days): cached per format.
const dateAuto = memo((raw: string) => readDate(raw, 'auto', CURRENT_YEAR));
const dateDmy = memo((raw: string) => readDate(raw, 'dd/MM/yyyy', CURRENT_YEAR));
const dateMdy = memo((raw: string) => readDate(raw, 'MM/dd/yyyy', CURRENT_YEAR));
const dateYmd = memo((raw: string) => readDate(raw, 'yyyy-MM-dd', CURRENT_YEAR));
const dateExcel = memo((raw: string) => readDate(raw, 'excel', CURRENT_YEAR));

function readDate(raw: string, format: DateFormat, pivotYear: number): Cleaned<string> {
  const s = raw.trim();
  if (!s) return fail('date.empty');
  // An ISO date says its order, whatever the file's numeric dates do (as a timestamp's always did).
  const ymd = YMD.exec(s);
  if (ymd) return isoDate(+ymd[1]!, +ymd[2]!, +ymd[3]!);
  const dmy = DMY.exec(s);
  if (dmy && format !== 'yyyy-MM-dd' && format !== 'excel') {
    let y = +dmy[3]!;
    if (dmy[3]!.length === 2) y = twoDigitYear(y, pivotYear);
    const [a, b] = [+dmy[1]!, +dmy[2]!];
    return format === 'MM/dd/yyyy' ? isoDate(y, a, b) : isoDate(y, b, a);
  }
  const named = /[a-z]/i.test(s) ? namedMonthDate(s, pivotYear) : undefined;
  if (named) return named;
  if (/^\d{1,5}(?:\.\d+)?$/.test(s) && (format === 'excel' || format === 'auto')) {
    const serial = Math.floor(Number(s));
    if (serial < 1 || serial > 2958465) return fail('date.range');
    const dt = new Date(EXCEL_EPOCH_MS + serial * 86_400_000);
    return isoDate(dt.getUTCFullYear(), dt.getUTCMonth() + 1, dt.getUTCDate());
  }
  return fail('date.format');
}

/** Month names in English and Italian, whole or cut short (`Mar`, `Sept`, `giu`), folded: their number. */
const MONTHS: Readonly<Record<string, number>> = {
  jan: 1, january: 1, gen: 1, gennaio: 1, feb: 2, february: 2, febbraio: 2, mar: 3, march: 3, marzo: 3,
  apr: 4, april: 4, aprile: 4, may: 5, mag: 5, maggio: 5, jun: 6, june: 6, giu: 6, giugno: 6,
  jul: 7, july: 7, lug: 7, luglio: 7, aug: 8, august: 8, ago: 8, agosto: 8,
  sep: 9, sept: 9, september: 9, set: 9, sett: 9, settembre: 9, oct: 10, october: 10, ott: 10, ottobre: 10,
  nov: 11, november: 11, novembre: 11, dec: 12, december: 12, dic: 12, dicembre: 12,
};
/** A weekday before a date, folded (`Tuesday, March 3, 2026`, `martedì 3 marzo 2026`, `Tue, 3 Mar 2026`). */
const WEEKDAY = /^(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|lunedi|martedi|mercoledi|giovedi|venerdi|sabato|domenica|mon|tue|wed|thu|fri|sat|sun) /;
/** Folded, so with one space between its words whatever divided them (`3 marzo 2026`, `03-mar-26`, `1° gennaio`). */
const DAY_MONTH_YEAR = /^(\d{1,2})(?:st|nd|rd|th)? ([a-z]+) (\d{4}|\d{2})$/;
const MONTH_DAY_YEAR = /^([a-z]+) (\d{1,2})(?:st|nd|rd|th)? (\d{4})$/;

/**
 * A date with its month's name, as a calendar, a booking tool or a spreadsheet's long format writes it: `3 marzo 2026`,
 * `03-mar-26`, `March 3, 2026`, `Tue, 3 Mar 2026`, `martedì 3 marzo 2026`. A name of no month is no date.
 */
function namedMonthDate(raw: string, pivotYear: number): Cleaned<string> | undefined {
  const s = foldText(raw).replace(WEEKDAY, '');
  const dmy = DAY_MONTH_YEAR.exec(s);
  const mdy = dmy ? undefined : MONTH_DAY_YEAR.exec(s);
  const [day, name, year] = dmy ? [dmy[1]!, dmy[2]!, dmy[3]!] : mdy ? [mdy[2]!, mdy[1]!, mdy[3]!] : [];
  const month = name === undefined ? undefined : own(MONTHS, name);
  if (month === undefined) return undefined;
  return isoDate(year!.length === 2 ? twoDigitYear(+year!, pivotYear) : +year!, month, +day!);
}

/**
 * A point in time as ISO 8601 UTC. A time with its offset (`+02:00`, `Z`, `UTC`) is that instant; a time without one
 * (`03/11/2025 10:15`) is the wall-clock time in `timeZone` (an IANA name, `Europe/Rome`; UTC when none is given):
 * see localTime. A date alone is its day, midnight UTC, whatever the zone: a calendar day, not an instant.
 */
export function normaliseTimestamp(raw: string, format: DateFormat = 'auto', timeZone?: string): Cleaned<string> {
  const s = raw.trim();
  if (!s) return fail('date.empty');
  const ymd = YMD.exec(s);
  if (ymd?.[4] !== undefined) {
    const date = isoDate(+ymd[1]!, +ymd[2]!, +ymd[3]!);
    if (!date.ok) return date;
    if (!ymd[7]) return timeOfDate(date.value, +ymd[4], +ymd[5]!, +(ymd[6] ?? 0), timeZone);
    const t = Date.parse(`${date.value}T${ymd[4]}:${ymd[5]}:${ymd[6] ?? '00'}${normaliseOffset(ymd[7])}`);
    return Number.isNaN(t) ? fail('date.format') : ok(new Date(t).toISOString());
  }
  const time = TIME_AFTER_DATE.exec(s);
  const date = normaliseDate(time ? s.slice(0, time.index) : s, format);
  if (!date.ok) return date;
  if (!time) return ok(`${date.value}T00:00:00.000Z`);
  let h = +time[1]!;
  const half = time[4]?.toLowerCase();
  if (half) {
    if (h < 1 || h > 12) return fail('date.impossible');
    h = (h % 12) + (half === 'p' ? 12 : 0);
  }
  return timeOfDate(date.value, h, +time[2]!, +(time[3] ?? 0), timeZone);
}

/**
 * The time after a date: `03/11/2025 10:15`, on the 12-hour clock (`3/11/2025 3:20 PM`, Calendly's `10:00 am`), after a
 * comma or an `at` (`3/11/2025, 10:15:00 AM`, `March 3, 2026 at 10:00`).
 */
const BEFORE_TIME = String.raw`(?:,?\s+(?:at|alle|ore)\s+|,\s*|[ T])`;
const TIME_AFTER_DATE = new RegExp(String.raw`${BEFORE_TIME}(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:\s*([ap])\.?m\.?)?$`, 'i');
const SOME_TIME = new RegExp(String.raw`\d${BEFORE_TIME}\d{1,2}[:.]\d{2}`, 'i');

/** Whether a date value carries its own time of day (`03/11/2025 10:15`, `2025-11-03T10:15:00+01:00`). */
export const hasTimeOfDay = (raw: string): boolean => SOME_TIME.test(raw.trim());

function timeOfDate(date: string, h: number, m: number, sec: number, timeZone: string | undefined): Cleaned<string> {
  if (h > 23 || m > 59 || sec > 59) return fail('date.impossible');
  return ok(localTime(date, [h, m, sec].map((n) => String(n).padStart(2, '0')).join(':'), timeZone));
}

/**
 * A time of day in a column of its own (a call log's `Ora`): `10:15`, `9.05`, `10:15:30`, `3:20 PM`, or the fraction of a
 * day a spreadsheet keeps a time as (`0.4270833`), as `HH:MM:SS`.
 */
export function normaliseTimeOfDay(raw: string): Cleaned<string> {
  const s = raw.trim();
  if (!s) return fail('time.empty');
  let h: number;
  let m: number;
  let sec: number;
  const fraction = /^0?[.,]\d+$|^0$/.test(s) ? Number(s.replace(',', '.')) : undefined;
  if (fraction !== undefined) {
    const total = Math.round(fraction * 86_400);
    [h, m, sec] = [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60];
  } else {
    const t = /^(\d{1,2})[:.h](\d{2})(?:[:.](\d{2}))?\s*([ap]\.?m\.?)?$/i.exec(s);
    if (!t) return fail('time.format');
    [h, m, sec] = [+t[1]!, +t[2]!, +(t[3] ?? 0)];
    const half = t[4]?.[0]?.toLowerCase();
    if (half && (h < 1 || h > 12)) return fail('time.impossible');
    if (half) h = (h % 12) + (half === 'p' ? 12 : 0);
  }
  if (h > 23 || m > 59 || sec > 59) return fail('time.impossible');
  return ok([h, m, sec].map((n) => String(n).padStart(2, '0')).join(':'));
}

const normaliseOffset = (o: string): string => (/^(z|utc|gmt)$/i.test(o) ? 'Z' : o.includes(':') ? o : `${o.slice(0, 3)}:${o.slice(3)}`);

// --------------------------------------------------------------------------------------------------------- amounts

/**
 * Amounts as numbers: `1.234,56` and `1,234.56` both read as 1234.56; currency signs and spaces are dropped.
 * With one kind of separator, `decimal` (from the mapping, Italian `,` by default) decides; `1.234` with the
 * Italian default is a thousand, `1.5` is one and a half (a single group of other than three digits).
 */
export function normaliseAmount(raw: string, decimal: ',' | '.' = ','): Cleaned<number> {
  let s = raw.trim().replace(/[€$£\s\u00a0']|EUR|USD|GBP|CHF/gi, '');
  if (!s) return fail('amount.empty');
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1);
  }
  if (s.startsWith('-')) {
    negative = !negative;
    s = s.slice(1);
  } else if (s.endsWith('-')) {
    negative = !negative;
    s = s.slice(0, -1);
  }
  if (!/^[\d.,]+$/.test(s) || !/\d/.test(s)) return fail('amount.syntax');
  const lastComma = s.lastIndexOf(',');
  const lastDot = s.lastIndexOf('.');
  let decimalSep: string | undefined;
  if (lastComma >= 0 && lastDot >= 0) decimalSep = lastComma > lastDot ? ',' : '.';
  else if (lastComma >= 0 || lastDot >= 0) {
    const sep = lastComma >= 0 ? ',' : '.';
    const groups = s.split(sep);
    const thousandsLike = groups.length > 1 && groups.slice(1).every((g) => g.length === 3) && groups[0]!.length <= 3;
    if (groups.length > 2) decimalSep = thousandsLike ? undefined : 'invalid';
    else decimalSep = sep === decimal ? sep : thousandsLike ? undefined : sep;
  }
  if (decimalSep === 'invalid') return fail('amount.syntax');
  const thousandsSep = decimalSep === ',' ? '.' : decimalSep === '.' ? ',' : lastComma >= 0 ? ',' : '.';
  const [intPart, fracPart, extra] = s.split(decimalSep ?? '\u0000');
  if (extra !== undefined) return fail('amount.syntax');
  const groups = intPart!.split(thousandsSep);
  if (groups.length > 1 && (groups[0]!.length > 3 || groups.slice(1).some((g) => g.length !== 3))) return fail('amount.syntax');
  const value = Number(`${groups.join('')}${fracPart !== undefined ? `.${fracPart}` : ''}`);
  if (!Number.isFinite(value)) return fail('amount.syntax');
  return ok(negative ? -value : value);
}

/** The currency an amount is written in (`€ 12,50`, `£12.99`, `12.00 USD`), as its ISO code; `$` is the US dollar. */
export function currencyOfAmount(raw: string): string | undefined {
  const sign = /[€$£]|EUR|USD|GBP|CHF/i.exec(raw)?.[0];
  return sign === undefined ? undefined : sign === '€' ? 'EUR' : sign === '$' ? 'USD' : sign === '£' ? 'GBP' : sign.toUpperCase();
}

// -------------------------------------------------------------------------------------------------------- booleans

/**
 * An order's status as the rules and the lake read it: in lower case, a cancellation without who made it (`Canceled by
 * guest` is `canceled`), WooCommerce's stored form (`wc-completed`, as some order-export plugins write it) by its name,
 * and WooCommerce's `pending` named for what it is there, `pending payment` (WooCommerce's own label: placed, never
 * paid; an abandoned checkout stays so). Shopify's `pending` is another thing, a sale awaiting a manual payment (a bank
 * transfer, cash on delivery), and keeps its name.
 */
export function normaliseOrderStatus(raw: string, vendor?: 'woocommerce'): string {
  const status = raw.trim().replace(/\s+/g, ' ').toLowerCase();
  // Cancelled, whoever did it: Airbnb's `Canceled by guest`, Booking.com's `cancelled_by_hotel`, `Annullato dal cliente`.
  const by = /^(cancel+ed|annullat[oa]|cancellat[oa])[ _](?:by|da|dal|dall|dalla|dallo)(?:[ _']|$)/.exec(status);
  if (by) return by[1]!;
  const woo = /^wc-(.+)$/.exec(status);
  const name = woo ? woo[1]! : status;
  return name === 'pending' && (woo || vendor === 'woocommerce') ? 'pending payment' : name;
}

const TRUE_WORDS = new Set(['si', 'sì', 's', 'x', '1', 'yes', 'y', 'true', 'vero', 'on', 'ok', 'accetto', 'accettato', 'consenso', 'subscribed', 'iscritto', 'iscritta', 'opt-in', 'optin', 'granted']);
const FALSE_WORDS = new Set([
  'no', 'n', '0', 'false', 'falso', 'off', 'non accetto', 'rifiuto', 'unsubscribed', 'disiscritto', 'disiscritta', 'non iscritto', 'non iscritta',
  'opt-out', 'optout', 'denied', '-', 'never_subscribed', 'never subscribed',
]);

/** Booleans and consents as people type them: `Sì`, `SI`, `x`, `1`, `yes`, `on` are true; empty is absent. */
export function normaliseBoolean(raw: string): Cleaned<boolean> {
  const s = raw.trim().toLocaleLowerCase('it').replace(/[.!]$/, '');
  if (!s) return fail('boolean.empty');
  if (TRUE_WORDS.has(s) || s === "si'") return ok(true);
  if (FALSE_WORDS.has(s)) return ok(false);
  return fail('boolean.unknown');
}

/** A consent's answer that starts by giving it (`Acconsento…`, `Sì, desidero…`, `I agree…`), folded. */
const ASSENT =
  /^(?:(?:si|yes)\s)?(?:acconsento|accetto|autorizzo|consento|do il (?:mio )?consenso|presto il (?:mio )?consenso|esprimo il (?:mio )?consenso|dichiaro|ho letto|confermo|desidero|voglio|sono d accordo|iscrivimi|i agree|agree|agreed|i accept|accept|accepted|i consent|i have read|i ve read|i would like|i d like|i want|subscribe|sign me up)\b/;
/** An answer that refuses it (`Non acconsento`, `No, grazie`, `I do not agree`), or a word that does so within one. */
const DISSENT = /^(?:no|non|nego|rifiuto|decline|declined|i decline|refuse|i refuse|i do not|i don t|do not|don t)\b/;
const NEGATION = /\b(?:non|not|nego|don t|do not)\b(?! (?:obbligatori[oa]|necessari[oa]|richiest[oa]|required|mandatory)\b)/;
/** No answer, in the words that say so (`Non specificato`, `No answer`, `Not set`): no refusal. */
const UNSTATED =
  /^(?:non|no|not)\s(?:specificat[oa]|indicat[oa]|definit[oa]|disponibile|not[oa]|so|impostat[oa]|applicabile|rilevat[oa]|risposto|pervenut[oa]|answer|answered|response|data|value|info|information|set|specified|available|known|applicable)\b/;

/**
 * A consent as a form writes it: a yes or a no (normaliseBoolean), or a ticked box's label, its wording as the form's
 * (`Acconsento al trattamento dei dati`, `Sì, desidero ricevere la newsletter`, `Non acconsento`). An aside in
 * brackets (`(facoltativo)`, `(non obbligatorio)`) is no part of the answer.
 */
export function normaliseConsent(raw: string): Cleaned<boolean> {
  const b = normaliseBoolean(raw);
  if (b.ok || b.reason === 'boolean.empty') return b;
  const s = foldText(raw.replace(/\([^)]*\)|\[[^\]]*\]/g, ' '));
  const plain = normaliseBoolean(s);
  if (plain.ok) return plain;
  if (UNSTATED.test(s)) return b;
  if (DISSENT.test(s)) return ok(false);
  if (ASSENT.test(s)) return ok(!NEGATION.test(s));
  return b;
}

// ------------------------------------------------------------------------------------------------- places & codes

const ALPHA3: Readonly<Record<string, string>> = {
  ITA: 'IT', DEU: 'DE', FRA: 'FR', ESP: 'ES', GBR: 'GB', USA: 'US', CHE: 'CH', AUT: 'AT', NLD: 'NL', BEL: 'BE',
  PRT: 'PT', SMR: 'SM', VAT: 'VA', SVN: 'SI', HRV: 'HR', GRC: 'GR', POL: 'PL', ROU: 'RO', ALB: 'AL', IRL: 'IE',
  SWE: 'SE', DNK: 'DK', NOR: 'NO', FIN: 'FI', CZE: 'CZ', HUN: 'HU', LUX: 'LU', MLT: 'MT', CAN: 'CA', BRA: 'BR',
  ARG: 'AR', CHN: 'CN', JPN: 'JP', IND: 'IN', AUS: 'AU', MAR: 'MA', TUN: 'TN', EGY: 'EG', UKR: 'UA', RUS: 'RU',
};
const UK_ALIASES: Readonly<Record<string, string>> = { uk: 'GB', 'united kingdom': 'GB', 'great britain': 'GB', england: 'GB', usa: 'US', 'stati uniti': 'US', 'u.s.a.': 'US' };

const foldPlace = foldText;

/**
 * The ISO 3166-1 alpha-2 codes ICU knows, and country names in Italian, English, German, French and Spanish (from
 * ICU) -> their code. About 25 ms of ICU lookups: built when a country is first read.
 */
const countries = /* @__PURE__ */ onFirstUse(() => {
  const codes = new Set<string>();
  const byName = new Map<string, string>();
  const names = ['it', 'en', 'de', 'fr', 'es'].map((l) => new Intl.DisplayNames([l], { type: 'region' }));
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      for (const dn of names) {
        const name = dn.of(code);
        if (name && name !== code) {
          byName.set(foldPlace(name), code);
          codes.add(code);
        }
      }
    }
  }
  for (const [k, v] of Object.entries(UK_ALIASES)) byName.set(foldPlace(k), v);
  return { codes: codes as ReadonlySet<string>, byName: byName as ReadonlyMap<string, string> };
});

function cleanCountry(raw: string): Cleaned<string> {
  const s = raw.trim();
  if (!s) return fail('country.empty');
  if (/^[A-Za-z]{2}$/.test(s)) {
    const code = s.toUpperCase() === 'UK' ? 'GB' : s.toUpperCase();
    return countries().codes.has(code) ? ok(code) : fail('country.unknown');
  }
  if (/^[A-Za-z]{3}$/.test(s) && ALPHA3[s.toUpperCase()]) return ok(ALPHA3[s.toUpperCase()]!);
  const code = countries().byName.get(foldPlace(s));
  return code ? ok(code) : fail('country.unknown');
}

/** `Italia`, `Italy`, `ITA`, `it` -> `IT`. */
export const normaliseCountry = memo(cleanCountry);

/** Italian province code (`MI`) and region from a code or a name. */
export const normaliseProvince = memo((raw: string): Cleaned<{ code: string; region: string }> => {
  if (!raw.trim()) return fail('province.empty');
  const p = findProvince(raw);
  return p ? ok({ code: p.code, region: p.region }) : fail('province.unknown');
});

/** Postal codes: Italian CAP checked (and its lost leading zeros restored); other countries trimmed and upper-cased. */
export function normalisePostalCode(raw: string, country: string | undefined): Cleaned<string> {
  const s = raw.trim();
  if (!s) return fail('postalCode.empty');
  return !country || country === 'IT' ? checkCap(s) : foreignPostalCode(s);
}

/** A postcode of a country other than Italy, by its syntax alone: trimmed and upper-cased. */
export function foreignPostalCode(raw: string): Cleaned<string> {
  const s = raw.trim();
  return /^[A-Za-z0-9 -]{2,10}$/.test(s) ? ok(s.toUpperCase()) : fail(s ? 'postalCode.syntax' : 'postalCode.empty');
}

/** City names: trimmed, shouting cased like a name (`MILANO` -> `Milano`, `REGGIO NELL'EMILIA`). */
export const normaliseCity = memo((raw: string): Cleaned<string> => {
  const s = raw.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (!s) return fail('city.empty');
  if (/[0-9@#$%*=<>{}[\]\\|~^]/.test(s)) return fail('city.characters');
  if (s !== s.toUpperCase() && s !== s.toLowerCase()) return ok(s);
  return ok(
    s
      .toLocaleLowerCase('it')
      .replace(/(^|[\s'’\-/])(\p{L})/gu, (_m, sep: string, ch: string) => sep + ch.toLocaleUpperCase('it'))
      .replace(/(?<=\s)(Di|De|Del|Della|Nell|Sul|Sulla|In|Al|Sull)(?=[\s'’])/g, (w) => w.toLowerCase()),
  );
});

const GENDER_NOT_GIVEN: ReadonlySet<string> = new Set(['unspecified', 'not specified', 'unknown', 'non specificato', 'n d', 'nd', 'sconosciuto', 'prefer not to say', 'preferisco non rispondere']);

/** Gender as `F`, `M` or `X` from the ways forms write it; an answer that gives none is no value. */
export function normaliseGender(raw: string): Cleaned<'F' | 'M' | 'X'> {
  const s = foldPlace(raw);
  if (!s) return fail('gender.empty');
  if (['f', 'femmina', 'female', 'donna', 'woman', 'sig ra', 'signora', 'sig ra', 'mrs', 'ms'].includes(s)) return ok('F');
  if (['m', 'maschio', 'male', 'uomo', 'man', 'sig', 'signor', 'signore', 'mr'].includes(s)) return ok('M');
  if (['x', 'altro', 'other', 'non binario', 'non binary', 'nb'].includes(s)) return ok('X');
  // No answer, as an address book writes it on every contact without one (Outlook's `Unspecified`, `Non specificato`).
  if (GENDER_NOT_GIVEN.has(s)) return fail('gender.empty');
  return fail('gender.unknown');
}

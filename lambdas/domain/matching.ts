/**
 * Probabilistic matching of people who share no strong identifier (pure; no I/O).
 *
 * A record is reduced to a small snapshot of what tells people apart; snapshots are found again through blocking keys
 * (phonetic name codes with birth date or postcode), and two snapshots are compared field by field in the
 * Fellegi-Sunter way: each field's agreement level adds its weight (log2 of how much likelier that agreement is
 * between two records of one person than between two records of different people), and the sum decides: merge, ask
 * a person (a duplicate candidate), or leave apart.
 */
import { doubleMetaphone } from 'double-metaphone';
import { distance } from 'fastest-levenshtein';
import { type CanonicalRecord, identifierKey } from './canonical.ts';
import { stableHash } from './hash.ts';
import { type IdentityConfig, valueBlockedReason } from './identity-config.ts';
import { birthByCodiciFiscali } from './italy.ts';
import { shareGivenName } from './nicknames.ts';
import { compatibleBirthDates, genderPair, jaroWinkler } from './similarity.ts';
import { foldText } from './text.ts';

/** What a record says about who its person is, folded for comparison. Short keys: it is stored once per blocking key. */
export interface MatchSnapshot {
  /** first name */
  readonly f?: string;
  /** last name */
  readonly l?: string;
  /** birth date, yyyy-MM-dd */
  readonly d?: string;
  /** gender */
  readonly g?: string;
  /** postal code */
  readonly z?: string;
  /** city */
  readonly c?: string;
  /** street line */
  readonly a?: string;
  /** identifiers: `type:namespace:value` keys of e-mails, phones and per-source ids */
  readonly i?: readonly string[];
}

export interface MatchConfig {
  /** At or above this total weight two records are one person and merge. */
  readonly mergeAt: number;
  /** At or above this (and below mergeAt) the pair becomes a duplicate candidate for a person to decide. */
  readonly reviewAt: number;
  /** A blocking key shared by more records than this is too common to find anyone by (a frequent name). */
  readonly maxBlockSize: number;
}

const IDENTIFYING = new Set(['email', 'phone', 'externalId', 'taxCode', 'loyaltyCard']);

/**
 * Honorifics and titles that arrive in name fields (`Dott. Mario Rossi`, `Sig.ra Bianchi`, `Sir … Baronet`): they
 * say nothing about who a person is, and as shared "names" they would join strangers. Only words that are not also
 * given names or surnames (so not `Conte`, `Duca`, `Don`).
 */
const TITLES = new Set([
  // Italian
  'sig', 'sigra', 'signa', 'sigg', 'signor', 'signora', 'signorina', 'dott', 'dottssa', 'dottsa', 'dottor', 'dottore', 'dottoressa', 'dr', 'dra',
  'ing', 'avv', 'arch', 'geom', 'rag', 'prof', 'profssa', 'professore', 'professoressa', 'spett', 'egr', 'gent', 'gentma', 'ill', 'mons', 'onle',
  // English
  'mr', 'mrs', 'ms', 'miss', 'mx', 'mstr', 'sir', 'dame', 'lord', 'lady', 'baronet', 'bart', 'bt', 'rev', 'revd', 'hon', 'esq', 'jr', 'sr',
]);

function withoutTitles(folded: string): string {
  if (!folded) return folded;
  // `Sig.ra`, `Dott.ssa`, `Prof.ssa`, `Gent.ma` fold to two words.
  const tokens = folded.replace(/\b(sig|dott|prof|gent) (ra|na|ssa|ma)\b/g, '$1$2').split(' ');
  const kept = tokens.filter((t) => !TITLES.has(t));
  return kept.length === tokens.length ? folded : kept.join(' ');
}

/**
 * The record's snapshot, or undefined when it has too little to match a person by (no name at all). With the identity
 * config, the values it blocks are left out: a placeholder or a role address that two namesakes both carry would
 * otherwise vouch for them as an identifier agreeing does, the merge the deterministic links refuse.
 */
export function snapshotOf(record: CanonicalRecord, config?: IdentityConfig): MatchSnapshot | undefined {
  const p = record.person;
  const f = p?.firstName ? withoutTitles(foldText(p.firstName)) : '';
  const l = p?.lastName ? withoutTitles(foldText(p.lastName)) : '';
  if (!f && !l) return undefined;
  const a = record.address;
  const identifying = record.identifiers.filter((i) => IDENTIFYING.has(i.type) && !(config && valueBlockedReason(i.type, i.value, config)));
  const ids = identifying.map(identifierKey);
  // A person's codice fiscale states the birth date and sex: where the record does not, they count as if it did (an
  // invoicing export with the code meets a shop's sign-up with the date). What the record says itself comes first,
  // and a code that does not spell the record's names is someone else's (a parent's, on a child's account).
  const codes = identifying.filter((i) => i.type === 'taxCode').map((i) => i.value);
  const [stated] = p?.firstName && p.lastName ? birthByCodiciFiscali(codes, [p.firstName], [p.lastName], record.receivedAt) : [];
  const gender = p?.gender ? foldText(p.gender).charAt(0) : (stated?.gender ?? '');
  const snap: Record<string, unknown> = {};
  if (f) snap.f = f;
  if (l) snap.l = l;
  if (p?.birthDate) snap.d = p.birthDate;
  else if (stated) snap.d = stated.birthDate;
  if (gender === 'm' || gender === 'f') snap.g = gender;
  if (a?.postalCode) snap.z = foldText(a.postalCode).replace(/ /g, '');
  if (a?.city) snap.c = foldText(a.city);
  if (a?.line1) snap.a = foldText(a.line1);
  if (ids.length > 0) snap.i = [...new Set(ids)].sort();
  return snap as MatchSnapshot;
}

/** The primary Double Metaphone code of a name's longest token (English and Italian spellings of one sound agree). */
export function phoneticKey(name: string): string {
  const token = name.split(' ').reduce((best, t) => (t.length > best.length ? t : best), '');
  return token ? doubleMetaphone(token)[0] || token : '';
}

/**
 * Keys under which a snapshot is filed and looked up: records of one person share at least one despite a typo in any
 * single field, and records sharing an identifier share one. Hashed: the table's keys show no names.
 */
export function blockingKeys(s: MatchSnapshot): string[] {
  const pf = s.f ? phoneticKey(s.f) : '';
  // One name only is as often a surname in the first-name box: it is filed as both.
  const pl = s.l ? phoneticKey(s.l) : pf;
  const d = s.d && !PLACEHOLDER_DATES.has(s.d) ? s.d : '';
  const keys: string[] = [];
  if (s.f && s.l) keys.push(`n:${[pf, pl].sort().join('|')}`);
  if (d && pf) keys.push(`fd:${pf}|${d}`);
  if (d && pl) keys.push(`ld:${pl}|${d}`);
  if (s.z && pl) keys.push(`zl:${s.z}|${pl}`);
  // Postcode with either name, not with the birth date: a surname mistyped where no birth date was given is found by
  // the first name at the address.
  if (s.z && pf) keys.push(`zf:${s.z}|${pf}`);
  if (s.c && d) keys.push(`cd:${phoneticKey(s.c)}|${d}`);
  // Records that share an identifier the deterministic links refused (a birth date beyond a typo, a name spelt
  // differently) meet here, and their score decides.
  for (const id of s.i ?? []) keys.push(`i:${id}`);
  return keys.map((k) => stableHash('block', k).slice(0, 20));
}

/** One field's part of a comparison: how the two values agree, and the weight that adds. No values: safe to show. */
export interface FieldComparison {
  readonly field: string;
  readonly level: string;
  readonly weight: number;
}

export interface MatchScore {
  readonly score: number;
  readonly fields: readonly FieldComparison[];
  /**
   * Whether something beyond name and place agrees: the birth date (exactly, or but for a typo unless two customer ids
   * of one system differ; a birth year only with the town or postcode; a date two keys wrong only with the full name
   * and the town), the street or a street's postcode (exactly or but for a typo), an identifier's exact value, or one
   * mailbox with its domain mistyped. Namesakes in one town (two Marco Rossi in Milano) agree on everything else, so
   * without it a pair is only ever a candidate.
   */
  readonly corroborated: boolean;
  /**
   * Whether the first names clearly differ (Mario and Maria, Marco and Luca) and no customer id or tax code agrees:
   * twins, and a household behind one e-mail, agree on everything else. Such a pair is never merged on its score, only
   * proposed, as the deterministic links refuse it too.
   */
  readonly firstNamesDiffer: boolean;
  /**
   * Whether both surnames and first names agree (exactly, or but for a spelling or a short form), or an identifier
   * does. A first name and a birth date alone are what every John born in 1850 shares: a record without a surname
   * would otherwise join them all into one profile, one pair at a time. Without it a merge needs
   * `SURNAMELESS_MARGIN` more.
   */
  readonly surnameVouched: boolean;
}

type Level = readonly [level: string, weight: number];

function nameLevel(a: string, b: string, w: { exact: number; close: number; near: number; other: number }): Level {
  if (a === b) return ['exact', w.exact];
  if (genderPair(a, b)) return ['sibling', w.other];
  const ta = a.split(' ');
  const tb = b.split(' ');
  if (ta.some((t) => t.length > 1 && tb.includes(t))) return ['token', w.close];
  if (w === FIRST && shareGivenName(a, b)) return ['nickname', w.close];
  const jw = jaroWinkler(a.replace(/ /g, ''), b.replace(/ /g, ''));
  if (jw >= 0.92 || phoneticKey(a) === phoneticKey(b)) return ['similar', w.close];
  if (jw >= 0.8) return ['near', w.near];
  if ((ta[0]!.length === 1 && b.startsWith(ta[0]!)) || (tb[0]!.length === 1 && a.startsWith(tb[0]!))) return ['initial', 1];
  return ['different', w.other];
}

const FIRST = { exact: 6.5, close: 4.5, near: 1.5, other: -12 };
const LAST = { exact: 7.5, close: 5, near: 1.5, other: -5 };

/** A value typed twice with at most two keys wrong: one edit, or two same-length substitutions (a swap). */
const typo = (a: string, b: string): boolean => distance(a, b) <= (a.length === b.length ? 2 : 1);

/**
 * Postcodes that name a street or a part of one (the UK's `SW1A 2AA`, the Netherlands' `1234 AB`, Canada's `K1A 0B6`:
 * letters and digits, five or more): as telling as the street itself. Italy's CAP, like other all-digit codes, names
 * a town or a district.
 */
const streetLevel = (z: string): boolean => z.length >= 5 && /[a-z]/.test(z) && /\d/.test(z);

/**
 * A 1 January birth date is as often a year written as a date as a birthday: it agrees with every namesake born that
 * year, so it weighs as a year, and corroborates only where the place agrees too (born that year, in that town).
 */
const isYearOnly = (d: string): boolean => d.endsWith('-01-01');

/**
 * Dates systems write when the birth date is unknown (the epochs of Excel, Unix and many ERPs, the first day of the
 * calendar): shared by strangers, they say nothing and weigh nothing.
 */
const PLACEHOLDER_DATES = new Set(['0001-01-01', '1899-12-30', '1899-12-31', '1900-01-01', '1970-01-01']);

const daysApart = (a: string, b: string): number => Math.abs(Date.parse(a) - Date.parse(b)) / 86_400_000;

const digitsOf = (s: string): string => s.replace(/\D/g, '');

/** Identifiers a system issues in sequence: customer codes and loyalty cards (a phone's neighbour is not issued so). */
const ISSUED_IN_SEQUENCE = new Set(['externalId', 'loyaltyCard']);

/** Two codes with one stem whose final numbers are at most 9 apart: issued one shortly after the other. */
function issuedNear(a: string, b: string): boolean {
  const [, stemA, numberA] = /^(.*?)(\d+)$/.exec(a) ?? [];
  const [, stemB, numberB] = /^(.*?)(\d+)$/.exec(b) ?? [];
  if (numberA === undefined || numberB === undefined || stemA !== stemB) return false;
  const apart = BigInt(numberA) - BigInt(numberB); // card numbers are longer than a double keeps exactly
  return apart >= -9n && apart <= 9n;
}

/** Generic top-level domains; with every two-letter country code, what a real domain ends in. */
const GENERIC_TLDS = new Set(['com', 'net', 'org', 'info', 'biz', 'edu', 'gov', 'int', 'eu', 'mobi', 'name', 'pro']);

/**
 * Mail providers a key or two apart from one another: `mario.rossi@` at each is a mailbox of its own, often of another
 * Mario Rossi, not a typo of the other.
 */
const MAIL_PROVIDERS = new Set([
  'gmail.com', 'ymail.com', 'mail.com', 'email.com', 'gmx.com', 'gmx.net', 'gmx.de', 'gmx.it', 'aol.com', 'aim.com', 'live.com', 'live.it',
  'hotmail.com', 'hotmail.it', 'outlook.com', 'outlook.it', 'yahoo.com', 'yahoo.it', 'icloud.com', 'me.com', 'mac.com', 'web.de',
  'email.it', 'tin.it', 'tim.it', 'libero.it', 'alice.it', 'virgilio.it', 'tiscali.it', 'inwind.it', 'iol.it', 'fastwebnet.it', 'pec.it', 'legalmail.it',
]);

const realTld = (tld: string): boolean => /^[a-z]{2}$/.test(tld) || GENERIC_TLDS.has(tld);

/**
 * Two addresses of one mailbox whose domain is mistyped (`e.rogers3@hopkins.org` and `e.rogers3@honkips.org`): the same
 * local part (with at least a few characters to it), at two domains that cannot both be real ones: not two known mail
 * providers (`gmail.com` and `ymail.com`), nor one name under two real top-level domains (`yahoo.it` and `yahoo.fr`).
 */
function domainTypo(x: string, y: string): boolean {
  const [ax, ay] = [x.lastIndexOf('@'), y.lastIndexOf('@')];
  const local = x.slice(0, ax);
  if (local.length < 4 || local !== y.slice(0, ay)) return false;
  const [dx, dy] = [x.slice(ax + 1), y.slice(ay + 1)];
  if (dx === dy || (MAIL_PROVIDERS.has(dx) && MAIL_PROVIDERS.has(dy))) return false;
  const [tx, ty] = [dx.slice(dx.lastIndexOf('.') + 1), dy.slice(dy.lastIndexOf('.') + 1)];
  const sameName = dx.slice(0, dx.length - tx.length) === dy.slice(0, dy.length - ty.length);
  return !(sameName && realTld(tx) && realTld(ty));
}

function identifierLevel(a: readonly string[], b: readonly string[]): FieldComparison[] {
  const out: FieldComparison[] = [];
  const kinds = new Set([...a, ...b].map((k) => k.slice(0, k.lastIndexOf(':'))));
  for (const kind of kinds) {
    const va = a.filter((k) => k.startsWith(`${kind}:`)).map((k) => k.slice(kind.length + 1));
    const vb = b.filter((k) => k.startsWith(`${kind}:`)).map((k) => k.slice(kind.length + 1));
    if (va.length === 0 || vb.length === 0) continue;
    const type = kind.split(':')[0]!;
    const field = type === 'externalId' ? 'customerId' : type;
    if (va.some((v) => vb.includes(v))) out.push({ field, level: 'exact', weight: type === 'externalId' || type === 'taxCode' ? 10 : 8 });
    // A typo, not a neighbour: `rossi3@` and `rossi47@`, `C00013` and `C00031` are other people's.
    else if (va.some((x) => vb.some((y) => typo(x, y) && digitsOf(x) === digitsOf(y)))) {
      // One mailbox with its domain mistyped (`gdavidson@jonnson-brown.com`) is as good as the address itself.
      const mailbox = type === 'email' && va.some((x) => vb.some((y) => typo(x, y) && domainTypo(x, y)));
      out.push({ field, level: mailbox ? 'domainTypo' : 'typo', weight: 3 });
    }
    // One key mistyped; two are a neighbour (`C000111` and `C001119`: sequential codes of other customers). So is a
    // code or card issued just before or after (`C000111` and `C000112`, a family's cards `…4410` and `…4411`): one key
    // apart, and someone else's.
    else if (type !== 'email' && va.some((x) => vb.some((y) => distance(x, y) === 1 && !(ISSUED_IN_SEQUENCE.has(type) && issuedNear(x, y))))) {
      out.push({ field, level: 'near', weight: 1 });
    }
    // People have many e-mails and phones: a different one says little. Ids and tax codes are one per person.
    else out.push({ field, level: 'different', weight: type === 'email' || type === 'phone' ? -1 : -4 });
  }
  return out;
}

/**
 * Compares two snapshots field by field. Missing values weigh nothing; first and last name swapped (`ROSSI MARIO`
 * read as first name Rossi) compare as the names they are, at a small cost.
 */
export function compareSnapshots(a: MatchSnapshot, b: MatchSnapshot): MatchScore {
  const fields: FieldComparison[] = [];
  const add = (field: string, [level, weight]: Level) => fields.push({ field, level, weight });
  const straight = (a.f && b.f ? nameLevel(a.f, b.f, FIRST)[1] : 0) + (a.l && b.l ? nameLevel(a.l, b.l, LAST)[1] : 0);
  // Crossed, both halves weigh as first names (the smaller weights): the same whichever record is `a`.
  const crossed = a.f && b.f && a.l && b.l ? nameLevel(a.f, b.l, FIRST)[1] + nameLevel(a.l, b.f, FIRST)[1] - 1 : -Infinity;
  // One name only, in the first-name field, that is the other's surname (`Ceely` and `Arthur Ceely`): a form with one
  // name box. It weighs as the surname it is, less one, and nothing vouches for the first name.
  const shifted = (x: MatchSnapshot, y: MatchSnapshot) => (x.f && !x.l && y.f && y.l ? nameLevel(x.f, y.l, LAST) : undefined);
  const shift = shifted(a, b) ?? shifted(b, a);
  if (shift && shift[1] > 0 && shift[1] - 1 > straight) {
    add('lastName', [`shifted.${shift[0]}`, shift[1] - 1]);
  } else if (crossed > straight) {
    const [fl, fw] = nameLevel(a.l!, b.f!, FIRST);
    const [ll, lw] = nameLevel(a.f!, b.l!, FIRST);
    add('firstName', [`swapped.${fl}`, fw - 1]);
    add('lastName', [`swapped.${ll}`, lw]);
  } else {
    if (a.f && b.f) add('firstName', nameLevel(a.f, b.f, FIRST));
    if (a.l && b.l) add('lastName', nameLevel(a.l, b.l, LAST));
  }
  const ids = identifierLevel(a.i ?? [], b.i ?? []);
  const ownIdAgrees = ids.some((f) => OWN_IDS.has(f.field) && f.level === 'exact');
  if (a.d && b.d && !PLACEHOLDER_DATES.has(a.d) && !PLACEHOLDER_DATES.has(b.d)) {
    const yearOnly = isYearOnly(a.d) || isYearOnly(b.d);
    if (yearOnly && a.d.slice(0, 4) === b.d.slice(0, 4)) add('birthDate', a.d === b.d ? ['year', 3] : ['sameYear', 1]);
    else if (yearOnly && Math.abs(Number(a.d.slice(0, 4)) - Number(b.d.slice(0, 4))) <= 2) add('birthDate', ['yearNear', -1]);
    // Two years one digit apart (`1814` and `1874`): a typo, or two people decades apart. Weighed as two dates two
    // digits apart are, and never corroborating.
    else if (yearOnly && typo(a.d.slice(0, 4), b.d.slice(0, 4))) add('birthDate', ['yearTypo', 0.5]);
    else if (a.d === b.d) add('birthDate', ['exact', 8]);
    else if (compatibleBirthDates(a.d, b.d)) add('birthDate', ['typo', 3.5]);
    else if (typo(a.d, b.d)) add('birthDate', ['near', 0.5]);
    // One account (a customer id, a tax code) with two dates is a date mistyped in one system: a parent and child
    // have an account each.
    else if (ownIdAgrees) add('birthDate', ['different.sameAccount', -2]);
    else if (daysApart(a.d, b.d) <= 366) add('birthDate', ['close', -2]);
    // A generation apart is a parent and child of one name at one address, whatever else agrees.
    else if (Math.abs(Number(a.d.slice(0, 4)) - Number(b.d.slice(0, 4))) >= 15) add('birthDate', ['generation', -30]);
    else add('birthDate', ['different', -10]);
  }
  if (a.g && b.g) add('gender', a.g === b.g ? ['same', 0.5] : ['different', -4]);
  if (a.z && b.z) {
    const typed = a.z.length === b.z.length && typo(a.z, b.z);
    if (a.z === b.z) add('postalCode', streetLevel(a.z) ? ['street', 6] : ['exact', 5]);
    // A street's postcode mistyped (`AL7 4EF` and `AL7 4EE`) still names that street; a CAP mistyped is another town.
    else if (typed && streetLevel(a.z) && streetLevel(b.z)) add('postalCode', ['streetTypo', 3]);
    else add('postalCode', typed ? ['typo', 1.5] : ['different', -2.5]);
  }
  if (a.c && b.c) {
    const jw = a.c === b.c ? 1 : jaroWinkler(a.c, b.c);
    add('city', jw === 1 ? ['exact', 3] : jw >= 0.88 ? ['similar', 1.5] : ['different', -1.5]);
  }
  if (a.a && b.a) {
    const jw = a.a === b.a ? 1 : jaroWinkler(a.a, b.a);
    add('address', jw === 1 ? ['exact', 6] : jw >= 0.9 ? ['similar', 3.5] : jw >= 0.75 ? ['near', 1] : ['different', -2.5]);
  }
  fields.push(...ids);
  const score = Math.round(fields.reduce((s, f) => s + f.weight, 0) * 100) / 100;
  // A birth date or street that agrees (exactly, or but for a typo); two dates two digits apart, or streets merely
  // alike, are what namesakes in one town have. Two customer ids of one system, or two tax codes, that differ say
  // "two accounts": then a date a typo away does not corroborate.
  const idsDiffer = fields.some((f) => OWN_IDS.has(f.field) && f.level === 'different');
  const placeAgrees = fields.some((f) => (f.field === 'city' && f.level === 'exact') || (f.field === 'postalCode' && PLACE_POSTCODE.has(f.level)));
  // A birth date two keys wrong with the years at most one apart (`1978-08-19` and `1978-09-18`, `1977-09-13` and
  // `1976-09-15`), of one full name in one town (the town's name may be mistyped): namesakes born within a year of each
  // other in one town are rarer than a form filled in carelessly. Years two digits apart (`1962` and `1970`) are
  // namesakes, and never corroborate.
  const yearsAdjacent = !!a.d && !!b.d && Math.abs(Number(a.d.slice(0, 4)) - Number(b.d.slice(0, 4))) <= 1;
  const placeAlike = placeAgrees || fields.some((f) => f.field === 'city' && f.level === 'similar');
  const namesExact = fields.some((f) => f.field === 'firstName' && f.level === 'exact') && fields.some((f) => f.field === 'lastName' && f.level === 'exact');
  // A surname alone at an address is anyone of that household: with only it, the place does not corroborate.
  const onlySurname = fields.some((f) => f.level.startsWith('shifted.'));
  const corroborated = fields.some(
    (f) =>
      (CORROBORATING[f.field]?.includes(f.level) && !(idsDiffer && f.level === 'typo') && !(onlySurname && f.field !== 'birthDate')) ||
      (IDENTIFIER_FIELDS.has(f.field) && f.level === 'exact') ||
      (f.field === 'birthDate' && f.level === 'year' && placeAgrees && !onlySurname) ||
      (f.field === 'birthDate' && f.level === 'near' && yearsAdjacent && placeAlike && namesExact && !idsDiffer),
  );
  // First names that clearly differ hold a merge back, unless an id that is one person's alone (a customer id, a tax
  // code) agrees: twins have their own; a household shares an e-mail or a phone.
  const firstNamesDiffer = !ownIdAgrees && fields.some((f) => f.field === 'firstName' && f.weight <= FIRST.other);
  const agrees = (field: string) => fields.some((f) => f.field === field && f.weight > 0);
  const surnameVouched = (agrees('lastName') && agrees('firstName')) || fields.some((f) => IDENTIFIER_FIELDS.has(f.field) && f.level === 'exact');
  return { score, fields, corroborated, firstNamesDiffer, surnameVouched };
}

const IDENTIFIER_FIELDS = new Set(['customerId', 'email', 'phone', 'taxCode', 'loyaltyCard']);
/** Identifiers one person has alone: a household or a company shares e-mails and phones, not these. */
const OWN_IDS = new Set(['customerId', 'taxCode']);
const PLACE_POSTCODE = new Set(['exact', 'street', 'streetTypo']);
const CORROBORATING: Record<string, readonly string[] | undefined> = { birthDate: ['exact', 'typo'], address: ['exact', 'similar'], postalCode: ['street', 'streetTypo'], email: ['domainTypo'] };

export type MatchDecision = 'merge' | 'review' | 'apart';

/** What a merge needs beyond `mergeAt` when the names do not both agree and no identifier does (a name missing, or changed). */
export const SURNAMELESS_MARGIN = 3;

export function decide(match: Pick<MatchScore, 'score' | 'corroborated' | 'firstNamesDiffer' | 'surnameVouched'>, config: MatchConfig): MatchDecision {
  const mergeAt = match.surnameVouched ? config.mergeAt : config.mergeAt + SURNAMELESS_MARGIN;
  if (match.score >= mergeAt && match.corroborated && !match.firstNamesDiffer) return 'merge';
  return match.score >= config.reviewAt ? 'review' : 'apart';
}

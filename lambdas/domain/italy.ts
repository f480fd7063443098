/** Italian reference data and checksums: provinces and regions, codice fiscale, partita IVA, CAP. */
import { onFirstUse } from './on-first-use.ts';
import { foldText } from './text.ts';

type Region = string;

const REGIONS: Readonly<Record<Region, Readonly<Record<string, string>>>> = {
  Piemonte: { AL: 'Alessandria', AT: 'Asti', BI: 'Biella', CN: 'Cuneo', NO: 'Novara', TO: 'Torino', VB: 'Verbano-Cusio-Ossola', VC: 'Vercelli' },
  "Valle d'Aosta": { AO: 'Aosta' },
  Lombardia: {
    BG: 'Bergamo', BS: 'Brescia', CO: 'Como', CR: 'Cremona', LC: 'Lecco', LO: 'Lodi', MN: 'Mantova', MI: 'Milano',
    MB: 'Monza e della Brianza', PV: 'Pavia', SO: 'Sondrio', VA: 'Varese',
  },
  'Trentino-Alto Adige': { BZ: 'Bolzano', TN: 'Trento' },
  Veneto: { BL: 'Belluno', PD: 'Padova', RO: 'Rovigo', TV: 'Treviso', VE: 'Venezia', VR: 'Verona', VI: 'Vicenza' },
  'Friuli-Venezia Giulia': { GO: 'Gorizia', PN: 'Pordenone', TS: 'Trieste', UD: 'Udine' },
  Liguria: { GE: 'Genova', IM: 'Imperia', SP: 'La Spezia', SV: 'Savona' },
  'Emilia-Romagna': {
    BO: 'Bologna', FE: 'Ferrara', FC: 'Forlì-Cesena', MO: 'Modena', PR: 'Parma', PC: 'Piacenza', RA: 'Ravenna',
    RE: 'Reggio Emilia', RN: 'Rimini',
  },
  Toscana: {
    AR: 'Arezzo', FI: 'Firenze', GR: 'Grosseto', LI: 'Livorno', LU: 'Lucca', MS: 'Massa-Carrara', PI: 'Pisa',
    PT: 'Pistoia', PO: 'Prato', SI: 'Siena',
  },
  Umbria: { PG: 'Perugia', TR: 'Terni' },
  Marche: { AN: 'Ancona', AP: 'Ascoli Piceno', FM: 'Fermo', MC: 'Macerata', PU: 'Pesaro e Urbino' },
  Lazio: { FR: 'Frosinone', LT: 'Latina', RI: 'Rieti', RM: 'Roma', VT: 'Viterbo' },
  Abruzzo: { AQ: "L'Aquila", CH: 'Chieti', PE: 'Pescara', TE: 'Teramo' },
  Molise: { CB: 'Campobasso', IS: 'Isernia' },
  Campania: { AV: 'Avellino', BN: 'Benevento', CE: 'Caserta', NA: 'Napoli', SA: 'Salerno' },
  Puglia: { BA: 'Bari', BT: 'Barletta-Andria-Trani', BR: 'Brindisi', FG: 'Foggia', LE: 'Lecce', TA: 'Taranto' },
  Basilicata: { MT: 'Matera', PZ: 'Potenza' },
  Calabria: { CZ: 'Catanzaro', CS: 'Cosenza', KR: 'Crotone', RC: 'Reggio Calabria', VV: 'Vibo Valentia' },
  Sicilia: {
    AG: 'Agrigento', CL: 'Caltanissetta', CT: 'Catania', EN: 'Enna', ME: 'Messina', PA: 'Palermo', RG: 'Ragusa',
    SR: 'Siracusa', TP: 'Trapani',
  },
  Sardegna: {
    CA: 'Cagliari', NU: 'Nuoro', OR: 'Oristano', SS: 'Sassari', SU: 'Sud Sardegna',
    // Abolished in 2016 but still found in older exports.
    CI: 'Carbonia-Iglesias', VS: 'Medio Campidano', OG: 'Ogliastra', OT: 'Olbia-Tempio',
  },
};

/** Other names people type for a province. */
const ALIASES: Readonly<Record<string, string>> = {
  'bolzano bozen': 'BZ', bozen: 'BZ', 'alto adige': 'BZ', 'sudtirol': 'BZ', 'aoste': 'AO', "valle d'aosta": 'AO',
  'pesaro urbino': 'PU', pesaro: 'PU', urbino: 'PU', 'massa carrara': 'MS', massa: 'MS', carrara: 'MS',
  'reggio nell emilia': 'RE', 'reggio di calabria': 'RC', 'monza brianza': 'MB', monza: 'MB', brianza: 'MB',
  'monza e brianza': 'MB', forli: 'FC', cesena: 'FC', verbania: 'VB', spezia: 'SP', aquila: 'AQ', 'barletta andria trani': 'BT',
  barletta: 'BT', andria: 'BT', trani: 'BT', 'roma capitale': 'RM', rome: 'RM', milan: 'MI', naples: 'NA',
  turin: 'TO', florence: 'FI', venice: 'VE', genoa: 'GE', padua: 'PD', mantua: 'MN', syracuse: 'SR',
};

export interface Province {
  readonly code: string;
  readonly name: string;
  readonly region: Region;
}

const fold = foldText;

const provinces = /* @__PURE__ */ onFirstUse(() => {
  const byCode = new Map<string, Province>();
  const byName = new Map<string, string>();
  for (const [region, inRegion] of Object.entries(REGIONS)) {
    for (const [code, name] of Object.entries(inRegion)) {
      byCode.set(code, { code, name, region });
      byName.set(fold(name), code);
      byName.set(fold(`provincia di ${name}`), code);
      byName.set(fold(`citta metropolitana di ${name}`), code);
    }
  }
  for (const [alias, code] of Object.entries(ALIASES)) byName.set(fold(alias), code);
  return { byCode, byName };
});

/** A province from its code (`MI`, `(MI)`, `mi`) or its name (`Milano`, `Forli'-Cesena`, `Provincia di Milano`). */
export function findProvince(raw: string): Province | undefined {
  const trimmed = raw.trim().replace(/^\((.*)\)$/, '$1');
  const { byCode, byName } = provinces();
  if (/^[A-Za-z]{2}$/.test(trimmed)) return byCode.get(trimmed.toUpperCase());
  const code = byName.get(fold(trimmed));
  return code ? byCode.get(code) : undefined;
}

export const provinceCodes = (): string[] => [...provinces().byCode.keys()];

// Codice fiscale: odd-position values (1st, 3rd, ... character), even-position values, and the check letter.
const ODD: Readonly<Record<string, number>> = Object.fromEntries(
  [1, 0, 5, 7, 9, 13, 15, 17, 19, 21].map((v, i) => [String(i), v]).concat(
    [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23].map((v, i) => [
      String.fromCharCode(65 + i),
      v,
    ]),
  ),
);
const EVEN = (ch: string): number => (ch >= '0' && ch <= '9' ? ch.charCodeAt(0) - 48 : ch.charCodeAt(0) - 65);
const CF_PATTERN = /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;

/** The check character a 15-character codice fiscale prefix should end with. */
export function codiceFiscaleCheck(first15: string): string {
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const ch = first15[i]!;
    sum += i % 2 === 0 ? ODD[ch]! : EVEN(ch);
  }
  return String.fromCharCode(65 + (sum % 26));
}

const letters = (s: string): string => foldText(s).replace(/[^a-z]/g, '').toUpperCase();
const consonants = (s: string): string => s.replace(/[AEIOU]/g, '');
const vowels = (s: string): string => s.replace(/[^AEIOU]/g, '');

/** The first six letters of a codice fiscale: three of the surname, three of the given name(s). */
export function codiceFiscaleNames(surname: string, name: string): string {
  const [s, n] = [letters(surname), letters(name)];
  const c = consonants(n);
  // A given name with four consonants or more gives its first, third and fourth.
  const nameCode = c.length >= 4 ? c[0]! + c[2]! + c[3]! : `${c}${vowels(n)}XXX`.slice(0, 3);
  return `${consonants(s)}${vowels(s)}XXX`.slice(0, 3) + nameCode;
}

/** Whether a codice fiscale's first six letters spell this person's names (either way round: `ROSSI MARIO` read as a given name Rossi). */
export function codiceFiscaleSpells(code: string, firstName: string, lastName: string): boolean {
  const letters6 = code.slice(0, 6).toUpperCase();
  return codiceFiscaleNames(lastName, firstName) === letters6 || codiceFiscaleNames(firstName, lastName) === letters6;
}

/**
 * Which words of a name written whole (`ROSSI MARIO`, `Maria Grazia De Luca`) are the surname, by the person's
 * codice fiscale: the reading whose letters its first six are. Undefined when none is (a business name, another
 * person's code).
 */
export function namesByCodiceFiscale(whole: string, codiceFiscale: string): { firstName: string; lastName: string } | undefined {
  const words = whole.trim().split(/\s+/);
  const code = codiceFiscale.slice(0, 6).toUpperCase();
  for (let cut = 1; cut < words.length; cut++) {
    const [head, tail] = [words.slice(0, cut).join(' '), words.slice(cut).join(' ')];
    if (codiceFiscaleNames(head, tail) === code) return { lastName: head, firstName: tail };
    if (codiceFiscaleNames(tail, head) === code) return { firstName: head, lastName: tail };
  }
  return undefined;
}

/** Omocodia: a digit of a code that clashed with another is replaced by one of these letters, in this order. */
const OMOCODIA = 'LMNPQRSTUV';
const MONTHS = 'ABCDEHLMPRST';

/**
 * The birth date and sex a person's codice fiscale states: characters 7-8 the year, 9 the month (A = January ... T =
 * December), 10-11 the day (plus 40 for a woman), with omocodia letters read back as digits. The code gives the year
 * without its century: it is the latest one not after `year` (a code ending in 05 in 2026 is 2005, one in 30 is
 * 1930), which is wrong only for people over a hundred. Undefined for a company's code or an impossible date.
 */
export function codiceFiscaleBirth(code: string, year: number): { birthDate: string; gender: 'm' | 'f' } | undefined {
  if (code.length !== 16 || !CF_PATTERN.test(code)) return undefined;
  const digits = (s: string) => Number([...s].map((c) => (OMOCODIA.includes(c) ? String(OMOCODIA.indexOf(c)) : c)).join(''));
  const yy = digits(code.slice(6, 8));
  const month = MONTHS.indexOf(code[8]!) + 1;
  const dd = digits(code.slice(9, 11));
  const day = dd > 40 ? dd - 40 : dd;
  const century = Math.floor(year / 100) * 100;
  const full = century + yy <= year ? century + yy : century - 100 + yy;
  if (day < 1 || day > new Date(Date.UTC(full, month, 0)).getUTCDate()) return undefined;
  const birthDate = `${full}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return { birthDate, gender: dd > 40 ? 'f' : 'm' };
}

/**
 * What the codici fiscali of a person state of their birth, from those that spell one of the person's names (a code
 * that spells another name is another person's: a parent's on a child's account). For a record or a profile that
 * gives no birth date of its own, seen at `at` (the century is the latest one not after its year).
 */
export function birthByCodiciFiscali(
  codes: readonly string[],
  firstNames: readonly string[],
  lastNames: readonly string[],
  at: string,
): { birthDate: string; gender: 'm' | 'f' }[] {
  const out: { birthDate: string; gender: 'm' | 'f' }[] = [];
  for (const code of codes) {
    if (!firstNames.some((f) => lastNames.some((l) => codiceFiscaleSpells(code, f, l)))) continue;
    const birth = codiceFiscaleBirth(code, Number(at.slice(0, 4)));
    if (birth) out.push(birth);
  }
  return out;
}

/** The birth dates a person's codici fiscali state (as birthByCodiciFiscali). */
export const statedBirthDates = (codes: readonly string[], firstNames: readonly string[], lastNames: readonly string[], at: string): string[] =>
  birthByCodiciFiscali(codes, firstNames, lastNames, at).map((b) => b.birthDate);

export type CheckResult = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly reason: string };

/** A person's 16-character codice fiscale (omocodia included), or a company's 11-digit one (same as partita IVA). */
export function checkCodiceFiscale(raw: string): CheckResult {
  const v = raw.replace(/[\s.-]/g, '').toUpperCase();
  if (/^\d{11}$/.test(v)) return checkPartitaIva(v);
  if (!CF_PATTERN.test(v)) return { ok: false, reason: 'taxCode.syntax' };
  if (codiceFiscaleCheck(v.slice(0, 15)) !== v[15]) return { ok: false, reason: 'taxCode.checksum' };
  return { ok: true, value: v };
}

/** Partita IVA: 11 digits (an `IT` prefix is accepted) with its Luhn-style check digit. */
export function checkPartitaIva(raw: string): CheckResult {
  const v = raw.replace(/[\s.-]/g, '').toUpperCase().replace(/^IT/, '');
  if (!/^\d{11}$/.test(v)) return { ok: false, reason: 'vatNumber.syntax' };
  if (/^0{11}$/.test(v)) return { ok: false, reason: 'vatNumber.placeholder' };
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    let d = v.charCodeAt(i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  if ((10 - (sum % 10)) % 10 !== v.charCodeAt(10) - 48) return { ok: false, reason: 'vatNumber.checksum' };
  return { ok: true, value: v };
}

/** Italian CAP: five digits; spreadsheets drop leading zeros (00184 -> 184), so 3-4 digits are padded back. */
export function checkCap(raw: string): CheckResult {
  const v = raw.trim().replace(/\.0+$/, '');
  if (/^\d{5}$/.test(v)) return { ok: true, value: v };
  if (/^\d{3,4}$/.test(v)) return { ok: true, value: v.padStart(5, '0') };
  return { ok: false, reason: 'postalCode.syntax' };
}

/**
 * Recognises export headers by synonym (Italian and English) when a source has no mapping file. Keys are canonical
 * field paths; matching ignores case, accents, spaces and punctuation.
 */
export const HEADER_SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  'person.firstName': ['nome', 'first name', 'firstname', 'given name', 'name first'],
  'person.lastName': ['cognome', 'last name', 'lastname', 'surname', 'family name'],
  'person.birthDate': ['data di nascita', 'data nascita', 'birth date', 'birthdate', 'date of birth', 'dob'],
  'person.gender': ['sesso', 'genere', 'gender', 'sex'],
  'identifiers.email': ['email', 'e-mail', 'e mail', 'mail', 'email address', 'indirizzo email', 'posta elettronica'],
  'identifiers.phone': [
    'telefono',
    'cellulare',
    'cell',
    'mobile',
    'phone',
    'phone number',
    'tel',
    'numero di telefono',
  ],
  'identifiers.externalId': ['codice cliente', 'id cliente', 'cod cliente', 'customer id', 'customer code', 'id'],
  'identifiers.taxCode': ['codice fiscale', 'cf', 'cod fiscale', 'tax code', 'fiscal code'],
  'identifiers.vatNumber': ['partita iva', 'p iva', 'piva', 'vat', 'vat number'],
  'company.name': ['ragione sociale', 'azienda', 'societa', 'company', 'company name', 'organization'],
  'address.line1': ['indirizzo', 'via', 'address', 'address 1', 'street'],
  'address.postalCode': ['cap', 'codice postale', 'zip', 'postal code', 'postcode', 'zip code'],
  'address.city': ['citta', 'comune', 'localita', 'city', 'town'],
  'address.province': ['provincia', 'prov', 'sigla provincia', 'province', 'province code', 'state', 'county'],
  'address.country': ['nazione', 'paese', 'stato', 'country', 'country code'],
};

/** Folds a header for comparison: lower case, no accents, punctuation as single spaces. */
export function foldHeader(h: string): string {
  return h
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

const LOOKUP: ReadonlyMap<string, string> = new Map(
  Object.entries(HEADER_SYNONYMS).flatMap(([field, names]) => names.map((n) => [foldHeader(n), field] as const)),
);

/** Canonical field for each header that is recognised; the first column wins when two mean the same field. */
export function recogniseHeaders(headers: readonly string[]): Map<string, string> {
  const fieldToHeader = new Map<string, string>();
  for (const h of headers) {
    const field = LOOKUP.get(foldHeader(h));
    if (field && !fieldToHeader.has(field)) fieldToHeader.set(field, h);
  }
  return fieldToHeader;
}

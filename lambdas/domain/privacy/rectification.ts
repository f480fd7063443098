import { checkPartitaIva } from '../italy.ts';
import {
  type Cleaned,
  foreignPostalCode,
  normaliseCity,
  normaliseCompanyName,
  normaliseCountry,
  normaliseDate,
  normaliseGender,
  normaliseName,
  normalisePostalCode,
  normaliseProvince,
} from '../normalise.ts';
import { RECTIFIABLE_FIELDS } from '../profile.ts';
import { cleanText } from '../text.ts';

/**
 * Art. 16: the corrected values a data subject gives, cleaned as an import cleans them, so that a rectified profile
 * reads like every other (a province `Milano` is `MI`, a CAP `184` is `00184`, `italia` is `IT`): the KPIs, segments and
 * the matcher compare them with imported values. A value the import would not take is refused with its reason (no
 * value in the message). An empty value clears the field.
 */
export type Rectification = { readonly ok: true; readonly changes: Readonly<Record<string, string>> } | { readonly ok: false; readonly error: string };

const text = (raw: string): Cleaned<string> => ({ ok: true, value: cleanText(raw) });

/** An Italian province's code; elsewhere the words given, as an import keeps a foreign state. */
function province(raw: string, country: string | undefined): Cleaned<string> {
  const it = normaliseProvince(raw);
  if (it.ok && (!country || country === 'IT')) return { ok: true, value: it.value.code };
  return country === 'IT' ? { ok: false, reason: 'province.unknown' } : text(raw);
}

/** An Italian CAP where the country is Italy or unknown and it reads as one; else a foreign postcode's syntax. */
function postalCode(raw: string, country: string | undefined): Cleaned<string> {
  if (country) return normalisePostalCode(raw, country);
  const it = normalisePostalCode(raw, 'IT');
  return it.ok ? it : foreignPostalCode(raw);
}

const CLEANERS: Readonly<Record<string, (raw: string, country: string | undefined) => Cleaned<string>>> = {
  firstName: normaliseName,
  lastName: normaliseName,
  gender: normaliseGender,
  birthDate: (raw) => normaliseDate(raw),
  language: (raw) => text(raw.toLowerCase()),
  companyName: normaliseCompanyName,
  companyVatNumber: checkPartitaIva,
  city: normaliseCity,
  country: normaliseCountry,
  province,
  postalCode,
};

export function cleanRectification(given: Readonly<Record<string, string>>): Rectification {
  const unknown = Object.keys(given).find((f) => !RECTIFIABLE_FIELDS.includes(f));
  if (unknown !== undefined) return { ok: false, error: `${unknown} cannot be rectified; fields: ${RECTIFIABLE_FIELDS.join(', ')}` };
  const countryGiven = given.country?.trim();
  const country = countryGiven ? normaliseCountry(countryGiven) : undefined;
  const changes: Record<string, string> = {};
  for (const [field, raw] of Object.entries(given)) {
    const v = raw.trim();
    if (v === '') {
      changes[field] = '';
      continue;
    }
    const c = (CLEANERS[field] ?? text)(v, country?.ok ? country.value : undefined);
    if (!c.ok) return { ok: false, error: `${field}: ${c.reason}` };
    changes[field] = c.value;
  }
  // An Italian province names its region, as an import reads it: a corrected province does not keep the old region.
  const italian = !country?.ok || country.value === 'IT';
  const p = italian && changes.province ? normaliseProvince(changes.province) : undefined;
  if (p?.ok && changes.province === p.value.code && given.region === undefined) changes.region = p.value.region;
  return { ok: true, changes };
}

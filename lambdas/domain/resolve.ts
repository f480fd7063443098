import { type CanonicalRecord, type Identifier, type IdentifierType, identifierKey } from './canonical.ts';
import { stableHash } from './hash.ts';

/** Identifier types in the order they are trusted to name a person (first wins when choosing a new profile id). */
export const IDENTIFIER_PRIORITY: readonly IdentifierType[] = [
  'taxCode',
  'externalId',
  'email',
  'phone',
  'loyaltyCard',
  'vatNumber',
];

/** Identifiers that may link records to one person (deterministic links), strongest first. */
export function linkingIdentifiers(record: CanonicalRecord): Identifier[] {
  return [...record.identifiers]
    .filter((i) => IDENTIFIER_PRIORITY.includes(i.type))
    .sort(
      (a, b) =>
        IDENTIFIER_PRIORITY.indexOf(a.type) - IDENTIFIER_PRIORITY.indexOf(b.type) || a.value.localeCompare(b.value),
    );
}

/**
 * The profile id a record would create: derived from its strongest identifier, so two resolvers racing on records
 * of the same new person converge on one id.
 */
export function newProfileId(record: CanonicalRecord): string {
  const [first] = linkingIdentifiers(record);
  return `p_${stableHash('profile', first ? identifierKey(first) : record.recordId).slice(0, 20)}`;
}

/**
 * Which existing profile a record joins, given the owners of its identifiers. With no owner it creates one; with
 * several, the oldest (smallest id) is chosen and the others are reported as conflicting owners.
 */
export function chooseProfile(
  record: CanonicalRecord,
  owners: ReadonlyMap<string, string>,
): { readonly profileId: string; readonly isNew: boolean; readonly otherOwners: readonly string[] } {
  const distinct = [...new Set(owners.values())].sort();
  const [chosen, ...others] = distinct;
  if (!chosen) return { profileId: newProfileId(record), isNew: true, otherOwners: [] };
  return { profileId: chosen, isNew: false, otherOwners: others };
}

export interface ProfileAttributes {
  firstName?: string;
  lastName?: string;
  companyName?: string;
  city?: string;
  province?: string;
  postalCode?: string;
  country?: string;
}

/** Survivorship (foundation rule: the most recent non-empty value wins; per-source priority arrives with identity). */
export function surviveAttributes(current: ProfileAttributes, record: CanonicalRecord): ProfileAttributes {
  const incoming: ProfileAttributes = {
    firstName: record.person?.firstName,
    lastName: record.person?.lastName,
    companyName: record.company?.name,
    city: record.address?.city,
    province: record.address?.province,
    postalCode: record.address?.postalCode,
    country: record.address?.country,
  };
  const out: ProfileAttributes = { ...current };
  for (const [k, v] of Object.entries(incoming) as [keyof ProfileAttributes, string | undefined][]) {
    if (v) out[k] = v;
  }
  return out;
}

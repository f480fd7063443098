import { type CanonicalRecord, type Identifier, identifierKey } from './canonical.ts';
import { stableHash } from './hash.ts';
import { blockedReason, type IdentityConfig } from './identity-config.ts';
import { statedBirthDates } from './italy.ts';
import { compatibleBirthDates, compatibleFirstNames, compatibleLastNames } from './similarity.ts';

/** What tells two people apart: the values of a record, or every value a profile has seen. */
export interface PersonKey {
  readonly firstNames: readonly string[];
  readonly lastNames: readonly string[];
  readonly birthDates: readonly string[];
  readonly taxCodes: readonly string[];
}

export function personKeyOf(record: CanonicalRecord): PersonKey {
  const p = record.person;
  const firstNames = p?.firstName ? [p.firstName] : [];
  const lastNames = p?.lastName ? [p.lastName] : [];
  const taxCodes = record.identifiers.filter((i) => i.type === 'taxCode').map((i) => i.value);
  // A father's invoices (his code) and his son's shop sign-up (a date) behind one family e-mail are two people.
  return { firstNames, lastNames, birthDates: p?.birthDate ? [p.birthDate] : statedBirthDates(taxCodes, firstNames, lastNames, record.receivedAt), taxCodes };
}

const anyPair = (a: readonly string[], b: readonly string[], ok: (x: string, y: string) => boolean): boolean =>
  a.some((x) => b.some((y) => ok(x, y)));

/**
 * Identifiers one person holds alone: a customer id of one system, a tax code. A household shares e-mails and phones,
 * and colleagues a company's, but not these.
 */
export const OWN_IDENTIFIERS: ReadonlySet<string> = new Set(['taxCode', 'externalId']);

/**
 * Why two people cannot be one, or undefined when they may be: different tax codes, birth dates (beyond a typo),
 * first names (a household behind one e-mail) or surnames (colleagues behind one company phone). Missing values never
 * conflict; first and last name swapped (`ROSSI MARIO` read as first name Rossi) are the same person.
 *
 * `sameAccount`: the two share an identifier one person holds alone (a customer id, a tax code). Then a birth date
 * that disagrees is a data-entry error in one system, not a second person (a parent and child have two accounts);
 * names still tell apart the contacts a company keeps under one account.
 */
export function conflict(a: PersonKey, b: PersonKey, sameAccount = false): string | undefined {
  if (a.taxCodes.length > 0 && b.taxCodes.length > 0 && !a.taxCodes.some((t) => b.taxCodes.includes(t))) return 'conflict.taxCode';
  if (!sameAccount && a.birthDates.length > 0 && b.birthDates.length > 0 && !anyPair(a.birthDates, b.birthDates, compatibleBirthDates)) return 'conflict.birthDate';
  const firstOk = a.firstNames.length === 0 || b.firstNames.length === 0 || anyPair(a.firstNames, b.firstNames, compatibleFirstNames);
  const lastOk = a.lastNames.length === 0 || b.lastNames.length === 0 || anyPair(a.lastNames, b.lastNames, compatibleLastNames);
  if (firstOk && lastOk) return undefined;
  const swapped =
    a.firstNames.length > 0 && b.lastNames.length > 0 && a.lastNames.length > 0 && b.firstNames.length > 0 &&
    anyPair(a.firstNames, b.lastNames, compatibleLastNames) && anyPair(a.lastNames, b.firstNames, compatibleFirstNames);
  if (swapped) return undefined;
  return firstOk ? 'conflict.lastName' : 'conflict.firstName';
}

export function unionKeys(a: PersonKey, b: PersonKey): PersonKey {
  const u = (x: readonly string[], y: readonly string[]) => [...new Set([...x, ...y])];
  return { firstNames: u(a.firstNames, b.firstNames), lastNames: u(a.lastNames, b.lastNames), birthDates: u(a.birthDates, b.birthDates), taxCodes: u(a.taxCodes, b.taxCodes) };
}

/** A profile that owns an identifier, as the resolver sees it. */
export interface OwnerView {
  readonly profileId: string;
  readonly person: PersonKey;
  /** Active profiles a person's decision (an unmerge, a dismissed duplicate) keeps apart from this one. */
  readonly apart?: readonly string[];
}

/** Whether a person's decision keeps the two apart (either side may say so). */
export const keptApart = (a: OwnerView, b: OwnerView): boolean =>
  (a.apart?.includes(b.profileId) ?? false) || (b.apart?.includes(a.profileId) ?? false);

export interface IdentifierView {
  readonly identifier: Identifier;
  readonly key: string;
  /** Active profiles that own this value (merged owners already followed to their survivor). */
  readonly owners: readonly OwnerView[];
}

export interface BlockedLink {
  readonly key: string;
  readonly reason: string;
  readonly profileId?: string;
}

export interface ResolutionPlan {
  /** The profile the record lands in (existing, or new). */
  readonly target: string;
  readonly isNew: boolean;
  /** Other profiles the record proves to be the same person: merged into `target`. */
  readonly merge: readonly string[];
  /** Identifiers `target` must own. */
  readonly claim: readonly string[];
  /** Links not made, and why. */
  readonly blocked: readonly BlockedLink[];
}

/** A new profile's id: derived from the record that creates it, so a redelivered record recreates the same one. */
export const newProfileIdFor = (record: CanonicalRecord): string => `p_${stableHash('profile', record.recordId).slice(0, 20)}`;

/** The record's identifiers that may link, strongest first (by the configured order), each once. */
export function linkingIdentifiers(record: CanonicalRecord, config: IdentityConfig): Identifier[] {
  const seen = new Set<string>();
  return record.identifiers
    .filter((i) => config.linking.includes(i.type as never))
    .sort((a, b) => config.linking.indexOf(a.type as never) - config.linking.indexOf(b.type as never) || a.value.localeCompare(b.value))
    .filter((i) => {
      const k = identifierKey(i);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
}

/**
 * Decides where a record belongs, from the owners of its identifiers (pure: the store reads, this decides).
 *
 * Owners whose person conflicts with the record's are not joined (the link is recorded as blocked). The record joins
 * every compatible owner; when those are several profiles, they are one person and merge into the oldest id that is
 * compatible with all of them (greedily, most shared identifiers first), but never two an unmerge split. A value
 * already joining `maxPeoplePerIdentifier` people links no one else.
 */
export function planResolution(record: CanonicalRecord, views: readonly IdentifierView[], config: IdentityConfig): ResolutionPlan {
  const person = personKeyOf(record);
  const blocked: BlockedLink[] = [];
  const shared = new Map<string, { owner: OwnerView; count: number; sameAccount: boolean }>();
  const linkable: IdentifierView[] = [];
  for (const view of views) {
    const reason = blockedReason(view.identifier.type, view.identifier.value, config);
    if (reason) {
      blocked.push({ key: view.key, reason });
      continue;
    }
    linkable.push(view);
    const sameAccount = OWN_IDENTIFIERS.has(view.identifier.type);
    for (const owner of view.owners) {
      const why = conflict(person, owner.person, sameAccount);
      if (why) {
        blocked.push({ key: view.key, reason: why, profileId: owner.profileId });
        continue;
      }
      const s = shared.get(owner.profileId);
      if (s) {
        s.count++;
        s.sameAccount ||= sameAccount;
      } else shared.set(owner.profileId, { owner, count: 1, sameAccount });
    }
  }

  const ranked = [...shared.values()].sort((a, b) => b.count - a.count || a.owner.profileId.localeCompare(b.owner.profileId));
  const cluster: OwnerView[] = [];
  let clusterKey = person;
  for (const { owner, sameAccount } of ranked) {
    const split = cluster.find((member) => keptApart(member, owner));
    if (split) {
      blocked.push({ key: 'cluster', reason: 'unmerged', profileId: owner.profileId });
      continue;
    }
    const why = conflict(clusterKey, owner.person, sameAccount);
    if (why) {
      blocked.push({ key: 'cluster', reason: why, profileId: owner.profileId });
      continue;
    }
    cluster.push(owner);
    clusterKey = unionKeys(clusterKey, owner.person);
  }
  const ids = cluster.map((o) => o.profileId).sort();
  const target = ids[0] ?? newProfileIdFor(record);
  const members = new Set(ids);

  const claim: string[] = [];
  for (const view of linkable) {
    if (view.owners.some((o) => members.has(o.profileId))) {
      if (!view.owners.some((o) => o.profileId === target)) claim.push(view.key);
      continue;
    }
    if (view.owners.length >= config.maxPeoplePerIdentifier) {
      blocked.push({ key: view.key, reason: 'identifier.tooManyPeople' });
      continue;
    }
    claim.push(view.key);
  }
  return { target, isNew: ids.length === 0, merge: ids.slice(1), claim, blocked };
}

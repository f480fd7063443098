import { type CanonicalRecord, identifierKey } from '../domain/canonical.ts';
import { chooseProfile, linkingIdentifiers, surviveAttributes } from '../domain/resolve.ts';
import type { ProfileStore } from '../ports/index.ts';
import { ContentionError } from '../shared/errors.ts';

const MAX_ATTEMPTS = 8;

export type ResolveOutcome = { readonly profileId: string; readonly result: 'applied' | 'duplicate' };

/**
 * Links a record to a profile by its strong identifiers, claiming the unclaimed ones, and applies it once.
 * Safe under concurrent resolvers and redelivery: identifier claims are conditional puts, the profile update is
 * conditioned on its version, and a record id is applied at most once.
 */
export async function resolveRecord(store: ProfileStore, record: CanonicalRecord): Promise<ResolveOutcome> {
  const ids = linkingIdentifiers(record).map(identifierKey);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const owners = await store.findOwners(ids);
    const { profileId } = chooseProfile(record, owners);
    let lostRace = false;
    for (const key of ids) {
      if (owners.has(key)) continue;
      const owner = await store.claim(key, profileId, record.recordId);
      if (owner !== profileId) lostRace = true;
    }
    if (lostRace && !owners.size) continue; // another resolver created this person first: join it
    const current = await store.getProfile(profileId);
    const attributes = surviveAttributes(current?.attributes ?? {}, record);
    const result = await store.applyRecord(current ?? { profileId, version: 0 }, record, attributes);
    if (result !== 'conflict') return { profileId, result };
  }
  throw new ContentionError(`Profile still contended after ${MAX_ATTEMPTS} attempts`);
}

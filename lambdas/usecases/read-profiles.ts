import type { IdentityConfig } from '../domain/identity-config.ts';
import { lifecycleOf, type ProfileState } from '../domain/profile.ts';
import type { ProfileStore } from '../ports/profiles.ts';
import { activeProfile } from './resolve-record.ts';

/** A profile as people and tools read it (`cdp profiles get`, `GET /profiles/{id}`). */
export interface ProfileView {
  readonly profileId: string;
  /** Set when the id asked for was merged into this profile. */
  readonly requestedId?: string;
  readonly identifiers: readonly string[];
  readonly attributes: Readonly<Record<string, string>>;
  /** Every value seen per field, best first, with its source and time. */
  readonly values: ProfileState['values'];
  readonly consents: ProfileState['consents'];
  readonly orders: ProfileState['orders'];
  readonly lead?: ProfileState['lead'];
  readonly lifecycle: string;
  readonly score: number;
  readonly sources: readonly string[];
  readonly recordCount: number;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
  readonly restricted?: ProfileState['restricted'];
  /** Profiles an unmerge split from this one (ids as they were then), never merged with it again automatically. */
  readonly keptApartFrom?: readonly string[];
}

export function viewOf(state: ProfileState, requestedId?: string): ProfileView {
  const { lifecycle, score } = lifecycleOf(state);
  return {
    profileId: state.profileId,
    ...(requestedId && requestedId !== state.profileId ? { requestedId } : {}),
    identifiers: state.identifiers,
    attributes: state.attributes,
    values: state.values,
    consents: state.consents,
    orders: state.orders,
    ...(state.lead ? { lead: state.lead } : {}),
    lifecycle,
    score,
    sources: state.sources,
    recordCount: state.recordCount,
    firstSeenAt: state.firstSeenAt,
    lastSeenAt: state.lastSeenAt,
    ...(state.restricted ? { restricted: state.restricted } : {}),
    ...(state.apart?.length ? { keptApartFrom: state.apart } : {}),
  };
}

/** The profile an id stands for now (a merged-away id answers with the surviving profile). */
export async function profileById(store: ProfileStore, config: IdentityConfig, profileId: string): Promise<ProfileView | undefined> {
  const active = await activeProfile(store, config, profileId);
  return active.profile ? viewOf(active.profile.state, profileId) : undefined;
}

/** The profiles an identifier (`email:a@b.it`) belongs to: one, or several for a value people share. */
export async function profilesByIdentifier(store: ProfileStore, config: IdentityConfig, identifierKey: string): Promise<ProfileView[]> {
  for (let attempt = 0; ; attempt++) {
    const item = (await store.getIdentities([identifierKey])).get(identifierKey);
    const found = new Map<string, ProfileView>();
    let split = false;
    for (const owner of item?.owners ?? []) {
      const active = await activeProfile(store, config, owner);
      if (active.split) split = true;
      if (active.profile && !found.has(active.id)) found.set(active.id, viewOf(active.profile.state, owner));
    }
    // An unmerge finished on the way re-points the identifier: read it again.
    if (!split || attempt > 0) return [...found.values()];
  }
}

import type { IdentityConfig } from '../domain/identity-config.ts';
import type { DuplicateCandidate, ProfileStore } from '../ports/profiles.ts';
import { ContentionError } from '../shared/errors.ts';
import { activeProfile, amendProfile, mergeInto, profileOfRecord } from './resolve-record.ts';

/** An open duplicate candidate as a person reviews it: the two profiles its records are in now. */
export interface DuplicateView extends DuplicateCandidate {
  readonly profiles: readonly [string, string];
}

/** The active profiles a candidate's records are in now; undefined when one of them is gone (erased). */
async function profilesOf(store: ProfileStore, config: IdentityConfig, c: DuplicateCandidate): Promise<[string, string] | undefined> {
  const applied = await store.appliedProfiles(c.records);
  const ids: string[] = [];
  for (const r of c.records) {
    const at = applied.get(r);
    if (at === undefined) return undefined;
    const active = await profileOfRecord(store, config, r, at);
    if (!active.profile) return undefined;
    ids.push(active.id);
  }
  return ids as [string, string];
}

/**
 * Open candidates whose records are still in two different profiles, best score first; one per pair of profiles
 * (several records of one profile may each have found the other). Groups an unmerge split are listed by the
 * candidates their records had before (a person may join them again); the pair of a dismissed candidate is not, as
 * the dismissal closed them all.
 */
export async function listDuplicates(store: ProfileStore, config: IdentityConfig): Promise<DuplicateView[]> {
  const all = await openCandidates(store, config);
  all.sort((a, b) => b.score - a.score || a.pairId.localeCompare(b.pairId));
  const seen = new Set<string>();
  return all.filter((d) => !seen.has(d.profiles.join('|')) && Boolean(seen.add(d.profiles.join('|'))));
}

/** Every open candidate whose records are in two different profiles now, with those profiles. */
async function openCandidates(store: ProfileStore, config: IdentityConfig): Promise<DuplicateView[]> {
  const open = (await store.listDuplicates()).filter((c) => c.status === 'open');
  // One read of every record's marker and one of the profiles they name; only merged ones are followed further.
  const applied = await store.appliedProfiles(open.flatMap((c) => c.records));
  const read = await store.getProfiles([...new Set(applied.values())]);
  const active = new Map<string, { id?: string; unmerged: boolean }>();
  const activeOf = async (profileId: string) => {
    if (!active.has(profileId)) {
      const a = await activeProfile(store, config, profileId, read.get(profileId));
      active.set(profileId, { ...(a.profile ? { id: a.id } : {}), unmerged: Boolean(a.split || a.profile?.state.apart) });
    }
    return active.get(profileId)!;
  };
  // A profile that went through an unmerge (finished on the way, or since the markers were read) may no longer hold
  // a record its marker named: such records' markers are read again.
  const profileOf = async (recordId: string): Promise<string | undefined> => {
    const at = applied.get(recordId);
    if (at === undefined) return undefined;
    const a = await activeOf(at);
    if (!a.unmerged) return a.id;
    const moved = (await store.appliedProfiles([recordId])).get(recordId);
    return moved === undefined ? undefined : moved === at ? a.id : (await activeOf(moved)).id;
  };
  const all: DuplicateView[] = [];
  for (const c of open) {
    const profiles = [await profileOf(c.records[0]), await profileOf(c.records[1])];
    if (profiles[0] && profiles[1] && profiles[0] !== profiles[1]) all.push({ ...c, profiles: profiles.toSorted() as [string, string] });
  }
  return all;
}

export type DuplicateDecision =
  | { readonly result: 'merged'; readonly profileId: string; readonly merged?: string }
  | { readonly result: 'dismissed' }
  | { readonly result: 'notFound' | 'gone' }
  | { readonly result: 'alreadyDecided'; readonly status: string };

/** A person confirms a candidate: its two profiles merge (into the older id, as every merge does). */
export async function mergeDuplicate(store: ProfileStore, config: IdentityConfig, pairId: string): Promise<DuplicateDecision> {
  const c = await store.getDuplicate(pairId);
  if (!c) return { result: 'notFound' };
  if (c.status !== 'open') return { result: 'alreadyDecided', status: c.status };
  const profiles = await profilesOf(store, config, c);
  if (!profiles) return { result: 'gone' };
  const [target, other] = [...profiles].sort() as [string, string];
  if (target !== other) await mergeInto(store, config, target, other);
  await store.decideDuplicate(pairId, 'merged');
  return { result: 'merged', profileId: target, ...(target !== other ? { merged: other } : {}) };
}

/**
 * A person rules a candidate out: it is closed, and its two profiles are kept apart from then on, as an unmerge keeps
 * its groups (ProfileState.apart): no later record proposes them again or merges them, by a score or a shared
 * identifier. A candidate is a pair of records; without the mark, the next record of either person found the other
 * and proposed the pair again under another id, or merged it on a higher score. The marks go first (each is
 * idempotent), so a dismissal cut short leaves the candidate open, to be dismissed again; last, the other open
 * candidates of the same two profiles are closed too.
 */
export async function dismissDuplicate(store: ProfileStore, config: IdentityConfig, pairId: string): Promise<DuplicateDecision> {
  const c = await store.getDuplicate(pairId);
  if (!c) return { result: 'notFound' };
  if (c.status !== 'open') return { result: 'alreadyDecided', status: c.status };
  // Read as the listing reads them: this candidate's two profiles now (none when they are one, or one is gone), and
  // the other candidates of the same two people, found by other records of theirs, which the same decision closes.
  const open = await openCandidates(store, config);
  const profiles = open.find((d) => d.pairId === pairId)?.profiles;
  if (profiles) {
    await keepApart(store, config, profiles[0], profiles[1]);
    await keepApart(store, config, profiles[1], profiles[0]);
  }
  if ((await store.decideDuplicate(pairId, 'dismissed')) !== 'ok') return { result: 'alreadyDecided', status: 'decided' };
  for (const d of open) if (profiles && d.pairId !== pairId && d.profiles.join('|') === profiles.join('|')) await store.decideDuplicate(d.pairId, 'dismissed');
  return { result: 'dismissed' };
}

/** Notes on `profileId`'s profile (followed to where it is now) that `other` is another person. */
async function keepApart(store: ProfileStore, config: IdentityConfig, profileId: string, other: string): Promise<void> {
  const kept = await amendProfile(store, config, profileId, (id, state) => (id === other || state.apart?.includes(other) ? undefined : { ...state, apart: [...(state.apart ?? []), other].sort() }));
  if (kept === 'contended') throw new ContentionError('The profile stayed contended');
}

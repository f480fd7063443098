import { dismissDuplicate, listDuplicates, mergeDuplicate } from '../lambdas/usecases/duplicates.ts';
import { type Output, UsageError } from './output.ts';
import { identityConfig, profileStore } from './profiles.ts';
import type { Target } from './target.ts';

const USAGE = 'Usage: cdp duplicates list | merge <pairId> | dismiss <pairId>';

const signed = (w: number) => (w >= 0 ? `+${w}` : `${w}`);

/** `cdp duplicates list|merge|dismiss`: pairs the matcher was unsure of, for a person to decide. */
export async function runDuplicates(out: Output, target: Target, sub: string | undefined, pairId: string | undefined): Promise<number> {
  const store = profileStore(target);
  const config = identityConfig();
  if (sub === 'list') {
    const open = await listDuplicates(store, config);
    out.result(open, () =>
      open.length === 0
        ? 'No open duplicate candidates.'
        : open
            .map((d) => [`${d.pairId}  score ${d.score}  ${d.profiles[0]} ~ ${d.profiles[1]}`, `  ${d.fields.map((f) => `${f.field} ${f.level} (${signed(f.weight)})`).join(', ')}`].join('\n'))
            .join('\n'),
    );
    return 0;
  }
  if (sub !== 'merge' && sub !== 'dismiss') throw new UsageError(USAGE);
  if (!pairId) throw new UsageError(USAGE);
  const decision = sub === 'merge' ? await mergeDuplicate(store, config, pairId) : await dismissDuplicate(store, config, pairId);
  out.result(decision, () => {
    switch (decision.result) {
      case 'merged':
        return decision.merged ? `Merged ${decision.merged} into ${decision.profileId}.` : `Already one profile: ${decision.profileId}.`;
      case 'dismissed':
        return `Dismissed ${pairId}: the two profiles are kept apart, and will not be merged or proposed again.`;
      case 'notFound':
        return `No duplicate candidate ${pairId}.`;
      case 'gone':
        return `${pairId}: one of its records is no longer in any profile (erased).`;
      case 'alreadyDecided':
        return `${pairId} was already decided (${decision.status}).`;
    }
  });
  return decision.result === 'merged' || decision.result === 'dismissed' ? 0 : 1;
}

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { identifierKey } from '../lambdas/domain/canonical.ts';
import { blockedReason, parseIdentityConfig } from '../lambdas/domain/identity-config.ts';
import { blockingKeys, compareSnapshots, decide, snapshotOf } from '../lambdas/domain/matching.ts';
import { conflict, linkingIdentifiers, OWN_IDENTIFIERS, type PersonKey, personKeyOf, unionKeys } from '../lambdas/domain/resolution.ts';
import { load, REFERENCE, score } from './identity.ts';
import type { Benchmark, Figure } from './types.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * The resolver's decisions replayed in memory, in arrival order: identifier links with their guards, blocking keys
 * (a block past `maxBlockSize` finds no one), and the pairwise verdicts, joined as the merges would join profiles.
 * Seconds instead of the identity bench's minutes, for trying a weight or a rule on all four sets; it leaves out the
 * store, concurrency and the per-profile guards, so its figures come within a few thousandths of the real ones and
 * are not the product's figures (those are `identity`'s).
 */
export function replay(records: Parameters<typeof personKeyOf>[0][], configJson: unknown) {
  const config = parseIdentityConfig(configJson);
  const parent = records.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const person: PersonKey[] = records.map(personKeyOf);
  const join = (a: number, b: number, guard: 'none' | 'person' | 'account') => {
    const [ra, rb] = [find(a), find(b)];
    if (ra === rb || (guard !== 'none' && conflict(person[ra]!, person[rb]!, guard === 'account'))) return;
    parent[rb] = ra;
    person[ra] = unionKeys(person[ra]!, person[rb]!);
  };
  const owners = new Map<string, number>();
  const blocks = new Map<string, number[]>();
  const snapshots = records.map((r) => snapshotOf(r, config));
  records.forEach((record, i) => {
    for (const id of linkingIdentifiers(record, config)) {
      if (blockedReason(id.type, id.value, config)) continue;
      const owner = owners.get(identifierKey(id));
      if (owner === undefined) owners.set(identifierKey(id), i);
      else join(owner, i, OWN_IDENTIFIERS.has(id.type) ? 'account' : 'person');
    }
    const snapshot = snapshots[i];
    if (!snapshot) return;
    const found = new Set<number>();
    for (const key of blockingKeys(snapshot)) {
      const block = blocks.get(key) ?? [];
      block.push(i);
      blocks.set(key, block);
      if (block.length <= config.matching.maxBlockSize) for (const j of block) if (j !== i) found.add(j);
    }
    for (const j of found) if (decide(compareSnapshots(snapshot, snapshots[j]!), config.matching) === 'merge') join(j, i, 'none');
  });
  return records.map((_, i) => find(i));
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

export const identityModelBench: Benchmark = {
  name: 'identity-model',
  description: "the resolver's link and match decisions replayed in memory over the identity sets (no DynamoDB): for trying rules and weights in seconds; the product's figures are `identity`'s",
  async run(): Promise<Figure[]> {
    const sets = (process.env.BENCH_IDENTITY_SETS ?? 'febrl3,febrl4,fake_1000,historical_50k').split(',');
    const configJson: unknown = JSON.parse(readFileSync(path.join(ROOT, 'config', 'identity.json'), 'utf8'));
    const figures: Figure[] = [];
    for (const name of sets) {
      const ds = await load(name);
      const clusters = replay(ds.records, configJson);
      const s = score(ds, new Map(ds.records.map((r, i) => [r.recordId, String(clusters[i])])));
      const ref = REFERENCE[name]!;
      figures.push(
        { name: `${name}.precision`, value: round(s.precision), baseline: ref.precision, unit: '', target: '≥ 0.995', ok: s.precision >= 0.995 },
        { name: `${name}.recall`, value: round(s.recall), baseline: ref.recall, unit: '' },
        { name: `${name}.f1`, value: round(s.f1), baseline: ref.f1, unit: '', ratio: Math.round((s.f1 / ref.f1) * 1000) / 1000, target: '≥ Splink', ok: s.f1 >= ref.f1 },
        { name: `${name}.profiles`, value: s.clusters, baseline: new Set(ds.truth.values()).size, unit: 'profiles' },
      );
    }
    return figures;
  },
};

import { describe, expect, it } from 'vitest';
import type { CanonicalRecord, Identifier } from '../../lambdas/domain/canonical.ts';
import { DEFAULT_IDENTITY_CONFIG } from '../../lambdas/domain/identity-config.ts';
import { holdersOf } from '../../lambdas/ports/profiles.ts';
import { profilesByIdentifier } from '../../lambdas/usecases/read-profiles.ts';
import { MAX_CARRIERS, resolveRecord } from '../../lambdas/usecases/resolve-record.ts';
import { unmergeProfile } from '../../lambdas/usecases/unmerge.ts';
import { dynamoDbLocal } from '../support/dynamodb-local.ts';

/**
 * Values the resolver does not link by (a role address such as `info@`, a value past its limit of people) are still
 * how users and data subjects name a person: `cdp profiles get` and data-subject requests find every profile carrying
 * one, through merges, unmerges and erasures, on DynamoDB Local.
 */
const config = DEFAULT_IDENTITY_CONFIG;
const local = dynamoDbLocal('lookups');

const email = (value: string): Identifier => ({ type: 'email', value });
const phone = (value: string): Identifier => ({ type: 'phone', value });
const rec = (id: string, identifiers: Identifier[], firstName: string, lastName = 'Ferri'): CanonicalRecord => ({
  recordId: id,
  source: 'erp',
  channel: 'file',
  kind: 'contact',
  occurredAt: '2026-03-01T09:00:00.000Z',
  receivedAt: '2026-03-01T09:00:00.000Z',
  lineage: { objectKey: 'imports/erp/clienti.csv', recordKey: id, line: 2 },
  identifiers,
  person: { firstName, lastName },
});

const ROLE = 'email:info@ferri-srl.it';
const lookup = async (store: Awaited<ReturnType<typeof local.store>>, key: string) => (await profilesByIdentifier(store, config, key)).map((p) => p.profileId).sort();

describe('lookups by a value the resolver does not link by', () => {
  it('finds each colleague behind a role address, and the survivor once their profiles merge', async () => {
    const store = await local.store();
    const giorgio = await resolveRecord(store, rec('g1', [email('info@ferri-srl.it'), phone('+393331110000')], 'Giorgio'), config);
    const anna = await resolveRecord(store, rec('a1', [email('info@ferri-srl.it'), phone('+393332220000')], 'Anna'), config);
    expect(giorgio.profileId).not.toBe(anna.profileId);
    expect(await lookup(store, ROLE)).toEqual([giorgio.profileId, anna.profileId].sort());
    // The role address links no one: both profiles are carriers, neither an owner.
    expect((await store.getIdentities([ROLE])).get(ROLE)).toMatchObject({ owners: [], carriers: [giorgio.profileId, anna.profileId] });

    // Giorgio's other e-mail first makes a profile of its own; a record with both his phone and that e-mail merges them.
    const other = await resolveRecord(store, rec('g2', [email('giorgio@ferri-srl.it')], 'Giorgio'), config);
    const joined = await resolveRecord(store, rec('g3', [phone('+393331110000'), email('giorgio@ferri-srl.it')], 'Giorgio'), config);
    expect(joined.merged.length).toBe(1);
    const survivor = joined.profileId;
    const gone = [giorgio.profileId, other.profileId].find((id) => id !== survivor)!;
    expect(await lookup(store, ROLE)).toEqual([survivor, anna.profileId].sort());
    // The merged-away id is gone from the item too (re-pointed, not just followed).
    expect(holdersOf((await store.getIdentities([ROLE])).get(ROLE))).not.toContain(gone);
  });

  it('re-points the carriers when an unmerge regroups the records, and lets erasure take the item with the last one', async () => {
    const store = await local.store();
    const shared = phone('+393335550000');
    const first = await resolveRecord(store, rec('e1', [email('info@contifoto.it'), shared], 'Elena', 'Conti'), config);
    await resolveRecord(store, rec('e2', [email('elena.conti@example.it'), shared], 'Elena', 'Conti'), config);
    const key = 'email:info@contifoto.it';
    expect(await lookup(store, key)).toEqual([first.profileId]);

    const split = await unmergeProfile(store, config, first.profileId, 'phone:+393335550000');
    expect(split.result).toBe('split');
    // The group that holds e1 carries the role address, and only it.
    const carriers = await lookup(store, key);
    expect(carriers).toHaveLength(1);
    const holder = (await store.appliedProfiles(['e1'])).get('e1')!;
    expect(carriers).toEqual([holder]);
    expect(await lookup(store, 'email:elena.conti@example.it')).not.toEqual(carriers);

    const p = (await store.getProfiles([holder])).get(holder)!;
    const erased = await store.eraseProfile(holder, ['e1'], p.state.identifiers);
    expect(erased.identities).toBeGreaterThanOrEqual(1);
    // No item keeps the address once nobody carries it.
    expect((await store.getIdentities([key])).get(key)).toBeUndefined();
  });

  it(`notes at most ${MAX_CARRIERS} carriers of one value (a placeholder many records carry)`, async () => {
    const store = await local.store();
    const key = 'email:test@test.it';
    const names = ['Anna', 'Marco', 'Giulia', 'Luca', 'Sara', 'Paolo', 'Elena', 'Davide'];
    for (let i = 0; i < MAX_CARRIERS + 4; i++) {
      await resolveRecord(store, rec(`t${i}`, [email('test@test.it'), email(`person${i}@example.it`)], names[i % names.length]!, `Cognome${i}`), config);
    }
    const item = (await store.getIdentities([key])).get(key)!;
    expect(item.owners).toEqual([]);
    expect(item.carriers).toHaveLength(MAX_CARRIERS);
  });
});

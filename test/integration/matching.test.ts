import { describe, expect, it } from 'vitest';
import type { CanonicalRecord } from '../../lambdas/domain/canonical.ts';
import { DEFAULT_IDENTITY_CONFIG } from '../../lambdas/domain/identity-config.ts';
import { codiceFiscaleCheck } from '../../lambdas/domain/italy.ts';
import { blockingKeys, snapshotOf } from '../../lambdas/domain/matching.ts';
import type { ProfileStore } from '../../lambdas/ports/profiles.ts';
import { dismissDuplicate, listDuplicates, mergeDuplicate } from '../../lambdas/usecases/duplicates.ts';
import { activeProfile, resolveRecord } from '../../lambdas/usecases/resolve-record.ts';
import { dynamoDbLocal } from '../support/dynamodb-local.ts';

/** Probabilistic matching and duplicate candidates on the twin's real DynamoDB (DynamoDB Local). */
const config = DEFAULT_IDENTITY_CONFIG;
const local = dynamoDbLocal('match');
const freshStore = () => local.store();

let n = 0;
const rec = (source: string, person: CanonicalRecord['person'], address: CanonicalRecord['address'] = {}, identifiers: CanonicalRecord['identifiers'] = []): CanonicalRecord => ({
  recordId: `m${++n}`,
  source,
  channel: 'file',
  kind: 'contact',
  occurredAt: '2026-01-01T00:00:00.000Z',
  receivedAt: '2026-01-01T00:00:00.000Z',
  lineage: { objectKey: `imports/${source}/a.csv`, recordKey: String(n) },
  identifiers,
  ...(person ? { person } : {}),
  address,
});
const profileOf = async (store: ProfileStore, recordId: string) => (await activeProfile(store, config, (await store.appliedProfiles([recordId])).get(recordId)!)).id;

describe('probabilistic matching in the resolver', () => {
  it('merges records of one person that share no identifier, and keeps namesakes apart as a candidate', async () => {
    const store = await freshStore();
    const erp = rec('erp', { firstName: 'ROSSI', lastName: 'MARIO', birthDate: '1971-06-24' }, { line1: 'Via Roma 12', postalCode: '20121', city: 'Milano' }, [{ type: 'externalId', namespace: 'erp', value: 'C001' }]);
    const shop = rec('shop', { firstName: 'Mario', lastName: 'Rosi', birthDate: '1971-06-24' }, { line1: 'via Roma, 12', postalCode: '20121', city: 'Milano' }, [{ type: 'email', value: 'mario@example.it' }]);
    const namesake = rec('newsletter', { firstName: 'Mario', lastName: 'Rossi' }, { postalCode: '20121', city: 'Milano' }, [{ type: 'email', value: 'mrossi77@example.it' }]);
    await resolveRecord(store, erp, config);
    const second = await resolveRecord(store, shop, config);
    // Applied straight to the first record's profile: no profile of its own, so no merge.
    expect(second.merged).toEqual([]);
    expect(second.profileId).toBe(await profileOf(store, erp.recordId));
    expect(await profileOf(store, erp.recordId)).toBe(await profileOf(store, shop.recordId));

    const third = await resolveRecord(store, namesake, config);
    expect(third.candidates).toBeGreaterThan(0);
    expect(await profileOf(store, namesake.recordId)).not.toBe(await profileOf(store, erp.recordId));
    const open = await listDuplicates(store, config);
    expect(open).toHaveLength(1);
    expect(open[0]!.profiles.toSorted()).toEqual([await profileOf(store, erp.recordId), await profileOf(store, namesake.recordId)].sort());
    expect(open[0]!.fields.map((f) => f.field)).toContain('firstName');
    // The explanation holds no values.
    expect(JSON.stringify(open[0])).not.toMatch(/mario|rossi|milano|example/i);

    // A person confirms: the profiles merge and the candidate is closed.
    const decision = await mergeDuplicate(store, config, open[0]!.pairId);
    expect(decision.result).toBe('merged');
    expect(await profileOf(store, namesake.recordId)).toBe(await profileOf(store, erp.recordId));
    expect(await listDuplicates(store, config)).toEqual([]);
    expect((await mergeDuplicate(store, config, open[0]!.pairId)).result).toBe('alreadyDecided');
    expect((await dismissDuplicate(store, config, 'dup_unknown')).result).toBe('notFound');
  });

  it("joins an invoicing export's row with a shop's sign-up on the birth date the codice fiscale states", async () => {
    const store = await freshStore();
    const code = `BNCGLI85E55F205${codiceFiscaleCheck('BNCGLI85E55F205')}`;
    const invoicing = rec('fatture', { firstName: 'Giulia', lastName: 'Bianchi' }, { postalCode: '20121', city: 'Milano' }, [{ type: 'taxCode', value: code }]);
    const shop = rec('shop', { firstName: 'Giulia', lastName: 'Bianchi', birthDate: '1985-05-15' }, { postalCode: '20121', city: 'Milano' }, [{ type: 'email', value: 'giulia.b@example.it' }]);
    // A namesake who signed up with another date stays apart.
    const namesake = rec('shop', { firstName: 'Giulia', lastName: 'Bianchi', birthDate: '1991-02-03' }, { postalCode: '20121', city: 'Milano' }, [{ type: 'email', value: 'gbianchi91@example.it' }]);
    await resolveRecord(store, invoicing, config);
    await resolveRecord(store, shop, config);
    await resolveRecord(store, namesake, config);
    expect(await profileOf(store, shop.recordId)).toBe(await profileOf(store, invoicing.recordId));
    expect(await profileOf(store, namesake.recordId)).not.toBe(await profileOf(store, invoicing.recordId));
  });

  it("keeps a father known by his codice fiscale and his son known by a birth date apart behind one family e-mail", async () => {
    const store = await freshStore();
    const family = { type: 'email' as const, value: 'famiglia.rossi@example.it' };
    const code = `RSSMRA55C12F205${codiceFiscaleCheck('RSSMRA55C12F205')}`;
    const father = rec('fatture', { firstName: 'Mario', lastName: 'Rossi' }, { postalCode: '20121', city: 'Milano' }, [{ type: 'taxCode', value: code }, family]);
    const son = rec('shop', { firstName: 'Mario', lastName: 'Rossi', birthDate: '1985-04-02' }, { postalCode: '20121', city: 'Milano' }, [family]);
    const himself = rec('shop', { firstName: 'Mario', lastName: 'Rossi', birthDate: '1955-03-12' }, { postalCode: '20121', city: 'Milano' }, [family]);
    await resolveRecord(store, father, config);
    await resolveRecord(store, son, config);
    await resolveRecord(store, himself, config);
    expect(await profileOf(store, son.recordId)).not.toBe(await profileOf(store, father.recordId));
    expect(await profileOf(store, himself.recordId)).toBe(await profileOf(store, father.recordId));
  });

  it('never proposes a dismissed pair again, even when its records are resolved again', async () => {
    const store = await freshStore();
    const a = rec('erp', { firstName: 'Giulia', lastName: 'Bianchi' }, { postalCode: '00184', city: 'Roma' });
    const b = rec('shop', { firstName: 'Giulia', lastName: 'Bianchi' }, { postalCode: '00184', city: 'Roma' });
    await resolveRecord(store, a, config);
    await resolveRecord(store, b, config);
    const [candidate] = await listDuplicates(store, config);
    expect(candidate).toBeDefined();
    expect((await dismissDuplicate(store, config, candidate!.pairId)).result).toBe('dismissed');
    expect((await resolveRecord(store, b, config)).result).toBe('duplicate');
    expect(await listDuplicates(store, config)).toEqual([]);
    expect(await profileOf(store, a.recordId)).not.toBe(await profileOf(store, b.recordId));
  });

  it('keeps the two profiles of a dismissed pair apart: new records of either are not proposed, merged by a score, or linked', async () => {
    const store = await freshStore();
    const mail = { type: 'email' as const, value: 'giulia.b@example.it' };
    const a = rec('erp', { firstName: 'Giulia', lastName: 'Bianchi', birthDate: '1985-05-15' }, { line1: 'Via Roma 1', postalCode: '00184', city: 'Roma' }, [{ type: 'externalId', namespace: 'erp', value: 'G1' }]);
    const b = rec('shop', { firstName: 'Giulia', lastName: 'Bianchi' }, { postalCode: '00184', city: 'Roma' }, [mail]);
    // A second record of a's person (her customer id) finds b too: two candidates, one pair of profiles.
    const a2 = rec('erp', { firstName: 'Giulia', lastName: 'Bianchi' }, { postalCode: '00184', city: 'Roma' }, [{ type: 'externalId', namespace: 'erp', value: 'G1' }]);
    await resolveRecord(store, a, config);
    await resolveRecord(store, b, config);
    await resolveRecord(store, a2, config);
    expect((await store.listDuplicates()).filter((d) => d.status === 'open')).toHaveLength(2);
    const listed = await listDuplicates(store, config);
    expect(listed).toHaveLength(1);
    expect((await dismissDuplicate(store, config, listed[0]!.pairId)).result).toBe('dismissed');
    // The other candidate of the same two people is the same decision.
    expect((await store.listDuplicates()).map((d) => d.status)).toEqual(['dismissed', 'dismissed']);
    const [pa, pb] = [await profileOf(store, a.recordId), await profileOf(store, b.recordId)];
    expect(await profileOf(store, a2.recordId)).toBe(pa);
    expect((await store.getProfiles([pa])).get(pa)!.state.apart).toEqual([pb]);
    expect((await store.getProfiles([pb])).get(pb)!.state.apart).toEqual([pa]);

    // Another record of b's person (her e-mail), the same as the first: before, it found a and proposed the pair anew.
    const again = rec('newsletter', { firstName: 'Giulia', lastName: 'Bianchi' }, { postalCode: '00184', city: 'Roma' }, [mail]);
    expect((await resolveRecord(store, again, config)).candidates ?? 0).toBe(0);
    expect(await listDuplicates(store, config)).toEqual([]);
    // One that agrees with a on everything (date, street): a merge by score, but a person said these are two people.
    const strong = rec('shop', { firstName: 'Giulia', lastName: 'Bianchi', birthDate: '1985-05-15' }, { line1: 'Via Roma 1', postalCode: '00184', city: 'Roma' }, [mail]);
    expect((await resolveRecord(store, strong, config)).merged).toEqual([]);
    // One that carries both people's identifiers: the link is blocked, not followed.
    const both = rec('crm', { firstName: 'Giulia', lastName: 'Bianchi' }, {}, [mail, { type: 'externalId', namespace: 'erp', value: 'G1' }]);
    expect((await resolveRecord(store, both, config)).merged).toEqual([]);
    expect(await profileOf(store, a.recordId)).toBe(pa);
    expect(await profileOf(store, again.recordId)).toBe(pb);
    expect(await profileOf(store, strong.recordId)).toBe(pb);
    expect(await profileOf(store, b.recordId)).toBe(pb);
  });

  it('joins two records of one customer id whose birth dates disagree: one system mistyped it', async () => {
    const store = await freshStore();
    const ssn = [{ type: 'externalId' as const, namespace: 'ssn', value: '8841203' }];
    const a = rec('a', { firstName: 'Mario', lastName: 'Rossi', birthDate: '1971-06-24' }, { line1: 'Via Roma 12', postalCode: '20121', city: 'Milano' }, ssn);
    const b = rec('b', { firstName: 'Mario', lastName: 'Tossi', birthDate: '1977-11-02' }, { line1: 'Via Roma 12', postalCode: '20121', city: 'Milano' }, ssn);
    await resolveRecord(store, a, config);
    expect((await resolveRecord(store, b, config)).merged).toEqual([]);
    expect(await profileOf(store, b.recordId)).toBe(await profileOf(store, a.recordId));
    // An e-mail is not an account: the same two dates behind one keep two people apart.
    const mail = [{ type: 'email' as const, value: 'mario.rossi@example.it' }];
    const c = rec('c', { firstName: 'Mario', lastName: 'Rossi', birthDate: '1950-03-10' }, { postalCode: '20121' }, mail);
    const d = rec('d', { firstName: 'Mario', lastName: 'Rossi', birthDate: '1977-11-02' }, { postalCode: '20121' }, mail);
    await resolveRecord(store, c, config);
    await resolveRecord(store, d, config);
    expect(await profileOf(store, c.recordId)).not.toBe(await profileOf(store, d.recordId));
  });

  it('lets the score join records the deterministic links refused, when an identifier and all else agree', async () => {
    const store = await freshStore();
    const mail = [{ type: 'email' as const, value: 'mario.rossi@example.it' }];
    const a = rec('a', { firstName: 'Mario', lastName: 'Rossi', birthDate: '1971-06-24' }, { line1: 'Via Roma 12', postalCode: '20121', city: 'Milano' }, mail);
    // Two months apart: no typo explains it, so the e-mail alone does not link them.
    const b = rec('b', { firstName: 'Mario', lastName: 'Rossi', birthDate: '1971-08-14' }, { line1: 'Via Roma 12', postalCode: '20121', city: 'Milano' }, mail);
    await resolveRecord(store, a, config);
    const second = await resolveRecord(store, b, config);
    expect(second.profileId).toBe(await profileOf(store, a.recordId));
    expect(await profileOf(store, a.recordId)).toBe(await profileOf(store, b.recordId));
    const ssn = [{ type: 'externalId' as const, namespace: 'ssn', value: '8841203' }];
    // A twin behind the family's e-mail stays apart whatever else agrees: a candidate only.
    const home = { type: 'email' as const, value: 'casa.rossi@example.it' };
    await resolveRecord(store, rec('a', { firstName: 'Mario', lastName: 'Rossi', birthDate: '1971-06-24' }, { line1: 'Via Roma 12', postalCode: '20121', city: 'Milano' }, [...ssn, home]), config);
    const twin = rec('c', { firstName: 'Luca', lastName: 'Rossi', birthDate: '1971-06-24' }, { line1: 'Via Roma 12', postalCode: '20121', city: 'Milano' }, [home]);
    const third = await resolveRecord(store, twin, config);
    expect(third.merged).toEqual([]);
    expect(await profileOf(store, twin.recordId)).not.toBe(await profileOf(store, a.recordId));
    expect(third.candidates).toBeGreaterThan(0);
  });

  it('finishes the match of a record whose resolver died after applying it', async () => {
    const store = await freshStore();
    const a = rec('erp', { firstName: 'Chiara', lastName: 'Ferrari', birthDate: '1985-03-02' }, { postalCode: '40121' });
    const b = rec('shop', { firstName: 'Kiara', lastName: 'Ferrari', birthDate: '1985-03-02' }, { postalCode: '40121' });
    await resolveRecord(store, a, config);
    let dies = true;
    let unseen = true;
    const dying = new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        // Before applying, the resolver does not see a's snapshot (filed by another resolver at that moment), so b gets
        // a profile of its own, and only the matching after applying would join them.
        if (prop === 'findSnapshots' && unseen) {
          return async () => {
            unseen = false;
            return [];
          };
        }
        if (prop === 'fileSnapshot' && dies) {
          return async () => {
            dies = false;
            throw new Error('runtime died');
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    await expect(resolveRecord(dying, b, config)).rejects.toThrow('runtime died');
    expect(await profileOf(store, a.recordId)).not.toBe(await profileOf(store, b.recordId));
    // The redelivery finds the record applied, and matches it.
    const again = await resolveRecord(store, b, config);
    expect(again.result).toBe('duplicate');
    expect(again.merged).toHaveLength(1);
    expect(await profileOf(store, a.recordId)).toBe(await profileOf(store, b.recordId));
  });

  it('takes the profile a filed record was applied to from its snapshot, and from its marker when the snapshot lacks it', async () => {
    const store = await freshStore();
    const a = rec('erp', { firstName: 'Paola', lastName: 'Conti', birthDate: '1968-11-30' }, { postalCode: '00184' });
    await resolveRecord(store, a, config);
    const filed = await store.findSnapshots(blockingKeys(snapshotOf(a)!), 100);
    expect(filed.map((f) => f.profileId)).toEqual([await profileOf(store, a.recordId)]);
    const counting = (strip: boolean) => {
      const calls = { markers: 0 };
      const proxy = new Proxy(store, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver);
          if (prop === 'appliedProfiles') {
            return async (ids: readonly string[]) => {
              calls.markers += ids.length;
              return target.appliedProfiles(ids);
            };
          }
          // A snapshot filed before the profile was kept with it.
          if (prop === 'findSnapshots' && strip) {
            return async (...args: Parameters<ProfileStore['findSnapshots']>) => (await target.findSnapshots(...args)).map(({ profileId: _p, ...f }) => f);
          }
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      return { proxy, calls };
    };
    const b = rec('shop', { firstName: 'Paola', lastName: 'Conti', birthDate: '1968-11-30' }, { postalCode: '00184' });
    const plain = counting(false);
    expect((await resolveRecord(plain.proxy, b, config)).profileId).toBe(await profileOf(store, a.recordId));
    expect(plain.calls.markers).toBe(0);
    const c = rec('newsletter', { firstName: 'Paola', lastName: 'Conti', birthDate: '1968-11-30' }, { postalCode: '00184' });
    const old = counting(true);
    expect((await resolveRecord(old.proxy, c, config)).profileId).toBe(await profileOf(store, a.recordId));
    expect(old.calls.markers).toBeGreaterThan(0);
  });

  it('two records of one person resolved at once by concurrent resolvers end in one profile', async () => {
    for (let round = 0; round < 5; round++) {
      const store = await freshStore();
      const a = rec('erp', { firstName: 'Sara', lastName: 'Greco', birthDate: '1990-09-09' }, { postalCode: '80121' });
      const b = rec('shop', { firstName: 'Sara', lastName: 'Grecco', birthDate: '1990-09-09' }, { postalCode: '80121' });
      await Promise.all([resolveRecord(store, a, config), resolveRecord(store, b, config)]);
      expect(await profileOf(store, a.recordId)).toBe(await profileOf(store, b.recordId));
    }
  });

  it('files a snapshot under hashed keys only, and erasure takes it away with the profile', async () => {
    const store = await freshStore();
    const a = rec('erp', { firstName: 'Elena', lastName: 'Marino', birthDate: '1979-01-05' }, { postalCode: '47121' });
    await resolveRecord(store, a, config);
    const keys = blockingKeys(snapshotOf(a)!);
    expect((await store.findSnapshots(keys, 100)).map((f) => f.recordId)).toEqual([a.recordId]);
    const id = await profileOf(store, a.recordId);
    const entries = await store.timeline(id);
    expect(entries[0]!.blocks).toEqual(keys);
    await store.beginErasure(id);
    await store.eraseProfile(id, [a.recordId], [], entries.map((e) => ({ recordId: e.recordId, blocks: e.blocks ?? [] })));
    expect(await store.findSnapshots(keys, 100)).toEqual([]);
  });
});

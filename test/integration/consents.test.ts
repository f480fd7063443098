import { describe, expect, it } from 'vitest';
import type { CanonicalRecord, Identifier } from '../../lambdas/domain/canonical.ts';
import { DEFAULT_IDENTITY_CONFIG } from '../../lambdas/domain/identity-config.ts';
import { profilesByIdentifier } from '../../lambdas/usecases/read-profiles.ts';
import { resolveRecord } from '../../lambdas/usecases/resolve-record.ts';
import { dynamoDbLocal } from '../support/dynamodb-local.ts';

/**
 * Two consent decisions of one moment (a shop's order export has a marketing column on every line, dated by the order:
 * May's export says yes, June's no): the withdrawal stands, on the profile's state and on its consent item, whichever
 * record comes first and whichever profile survives a merge. On DynamoDB Local, through the resolver.
 */
const config = DEFAULT_IDENTITY_CONFIG;
const local = dynamoDbLocal('consents');

const email = (value: string): Identifier => ({ type: 'email', value });
const AT = '2026-05-10T00:00:00.000Z';
const line = (recordId: string, identifiers: Identifier[], granted: boolean): CanonicalRecord => ({
  recordId,
  source: 'shopify',
  channel: 'file',
  kind: 'order',
  occurredAt: AT,
  receivedAt: granted ? '2026-05-11T08:00:00.000Z' : '2026-06-01T08:00:00.000Z',
  lineage: { objectKey: `imports/shopify/orders-${recordId}.csv`, recordKey: '#1042', line: 2 },
  identifiers,
  person: { firstName: 'Marta', lastName: 'Rinaldi' },
  consents: [{ purpose: 'marketing_email', granted, at: AT }],
});

describe('consent decisions of one moment', () => {
  // The grant's record id sorts after the withdrawal's: before, the record id alone decided, for the grant.
  const [no, yes] = ['a-june', 'z-may'];
  const marta = email('marta.rinaldi@example.it');
  const martaWork = email('m.rinaldi@rinaldi-srl.it');

  it('keeps the withdrawal whichever arrives first', async () => {
    for (const order of [[yes, no], [no, yes]]) {
      const store = await local.store();
      for (const id of order) await resolveRecord(store, line(id, [marta], id === yes), config);
      const [profile] = await profilesByIdentifier(store, config, 'email:marta.rinaldi@example.it');
      expect(profile!.consents.marketing_email).toMatchObject({ granted: false });
      const items = (await store.listItems(profile!.profileId, 'CONSENT#')).map((i) => [i.recordId, i.granted]);
      expect(items).toEqual([[no, false]]);
    }
  });

  it('keeps the withdrawal when the profiles holding the two decisions merge, whichever survives', async () => {
    for (const first of [yes, no]) {
      const store = await local.store();
      // The profile created first survives the merge: once it holds the grant, once the withdrawal.
      const second = first === yes ? no : yes;
      await resolveRecord(store, line(first, [marta], first === yes), config);
      await resolveRecord(store, line(second, [martaWork], second === yes), config);
      const link: CanonicalRecord = { ...line('link', [marta, martaWork], true), kind: 'contact', consents: undefined, receivedAt: '2026-06-02T08:00:00.000Z' };
      expect((await resolveRecord(store, link, config)).merged).toHaveLength(1);
      const [profile] = await profilesByIdentifier(store, config, 'email:marta.rinaldi@example.it');
      expect(profile!.consents.marketing_email).toMatchObject({ granted: false });
      const items = (await store.listItems(profile!.profileId, 'CONSENT#')).map((i) => [i.recordId, i.granted]);
      expect(items).toEqual([[no, false]]);
    }
  });
});

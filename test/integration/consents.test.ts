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

/**
 * A grant a file gives without its date (a shop export's `Newsletter: Sì`, dated by the import) after a withdrawal the
 * newsletter tool dated: the export may have been taken before it, so the withdrawal stands, on the state and on the
 * consent item, whichever comes first and whichever profile survives a merge (the merge's conditional move decides as
 * `supersedes` does).
 */
describe('a grant without its date', () => {
  const anna = email('anna.conti@example.it');
  const annaWork = email('a.conti@conti-srl.it');
  const unsubscribe = (identifiers: Identifier[]): CanonicalRecord => ({
    ...line('w-unsubscribe', identifiers, false),
    source: 'newsletter',
    channel: 'webhook',
    kind: 'consent',
    occurredAt: '2026-05-10T09:00:00.000Z',
    receivedAt: '2026-05-10T09:00:01.000Z',
    lineage: { objectKey: 'webhooks/mailchimp/1.json', recordKey: 'unsubscribe', deliveryId: 'd-1' },
    consents: [{ purpose: 'marketing_email', granted: false, at: '2026-05-10T09:00:00.000Z' }],
  });
  const staleExport = (identifiers: Identifier[]): CanonicalRecord => ({
    ...line('a-export', identifiers, true),
    kind: 'contact',
    occurredAt: '2026-05-20T08:00:00.000Z',
    receivedAt: '2026-05-20T08:00:00.000Z',
    consents: [{ purpose: 'marketing_email', granted: true, at: '2026-05-20T08:00:00.000Z', undated: true }],
  });

  it('does not subscribe again a person who unsubscribed, whichever arrives first', async () => {
    for (const order of [[unsubscribe, staleExport], [staleExport, unsubscribe]]) {
      const store = await local.store();
      for (const make of order) await resolveRecord(store, make([anna]), config);
      const [profile] = await profilesByIdentifier(store, config, 'email:anna.conti@example.it');
      expect(profile!.consents.marketing_email).toMatchObject({ granted: false, r: 'w-unsubscribe' });
      const items = (await store.listItems(profile!.profileId, 'CONSENT#')).map((i) => [i.recordId, i.granted]);
      expect(items).toEqual([['w-unsubscribe', false]]);
    }
  });

  it('keeps the withdrawal when the profiles holding the two merge, whichever survives', async () => {
    for (const [first, second] of [[unsubscribe, staleExport], [staleExport, unsubscribe]] as const) {
      const store = await local.store();
      await resolveRecord(store, first([anna]), config);
      await resolveRecord(store, second([annaWork]), config);
      const link: CanonicalRecord = { ...line('link', [anna, annaWork], true), kind: 'contact', consents: undefined, receivedAt: '2026-06-02T08:00:00.000Z' };
      expect((await resolveRecord(store, link, config)).merged).toHaveLength(1);
      const [profile] = await profilesByIdentifier(store, config, 'email:anna.conti@example.it');
      expect(profile!.consents.marketing_email).toMatchObject({ granted: false, r: 'w-unsubscribe' });
      const items = (await store.listItems(profile!.profileId, 'CONSENT#')).map((i) => [i.recordId, i.granted]);
      expect(items).toEqual([['w-unsubscribe', false]]);
    }
  });
});

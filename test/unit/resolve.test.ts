import { describe, expect, it } from 'vitest';
import type { CanonicalRecord } from '../../lambdas/domain/canonical.ts';
import { chooseProfile, linkingIdentifiers, newProfileId, surviveAttributes } from '../../lambdas/domain/resolve.ts';

const record = (over: Partial<CanonicalRecord>): CanonicalRecord => ({
  recordId: 'r1',
  source: 'erp',
  channel: 'file',
  kind: 'contact',
  occurredAt: '2026-01-01T00:00:00.000Z',
  receivedAt: '2026-01-01T00:00:00.000Z',
  lineage: { objectKey: 'k', recordKey: '1' },
  identifiers: [],
  ...over,
});

describe('linkingIdentifiers', () => {
  it('orders identifiers by trust: tax code, external id, email, phone', () => {
    const r = record({
      identifiers: [
        { type: 'phone', value: '+39333' },
        { type: 'email', value: 'a@b.it' },
        { type: 'taxCode', value: 'RSSMRA80A01F205X' },
      ],
    });
    expect(linkingIdentifiers(r).map((i) => i.type)).toEqual(['taxCode', 'email', 'phone']);
  });
});

describe('chooseProfile', () => {
  it('creates a profile whose id depends only on the strongest identifier', () => {
    const a = record({
      recordId: 'a',
      identifiers: [
        { type: 'email', value: 'x@y.it' },
        { type: 'phone', value: '+391' },
      ],
    });
    const b = record({
      recordId: 'b',
      identifiers: [
        { type: 'phone', value: '+392' },
        { type: 'email', value: 'x@y.it' },
      ],
    });
    expect(newProfileId(a)).toBe(newProfileId(b));
    expect(chooseProfile(a, new Map())).toEqual({ profileId: newProfileId(a), isNew: true, otherOwners: [] });
  });
  it('joins the existing owner, the smallest id when several own its identifiers', () => {
    const r = record({ identifiers: [{ type: 'email', value: 'x@y.it' }] });
    expect(
      chooseProfile(
        r,
        new Map([
          ['email:x@y.it', 'p_b'],
          ['phone:+391', 'p_a'],
        ]),
      ),
    ).toEqual({
      profileId: 'p_a',
      isNew: false,
      otherOwners: ['p_b'],
    });
  });
});

describe('surviveAttributes', () => {
  it('keeps known values and takes newer non-empty ones', () => {
    const r = record({ person: { firstName: 'Mario' }, address: { city: 'Milano' } });
    expect(surviveAttributes({ firstName: 'M.', lastName: 'Rossi' }, r)).toEqual({
      firstName: 'Mario',
      lastName: 'Rossi',
      city: 'Milano',
    });
  });
});

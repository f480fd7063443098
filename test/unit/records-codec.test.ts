import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRecords, encodeRecords } from '../../lambdas/adapters/records-codec.ts';
import type { CanonicalRecord } from '../../lambdas/domain/canonical.ts';

const text = fc.string({ maxLength: 30 });
const record: fc.Arbitrary<CanonicalRecord> = fc.record(
  {
    recordId: fc.stringMatching(/^[0-9a-f]{32}$/),
    source: fc.constantFrom('erp', 'shop'),
    channel: fc.constantFrom('file', 'webhook') as fc.Arbitrary<'file' | 'webhook'>,
    kind: fc.constantFrom('contact', 'order') as fc.Arbitrary<'contact' | 'order'>,
    occurredAt: fc.constant('2026-01-01T00:00:00.000Z'),
    receivedAt: fc.constantFrom('2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z'),
    lineage: fc.record({ objectKey: fc.constantFrom('imports/erp/a.csv', 'imports/erp/b.csv'), importId: fc.constant('imp_1'), recordKey: text, line: fc.nat() }),
    identifiers: fc.array(fc.record({ type: fc.constantFrom('email', 'phone') as fc.Arbitrary<'email' | 'phone'>, value: text }), { maxLength: 3 }),
    person: fc.record({ firstName: text, lastName: text }, { requiredKeys: [] }),
    attributes: fc.dictionary(fc.constantFrom('a', 'b'), text),
  },
  { requiredKeys: ['recordId', 'source', 'channel', 'kind', 'occurredAt', 'receivedAt', 'lineage', 'identifiers'] },
);

describe('records codec', () => {
  it('round-trips any records, in order, within the size limit (property)', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 40 }), (records) => {
        const bodies = encodeRecords(records, 2048);
        for (const b of bodies) expect(Buffer.byteLength(b)).toBeLessThanOrEqual(2048 + 1024);
        expect(bodies.flatMap(decodeRecords)).toEqual(records);
      }),
      { numRuns: 500 },
    );
  });
});

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

  it('fills messages near the limit whatever the record sizes, and sends a record larger than the limit alone', () => {
    const base = fc.sample(record, { seed: 7, numRuns: 1 })[0]!;
    const sized = (i: number, bytes: number): CanonicalRecord => ({ ...base, recordId: String(i).padStart(32, '0'), source: 'erp', receivedAt: 'r', lineage: { ...base.lineage, objectKey: 'k' }, attributes: { a: 'x'.repeat(bytes) } });
    const records = Array.from({ length: 61 }, (_, i) => sized(i, i === 30 ? 5000 : i % 3 === 0 ? 900 : 40));
    const bodies = encodeRecords(records, 4096);
    expect(bodies.flatMap(decodeRecords)).toEqual(records);
    const oversized = bodies.filter((b) => Buffer.byteLength(b) > 4096);
    expect(oversized.map((b) => decodeRecords(b).map((r) => r.recordId.slice(-2)))).toEqual([['30']]);
    // Near-full messages: at most two more than the bytes need (the ones either side of the oversized record).
    const total = bodies.reduce((n, b) => n + Buffer.byteLength(b), 0);
    expect(bodies.length).toBeLessThanOrEqual(Math.ceil(total / (4096 - 512)) + 2);
  });
});

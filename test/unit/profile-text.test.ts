import { describe, expect, it } from 'vitest';
import { describe as describeProfile } from '../../cli/profiles.ts';
import type { ProfileView } from '../../lambdas/usecases/read-profiles.ts';

const view = (attributes: Record<string, string>): ProfileView => ({
  profileId: 'p_1',
  identifiers: ['email:anna@example.it'],
  attributes,
  values: {},
  consents: {},
  orders: { count: 0, revenue: 0 },
  lifecycle: 'lead',
  score: 10,
  sources: ['erp'],
  recordCount: 1,
  firstSeenAt: '2026-01-02T00:00:00Z',
  lastSeenAt: '2026-01-02T00:00:00Z',
});

describe('cdp profiles get, as text', () => {
  it('shows the person, the company, the whole address and the file’s own columns', () => {
    const text = describeProfile(
      view({
        firstName: 'Anna',
        lastName: 'Bianchi',
        birthDate: '1980-01-31',
        gender: 'F',
        language: 'it',
        companyName: 'Bianchi S.r.l.',
        companyVatNumber: '01234567897',
        role: 'Acquisti',
        line1: 'Corso Italia 22',
        line2: 'Scala B',
        postalCode: '20122',
        city: 'Milano',
        province: 'MI',
        'attr.note': `Chiamare\ndopo le 17. ${'x'.repeat(100)}`,
      }),
    );
    expect(text).toContain('  person       born 1980-01-31, female, language it\n');
    expect(text).toContain('  company      Bianchi S.r.l., VAT 01234567897, Acquisti\n');
    expect(text).toContain('  address      Corso Italia 22 Scala B 20122 Milano (MI)\n');
    expect(text).toMatch(/ {2}attribute {4}note: Chiamare dopo le 17\. x+…$/m);
    expect(text.split('\n').find((l) => l.includes('attribute'))).toHaveLength('  attribute    note: '.length + 80);
  });
  it('names a company once where it is the profile’s name, and prints no empty lines', () => {
    const text = describeProfile(view({ companyName: 'Bianchi S.r.l.', companyVatNumber: '01234567897' }));
    expect(text.split('\n')[0]).toBe('Bianchi S.r.l.  p_1');
    expect(text).toContain('  company      VAT 01234567897');
    expect(text).not.toMatch(/person|address|attribute/);
  });
  it('says an order’s amount is unknown where no line of it had one, not 0.00', () => {
    const history = {
      events: [],
      moreEvents: false,
      orders: [
        { source: 'shop', orderId: '1004', placedAt: '2025-11-07T00:00:00.000Z', status: 'pagato', currency: 'EUR', counted: true },
        { source: 'shop', orderId: '1002', placedAt: '2025-11-05T00:00:00.000Z', status: 'evaso', total: 350, currency: 'EUR', counted: true },
      ],
    };
    const text = describeProfile(view({ firstName: 'Marco' }), history);
    expect(text).toContain('    2025-11-07  shop  1004  pagato amount unknown\n');
    expect(text).toContain('    2025-11-05  shop  1002  evaso 350.00 EUR');
  });
});

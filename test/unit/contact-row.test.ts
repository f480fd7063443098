import { describe, expect, it } from 'vitest';
import { contactRowToRecord, type RowContext } from '../../lambdas/domain/contact-row.ts';
import { recogniseHeaders } from '../../lambdas/domain/headers.ts';

const headers = ['Codice cliente', 'Nome', 'Cognome', 'E-mail', 'Cellulare', 'CAP', 'Città', 'Provincia'];
const ctx = (line = 2): RowContext => ({
  source: 'erp',
  objectKey: 'imports/erp/clienti.csv',
  importId: 'imp_1',
  line,
  receivedAt: '2026-01-01T00:00:00.000Z',
  fields: recogniseHeaders(headers),
});
const row = (values: string[]) => Object.fromEntries(headers.map((h, i) => [h, values[i] ?? '']));

describe('recogniseHeaders', () => {
  it('maps Italian and English synonyms, ignoring case and accents', () => {
    const fields = recogniseHeaders(['E-MAIL', 'Citta', 'Province Code', 'Customer ID', 'Unknown']);
    expect(Object.fromEntries(fields)).toEqual({
      'identifiers.email': 'E-MAIL',
      'address.city': 'Citta',
      'address.province': 'Province Code',
      'identifiers.externalId': 'Customer ID',
    });
  });
});

describe('contactRowToRecord', () => {
  it('cleans identifiers and names into a canonical record with lineage', () => {
    const out = contactRowToRecord(
      row(['C1', 'MARIO', 'ROSSI', 'Mario.Rossi@Example.it', '333 1234567', '20121', 'Milano', 'MI']),
      ctx(7),
    );
    expect(out.accepted).toBe(true);
    if (!out.accepted) return;
    expect(out.record.identifiers).toEqual([
      { type: 'email', value: 'mario.rossi@example.it' },
      { type: 'phone', value: '+393331234567' },
      { type: 'externalId', value: 'C1', namespace: 'erp' },
    ]);
    expect(out.record.person).toEqual({ firstName: 'Mario', lastName: 'Rossi' });
    expect(out.record.lineage).toEqual({
      objectKey: 'imports/erp/clienti.csv',
      importId: 'imp_1',
      recordKey: 'C1',
      line: 7,
    });
  });
  it('keeps a row with one bad value, flagged', () => {
    const out = contactRowToRecord(row(['C2', 'Anna', 'Verdi', 'not-an-email', '', '', '', '']), ctx());
    expect(out.accepted).toBe(true);
    if (out.accepted) expect(out.record.flags).toEqual({ 'identifiers.email': 'email.syntax' });
  });
  it('rejects a row without any usable identifier, with every reason', () => {
    expect(contactRowToRecord(row(['', 'Anna', 'Verdi', 'nope', '12', '', '', '']), ctx())).toEqual({
      accepted: false,
      reasons: ['email.syntax', 'phone.syntax'],
    });
    expect(contactRowToRecord(row(['', 'Anna', 'Verdi']), ctx())).toEqual({
      accepted: false,
      reasons: ['row.noIdentifier'],
    });
  });
  it('gives the same record id to the same row, and another to a changed row', () => {
    const a = contactRowToRecord(row(['C1', 'Mario', 'Rossi', 'm@example.it']), ctx());
    const b = contactRowToRecord(row(['C1', 'Mario', 'Rossi', 'm@example.it']), ctx(9));
    const c = contactRowToRecord(row(['C1', 'Mario', 'Rossi', 'mario@example.it']), ctx());
    if (!a.accepted || !b.accepted || !c.accepted) throw new Error('expected accepted rows');
    expect(a.record.recordId).toBe(b.record.recordId);
    expect(a.record.recordId).not.toBe(c.record.recordId);
  });
});

import { gunzipSync, gzipSync } from 'node:zlib';
import { strFromU8, unzipSync } from 'fflate';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readXlsx } from '../../lambdas/formats/xlsx.ts';
import { bundleFiles, csvCell, toCsv } from '../../lambdas/domain/privacy/bundle.ts';
import { cleanRectification } from '../../lambdas/domain/privacy/rectification.ts';
import { addMonths, applyEvent, foldRequest, IllegalTransitionError, isOverdue, listOrder, mayStart, type RequestEvent } from '../../lambdas/domain/privacy/request.ts';
import { identifierKeysIn, jsonMentionsSubject, subjectValues, suppressionHash, valueIsSubject } from '../../lambdas/domain/privacy/subject.ts';
import { nameKey, profileNameKeys, suppressionCheckKeys, suppressionEntries } from '../../lambdas/domain/privacy/suppression.ts';
import { DEFAULT_IDENTITY_CONFIG, isRoleKey } from '../../lambdas/domain/identity-config.ts';
import { otherSheetRows, pickRows, rewriteWithout } from '../../lambdas/formats/rewrite.ts';
import { buildXlsx } from '../support/xlsx.ts';

const received = (at = '2026-01-31T10:00:00.000Z'): RequestEvent => ({
  type: 'received',
  at,
  requestType: 'erasure',
  subject: [{ kind: 'email', hash: 'h' }],
  requester: 'dpo',
  origin: 'cli',
  scope: 'subject',
});

describe('request lifecycle', () => {
  it('folds a full history into completed, with the Art. 12(3) deadline one month on (end of month clamped)', () => {
    const s = foldRequest('dsr_1', [
      received(),
      { type: 'started', at: '2026-02-01T00:00:00.000Z' },
      { type: 'failed', at: '2026-02-01T00:01:00.000Z', reason: 'ServiceUnavailable' },
      { type: 'started', at: '2026-02-01T00:05:00.000Z' },
      { type: 'located', at: '2026-02-01T00:05:01.000Z', profileIds: ['p_1'], objects: [] },
      { type: 'completed', at: '2026-02-01T00:06:00.000Z', evidence: { profiles: 1 } },
    ])!;
    expect(s).toMatchObject({ status: 'completed', attempts: 2, deadline: '2026-02-28T10:00:00.000Z', evidence: { profiles: 1 }, events: 6 });
    expect(addMonths('2024-01-31T00:00:00.000Z', 1)).toBe('2024-02-29T00:00:00.000Z');
  });

  it('extends once, by at most two months, with a reason, before the deadline', () => {
    const s = applyEvent(applyEvent(undefined, received(), 'dsr_1'), { type: 'extended', at: '2026-02-10T00:00:00.000Z', months: 2, reason: 'complex: 14 sources' }, 'dsr_1');
    expect(s.deadline).toBe('2026-04-28T10:00:00.000Z');
    expect(() => applyEvent(s, { type: 'extended', at: '2026-02-11T00:00:00.000Z', months: 1, reason: 'again' }, 'dsr_1')).toThrow(IllegalTransitionError);
    const late = applyEvent(undefined, received(), 'dsr_2');
    expect(() => applyEvent(late, { type: 'extended', at: '2026-03-30T00:00:00.000Z', months: 1, reason: 'too late' }, 'dsr_2')).toThrow(IllegalTransitionError);
    expect(() => applyEvent(late, { type: 'extended', at: '2026-02-01T00:00:00.000Z', months: 1, reason: ' ' }, 'dsr_2')).toThrow(IllegalTransitionError);
  });

  it.each([
    ['a second received', [received(), received()]],
    ['completed before started', [received(), { type: 'completed', at: 'x', evidence: {} }]],
    ['anything before received', [{ type: 'started', at: 'x' }]],
    ['started after completed', [received(), { type: 'started', at: 'x' }, { type: 'completed', at: 'x', evidence: {} }, { type: 'started', at: 'y' }]],
    ['located when not in progress', [received(), { type: 'located', at: 'x', profileIds: [], objects: [] }]],
    ['rejected after completed', [received(), { type: 'started', at: 'x' }, { type: 'completed', at: 'x', evidence: {} }, { type: 'rejected', at: 'y', reason: 'r' }]],
  ] as [string, RequestEvent[]][])('refuses %s', (_name, events) => {
    expect(() => foldRequest('dsr_1', events)).toThrow(IllegalTransitionError);
  });

  it('lets one worker hold a started request until its lease runs out', () => {
    const started = foldRequest('dsr_1', [received(), { type: 'started', at: '2026-02-01T00:00:00.000Z' }])!;
    expect(mayStart(started, new Date('2026-02-01T00:10:00.000Z'), 15 * 60_000)).toBe(false);
    expect(mayStart(started, new Date('2026-02-01T00:15:00.000Z'), 15 * 60_000)).toBe(true);
    expect(mayStart(foldRequest('dsr_1', [received()])!, new Date(), 1)).toBe(true);
    const done = foldRequest('dsr_1', [received(), { type: 'started', at: 'x' }, { type: 'completed', at: 'y', evidence: {} }])!;
    expect(mayStart(done, new Date('2030-01-01T00:00:00.000Z'), 1)).toBe(false);
  });

  it('lists overdue requests first, then open ones by deadline', () => {
    const now = new Date('2026-03-15T00:00:00.000Z');
    const a = foldRequest('a', [received('2026-03-01T00:00:00.000Z')])!;
    const overdue = foldRequest('b', [received('2026-01-01T00:00:00.000Z')])!;
    const done = foldRequest('c', [received('2025-12-01T00:00:00.000Z'), { type: 'started', at: 'x' }, { type: 'completed', at: 'y', evidence: {} }])!;
    expect(isOverdue(overdue, now)).toBe(true);
    expect(isOverdue(done, now)).toBe(false);
    expect([done, a, overdue].sort(listOrder(now)).map((s) => s.requestId)).toEqual(['b', 'a', 'c']);
  });
});

describe('rectification values', () => {
  it('cleans the corrected values as an import does, so the profile reads like every other', () => {
    expect(cleanRectification({ city: ' MILANO ', province: 'Milano', postalCode: '184', country: 'italia', lastName: 'ferri bianchi', gender: 'donna', birthDate: '01/02/1990', companyName: 'Rossi srl', line1: 'Via  Po 10', language: 'IT' })).toEqual({
      ok: true,
      changes: {
        city: 'Milano',
        province: 'MI',
        // The province's region follows it, as an import reads it.
        region: 'Lombardia',
        postalCode: '00184',
        country: 'IT',
        lastName: 'Ferri Bianchi',
        gender: 'F',
        birthDate: '1990-02-01',
        companyName: 'Rossi S.r.l.',
        line1: 'Via Po 10',
        language: 'it',
      },
    });
    // A region given stays the one given; an empty value clears the field.
    expect(cleanRectification({ province: 'FC', region: 'Emilia-Romagna', line2: '' })).toEqual({ ok: true, changes: { province: 'FC', region: 'Emilia-Romagna', line2: '' } });
  });
  it("keeps a foreign address's words where the request names its country, and reads one without as Italian where it can", () => {
    expect(cleanRectification({ country: 'Germania', province: 'Bayern', postalCode: '80331' })).toEqual({ ok: true, changes: { country: 'DE', province: 'Bayern', postalCode: '80331' } });
    expect(cleanRectification({ country: 'US', province: 'MI' })).toEqual({ ok: true, changes: { country: 'US', province: 'MI' } });
    expect(cleanRectification({ postalCode: 'sw1a 1aa' })).toEqual({ ok: true, changes: { postalCode: 'SW1A 1AA' } });
  });
  it('refuses a value the import would not take, naming the field and the reason and never the value', () => {
    for (const [changes, error] of [
      [{ province: 'Milan0', country: 'IT' }, 'province: province.unknown'],
      [{ postalCode: '1234567', country: 'IT' }, /^postalCode: /],
      [{ country: 'Atlantide' }, 'country: country.unknown'],
      [{ gender: 'forse' }, 'gender: gender.unknown'],
      [{ birthDate: '31/02/1990' }, /^birthDate: date\./],
      [{ companyVatNumber: '12345678901' }, /^companyVatNumber: /],
      [{ city: 'Milano 2' }, 'city: city.characters'],
      [{ score: '100' }, /^score cannot be rectified; fields: firstName, /],
    ] as const) {
      const r = cleanRectification(changes);
      expect(r.ok, JSON.stringify(changes)).toBe(false);
      if (!r.ok) {
        expect(r.error).toMatch(error);
        for (const v of Object.values(changes)) expect(r.error).not.toContain(v);
      }
    }
  });
});

describe('subject matching and hashes', () => {
  const s = subjectValues(['email:mario.rossi@libero.it', 'phone:+393471234567', 'taxCode:RSSMRA80A01H501U', 'externalId:erp:12']);
  it('recognises the identifiers however they were written, and nothing else', () => {
    for (const v of [' Mario.Rossi@LIBERO.it ', 'Mario <mario.rossi@libero.it>', '347 123 4567', '0039 347-1234567', '+39 (347) 1234567', 'rssmra80a01h501u']) expect(valueIsSubject(v, s)).toBe(true);
    for (const v of ['mario.rossi@libero.com', '347 1234568', '12', 'Mario Rossi', '']) expect(valueIsSubject(v, s)).toBe(false);
    expect(jsonMentionsSubject({ customer: { contacts: [{ phone: '+39 347 1234567' }] } }, s)).toBe(true);
    expect(jsonMentionsSubject({ customer: { id: 12, email: 'x@y.it' } }, s)).toBe(false);
  });
  it("reads the e-mail, phone and codice fiscale keys a rejected row's cells or text hold, as the suppression list keys them", () => {
    expect(identifierKeysIn(['C006', 'Mario', ' Mario.Rossi@Libero.it ', '347 123 4567', 'consegna', '12'])).toEqual(['email:mario.rossi@libero.it', 'phone:+393471234567']);
    expect(identifierKeysIn({ Email: 'Mario <mario.rossi@libero.it>', Note: 'x' })).toEqual(['email:mario.rossi@libero.it']);
    expect(identifierKeysIn('C006;Mario;"mario.rossi@libero.it;x')).toEqual(['email:mario.rossi@libero.it']);
    // A phone without its international prefix is read in the source's country.
    expect(identifierKeysIn(['06 1234 5678'], 'IT')).toEqual(['phone:+390612345678']);
    // A codice fiscale, in its cell or in a line of text, when its check character holds (not a code-like word).
    expect(identifierKeysIn(['C006', 'rssmra80a01h501u'])).toEqual(['taxCode:RSSMRA80A01H501U']);
    expect(identifierKeysIn('C006;Mario;RSSMRA80A01H501U;"mario.rossi@libero.it;x')).toEqual(['email:mario.rossi@libero.it', 'taxCode:RSSMRA80A01H501U']);
    expect(identifierKeysIn(['RSSMRA80A01H501X', 'XRSSMRA80A01H501U'])).toEqual([]);
    expect(identifierKeysIn(['020 7946 0018'], 'GB')).toEqual(['phone:+442079460018']);
    expect(identifierKeysIn({ fromByte: 1200 })).toEqual([]);
    expect(identifierKeysIn(['mario.rossi@', 'Rossi', '', null])).toEqual([]);
  });
  it('hashes with the salt: the same key, a different salt, a different hash', () => {
    expect(suppressionHash('a', 'email:x@y.it')).toBe(suppressionHash('a', 'email:x@y.it'));
    expect(suppressionHash('a', 'email:x@y.it')).not.toBe(suppressionHash('b', 'email:x@y.it'));
    expect(suppressionHash('a', 'email:x@y.it')).toMatch(/^[0-9a-f]{40}$/);
  });
});

describe('bundle CSV', () => {
  it('neutralises cells a spreadsheet would run as formulas, and quotes what needs quoting', () => {
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell('+39 347')).toBe("'+39 347");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=cmd')).toBe("'\t=cmd");
    expect(csvCell('=HYPERLINK("x","y")')).toBe(`"'=HYPERLINK(""x"",""y"")"`);
    expect(csvCell('Via Roma, 1')).toBe('"Via Roma, 1"');
    expect(csvCell('plain')).toBe('plain');
    fc.assert(fc.property(fc.string(), (v) => !/^"?[=+\-@\t\r]/.test(csvCell(v))));
  });
  it('writes one table per file, raw rows one value a line', () => {
    expect(toCsv([{ a: 1 }, { b: '=x' }])).toBe("a,b\r\n1,\r\n,'=x\r\n");
    const files = bundleFiles({ requestId: 'dsr_1', generatedAt: 'now', profiles: [], timeline: [], orders: [], consents: [], sources: [], rawRows: [{ source: 'erp', channel: 'file', objectKey: 'k', line: 2, values: { Note: '=cmd', Nome: 'Mario' } }], leadScoreRules: [] });
    expect(files['raw_rows.csv']).toBe("source,channel,objectKey,line,deliveryId,field,value\r\nerp,file,k,2,,Note,'=cmd\r\nerp,file,k,2,,Nome,Mario\r\n");
    // A row the import rejected: its cells as quarantined, by position, with the reasons.
    const rejected = bundleFiles({ requestId: 'dsr_1', generatedAt: 'now', profiles: [], timeline: [], orders: [], consents: [], sources: [], rawRows: [{ source: 'erp', channel: 'file', objectKey: 'k', line: 8, values: ['C6', 'm@x.it'], rejected: ['row.columnCount'] }], leadScoreRules: [] });
    expect(rejected['raw_rows.csv']).toBe('source,channel,objectKey,line,deliveryId,rejected,field,value\r\nerp,file,k,8,,row.columnCount,0,C6\r\nerp,file,k,8,,row.columnCount,1,m@x.it\r\n');
  });
  it('gives what the product infers about the person (lifecycle, lead score) beside the rules that scored it', () => {
    const files = bundleFiles({
      requestId: 'dsr_2',
      generatedAt: '2026-12-04T10:00:00.000Z',
      profiles: [{ profileId: 'p1', attributes: { firstName: 'Mario' }, values: { firstName: [{ v: 'Mario', s: 'erp', t: '2026-01-01' }] }, identifiers: [], sources: ['erp'], orders: {}, lifecycle: 'customer', leadScore: 40 }],
      timeline: [],
      orders: [],
      consents: [],
      sources: [],
      rawRows: [],
      leadScoreRules: [{ when: 'orders', points: 10, max: 30 }, { when: 'lead', field: 'medium', equals: 'cpc', points: 10 }],
    });
    expect(files['profile.csv']).toContain('p1,lifecycle,customer,derived,2026-12-04T10:00:00.000Z,true');
    expect(files['profile.csv']).toContain('p1,leadScore,40,derived,2026-12-04T10:00:00.000Z,true');
    expect(files['lead_score_rules.csv']).toBe('when,points,max,detail\r\norders,10,30,\r\nlead,10,,"{""field"":""medium"",""equals"":""cpc""}"\r\n');
  });
});

describe('rewriting an export without some rows', () => {
  const drop = (cell: string) => (row: { cells: readonly string[] }) => row.cells.includes(cell);

  it('cuts CSV rows out of the bytes, keeping encoding, quoting, line endings and every other row', async () => {
    const text = 'sep=;\r\nNome;Note\r\n"Niccolò";"riga 1\r\nriga 2"\r\nMario;"x;y"\r\nAnna;€ 5\r\n';
    for (const [encoding, bytes] of [
      ['windows-1252', Buffer.from(text.replace('€', '\x80'), 'latin1')],
      ['utf8', Buffer.from(`\ufeff${text}`, 'utf8')],
      ['utf16le', Buffer.from(`\ufeff${text}`, 'utf16le')],
    ] as const) {
      const out = await rewriteWithout(bytes, 'imports/erp/a.csv', drop('Niccolò'));
      expect(out.removed, encoding).toEqual([3]);
      const expected = encoding === 'windows-1252' ? Buffer.from(text.replace('€', '\x80').replace(/"Niccolò";"riga 1\r\nriga 2"\r\n/, ''), 'latin1') : Buffer.from(`\ufeff${text.replace(/"Niccolò";"riga 1\r\nriga 2"\r\n/, '')}`, encoding);
      expect(Buffer.from(out.bytes).equals(expected), encoding).toBe(true);
    }
  });

  it('never removes the header, and leaves a file without the rows untouched', async () => {
    const bytes = Buffer.from('Nome\nMario\n');
    expect((await rewriteWithout(bytes, 'a.csv', drop('Nome'))).removed).toEqual([]);
    expect((await rewriteWithout(bytes, 'a.csv', drop('Luca'))).bytes).toBe(bytes);
  });

  it('cuts NDJSON lines, JSON array elements (big integers exact) and gzip stays gzip', async () => {
    const nd = Buffer.from('{"e":"a"}\r\n{"e":"b"}\n{"e":"c"}');
    expect(Buffer.from((await rewriteWithout(nd, 'x.ndjson', drop('c'))).bytes).toString()).toBe('{"e":"a"}\r\n{"e":"b"}\n');
    const json = Buffer.from('{"customers": [\n  {"id": 7381950947628123456, "e": "a"},\n  {"e": "b"}\n]}');
    const out = Buffer.from((await rewriteWithout(json, 'x.json', drop('b'))).bytes).toString();
    expect(out).toBe('{"customers": [\n  {"id": 7381950947628123456, "e": "a"}\n]}');
    const gz = gzipSync(Buffer.from('E-mail\nmario@x.it\nanna@x.it\n'));
    expect(gunzipSync((await rewriteWithout(gz, 'imports/x/a.csv.gz', drop('mario@x.it'))).bytes).toString()).toBe('E-mail\nanna@x.it\n');
  });

  it('removes XLSX rows and blanks the shared strings only they used', async () => {
    const book = buildXlsx({ S: [['Email', 'Città'], ['mario@x.it', 'Forlì'], ['anna@x.it', 'Forlì']] });
    const out = await rewriteWithout(book, 'x.xlsx', drop('mario@x.it'));
    expect(out.removed).toEqual([2]);
    expect([...readXlsx(out.bytes)].map((r) => r.cells)).toEqual([['Email', 'Città'], ['anna@x.it', 'Forlì']]);
    const all = Object.values(unzipSync(out.bytes)).map((f) => strFromU8(f)).join('');
    expect(all).not.toContain('mario@x.it');
    expect(all).toContain('anna@x.it');
    expect(all).toContain('Forlì');
    expect((all.match(/<si>/g) ?? []).length).toBe(5); // indices kept: the other cells still point at their strings
  });

  it('picks rows by line with their headers (the access bundle)', async () => {
    const rows = await pickRows(Buffer.from('Nome;Email\nMario;m@x.it\nAnna;a@x.it\n'), 'a.csv', (l) => l === 3);
    expect(rows).toEqual([{ line: 3, values: { Nome: 'Anna', Email: 'a@x.it' } }]);
  });

  it("names a survey's columns from both its header rows, and never takes the second for data", async () => {
    const bytes = Buffer.from('Respondent ID,Contact details,,Any comments?\n,Name,Email Address,Open-Ended Response\n11,Anna Bianchi,a@x.it,Great\n');
    expect(await pickRows(bytes, 'sm.csv', () => true)).toEqual([{ line: 3, values: { 'Respondent ID': '11', 'Contact details - Name': 'Anna Bianchi', 'Contact details - Email Address': 'a@x.it', 'Any comments?': 'Great' } }]);
    const out = await rewriteWithout(bytes, 'sm.csv', () => true);
    expect(Buffer.from(out.bytes).toString()).toBe('Respondent ID,Contact details,,Any comments?\n,Name,Email Address,Open-Ended Response\n');
  });

  it('reads a file from the header line its import was told (format.headerLine), never cutting the title above it', async () => {
    const bytes = Buffer.from('Elenco clienti;al 31/12/2025\r\nNome;Email\r\nMario;m@x.it\r\nAnna;a@x.it\r\n');
    expect(await pickRows(bytes, 'a.csv', (l) => l === 3, { headerLine: 2 })).toEqual([{ line: 3, values: { Nome: 'Mario', Email: 'm@x.it' } }]);
    // Without it, the title is the header (as the import would have read it).
    expect(await pickRows(bytes, 'a.csv', (l) => l === 3)).toEqual([{ line: 3, values: { 'Elenco clienti': 'Mario', 'al 31/12/2025': 'm@x.it' } }]);
    const out = await rewriteWithout(bytes, 'a.csv', (row) => row.cells.includes('Mario') || row.cells.includes('Elenco clienti'), { headerLine: 2 });
    expect(Buffer.from(out.bytes).toString()).toBe('Elenco clienti;al 31/12/2025\r\nNome;Email\r\nAnna;a@x.it\r\n');
  });

  it('reads the file as its import did: a title above the header, a file mapped with no header row, a named sheet', async () => {
    // A report printed to a file: its title and date above the header are neither the header nor anyone's row.
    const report = Buffer.from('Elenco clienti al 01/12/2026\nStampato da: ufficio\n\nNome;Email\nMario;m@x.it\nAnna;a@x.it\n');
    expect(await pickRows(report, 'imports/erp/a.csv', (l) => l === 5)).toEqual([{ line: 5, values: { Nome: 'Mario', Email: 'm@x.it' } }]);
    const cut = await rewriteWithout(report, 'imports/erp/a.csv', drop('m@x.it'));
    expect(cut.removed).toEqual([5]);
    expect(Buffer.from(cut.bytes).toString()).toBe('Elenco clienti al 01/12/2026\nStampato da: ufficio\n\nNome;Email\nAnna;a@x.it\n');
    // Mapped with `format.header: false`: the person on the first line is found and removed too.
    const headless = Buffer.from('m@x.it;Mario\na@x.it;Anna\n');
    expect((await rewriteWithout(headless, 'imports/erp/b.csv', drop('m@x.it'))).removed).toEqual([]);
    const erased = await rewriteWithout(headless, 'imports/erp/b.csv', drop('m@x.it'), { header: false });
    expect(Buffer.from(erased.bytes).toString()).toBe('a@x.it;Anna\n');
    expect(await pickRows(headless, 'imports/erp/b.csv', (l) => l === 1, { header: false })).toEqual([{ line: 1, values: { '1': 'm@x.it', '2': 'Mario' } }]);
    // A delimiter the mapping gives, and a workbook's named sheet.
    expect((await rewriteWithout(Buffer.from('Nome|Email\nMario|m@x.it\n'), 'imports/erp/c.txt', drop('m@x.it'), { delimiter: '|' })).removed).toEqual([2]);
    const book = buildXlsx({ Note: [['Promemoria'], ['m@x.it']], Clienti: [['Elenco'], ['Email', 'Nome'], ['m@x.it', 'Mario'], ['a@x.it', 'Anna']] });
    const out = await rewriteWithout(book, 'imports/erp/d.xlsx', drop('m@x.it'), { sheet: 'Clienti' });
    expect(out.removed).toEqual([3]);
    expect([...readXlsx(out.bytes, 'Clienti')].map((r) => r.cells)).toEqual([['Elenco'], ['Email', 'Nome'], ['a@x.it', 'Anna']]);
    expect([...readXlsx(out.bytes, 'Note')].map((r) => r.cells)).toEqual([['Promemoria'], ['m@x.it']]);
  });

  it("finds and removes the person's rows in a workbook's sheets the import never read, by their cells", async () => {
    const book = buildXlsx({ Clienti: [['Email', 'Nome'], ['m@x.it', 'Mario'], ['a@x.it', 'Anna']], Ordini: [['Cliente', 'Totale'], ['m@x.it', '120'], ['a@x.it', '80'], ['m@x.it', '30']] });
    const mario = (cells: readonly string[]) => cells.includes('m@x.it');
    expect(otherSheetRows(book, 'imports/erp/d.xlsx', mario)).toEqual([
      { sheet: 'Ordini', line: 2, values: { '1': 'm@x.it', '2': '120' } },
      { sheet: 'Ordini', line: 4, values: { '1': 'm@x.it', '2': '30' } },
    ]);
    const out = await rewriteWithout(book, 'imports/erp/d.xlsx', drop('m@x.it'), {}, mario);
    expect([out.removed, out.removedElsewhere]).toEqual([[2], 2]);
    expect([...readXlsx(out.bytes, 'Ordini')].map((r) => r.cells)).toEqual([['Cliente', 'Totale'], ['a@x.it', '80']]);
    expect(Object.values(unzipSync(out.bytes)).map((f) => strFromU8(f)).join('')).not.toContain('m@x.it');
    // Only those sheets' rows: the person already gone from the sheet read, the others are still searched.
    const again = await rewriteWithout(buildXlsx({ Clienti: [['Email'], ['a@x.it']], Ordini: [['Cliente'], ['m@x.it']] }), 'imports/erp/e.xlsx', drop('m@x.it'), {}, mario);
    expect([again.removed, again.removedElsewhere]).toEqual([[], 1]);
    // A text file has no other sheet.
    expect(otherSheetRows(Buffer.from('Email\nm@x.it\n'), 'imports/erp/f.csv', mario)).toEqual([]);
  });

  it('keeps every row it was not asked to remove (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.stringMatching(/^[a-z]{1,6}$/), fc.boolean()), { minLength: 1, maxLength: 30 }), async (rows) => {
        const lines = rows.map(([v], i) => `${i};${v}`);
        const bytes = Buffer.from(`id;v\n${lines.join('\n')}\n`);
        const out = await rewriteWithout(bytes, 'a.csv', (row) => rows[Number(row.cells[0])]![1]);
        const kept = rows.map(([v], i) => [`${i};${v}`, rows[i]![1]] as const).filter(([, gone]) => !gone).map(([l]) => l);
        expect(Buffer.from(out.bytes).toString()).toBe(`id;v\n${kept.map((l) => `${l}\n`).join('')}`);
      }),
      { numRuns: 100 },
    );
  });
});

describe('suppression of a role address', () => {
  const isRole = (k: string) => isRoleKey(k, DEFAULT_IDENTITY_CONFIG);
  const erased = profileNameKeys({ firstName: [{ v: 'Elena' }, { v: 'Elena Maria' }], lastName: [{ v: 'Conti' }] });
  const list = new Set(suppressionEntries(['email:info@contifoto.it', 'email:elena@contifoto.it', 'phone:+393331112233'], erased, isRole));
  const caught = (keys: string[], person?: { firstName?: string; lastName?: string }, role?: (k: string) => boolean) =>
    suppressionCheckKeys(keys, person, role).some((k) => list.has(k));

  it('lists the person\'s own identifiers as they are, a role address with their names and with none', () => {
    expect(nameKey('Elena', 'Conti')).toBe(nameKey('CONTI', 'elena'));
    expect(nameKey('Elena', undefined)).toBeUndefined();
    expect(list.has('email:elena@contifoto.it') && list.has('phone:+393331112233')).toBe(true);
    expect(list.has('email:info@contifoto.it')).toBe(false);
    expect(list.has('email:info@contifoto.it#')).toBe(true);
    expect(list.has(`email:info@contifoto.it#${nameKey('Elena Maria', 'Conti')}`)).toBe(true);
  });

  it('catches a record of the address that names the person or no one, not one that names someone else', () => {
    for (const role of [undefined, isRole]) {
      expect(caught(['email:info@contifoto.it'], { firstName: 'Elena', lastName: 'Conti' }, role)).toBe(true);
      expect(caught(['email:info@contifoto.it'], { firstName: 'Conti', lastName: 'Elena' }, role)).toBe(true);
      expect(caught(['email:info@contifoto.it'], undefined, role)).toBe(true);
      // A surname alone cannot tell: checked as naming no one.
      expect(caught(['email:info@contifoto.it'], { lastName: 'Conti' }, role)).toBe(true);
      expect(caught(['email:info@contifoto.it'], { firstName: 'Marco', lastName: 'Conti' }, role)).toBe(false);
      // The person's own identifiers catch whatever the name.
      expect(caught(['email:info@contifoto.it', 'phone:+393331112233'], { firstName: 'Marco', lastName: 'Conti' }, role)).toBe(true);
    }
  });

  it('lists a role address alone for a person erased without a full name', () => {
    const nameless = new Set(suppressionEntries(['email:info@contifoto.it'], new Set(), isRole));
    expect(nameless.has('email:info@contifoto.it')).toBe(true);
    expect(suppressionCheckKeys(['email:info@contifoto.it'], { firstName: 'Marco', lastName: 'Conti' }).some((k) => nameless.has(k))).toBe(true);
  });
});

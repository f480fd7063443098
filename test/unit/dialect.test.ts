import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectDelimiter, detectEncoding, detectMonthFirst, isSubHeader, isValidUtf8, subHeaderNames, titleLineCount } from '../../lambdas/domain/dialect.ts';

const cp1252 = (s: string): Uint8Array =>
  Uint8Array.from([...s].map((c) => (c === 'à' ? 0xe0 : c === 'ò' ? 0xf2 : c.charCodeAt(0))));

describe('detectEncoding', () => {
  it('recognises BOMs', () => {
    expect(detectEncoding(Uint8Array.from([0xef, 0xbb, 0xbf, 0x41]))).toEqual({ encoding: 'utf8', bomLength: 3 });
    expect(detectEncoding(Uint8Array.from([0xff, 0xfe, 0x41, 0]))).toEqual({ encoding: 'utf16le', bomLength: 2 });
    expect(detectEncoding(Uint8Array.from([0xfe, 0xff, 0, 0x41]))).toEqual({ encoding: 'utf16be', bomLength: 2 });
  });
  it('tells UTF-8 from Windows-1252', () => {
    expect(detectEncoding(new TextEncoder().encode('Città;Niccolò')).encoding).toBe('utf8');
    expect(detectEncoding(cp1252('Città;Niccolò')).encoding).toBe('windows-1252');
  });
  it('recognises UTF-16 without a BOM', () => {
    expect(detectEncoding(new Uint8Array(Buffer.from('Nome;Cognome\n', 'utf16le'))).encoding).toBe('utf16le');
  });
  it('agrees with TextDecoder on UTF-8 validity (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        let strict = true;
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        } catch {
          strict = false;
        }
        // A sequence cut at the end counts as valid for a sample, so only "strictly valid => valid" must hold.
        if (strict) expect(isValidUtf8(bytes)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('detectDelimiter', () => {
  it.each([
    ['Nome;Cognome;Città\nMario;Rossi;Milano\n', ';'],
    ['a,b,c\n1,2,3\n', ','],
    ['a\tb\tc\n1\t2\t3\n', '\t'],
    ['a|b\n1|2\n', '|'],
    ['"Rossi, Mario";Milano;MI\n"Bianchi, Anna";Roma;RM\n', ';'],
    ['solo\nuna\ncolonna\n', ','],
    // A title above the header, without a delimiter (or with a comma of its own).
    ['Elenco clienti al 01/12/2026\nNome;Cognome;Città\nMario;Rossi;Milano\n', ';'],
    ['Clienti, aggiornato al 01/12/2026\nNome;Cognome;Città\nMario;Rossi;Milano\nAnna;Bianchi;Roma\n', ';'],
  ])('finds the delimiter of %j', (sample, d) => {
    expect(detectDelimiter(sample)).toBe(d);
  });
});

describe('titleLineCount', () => {
  it.each([
    ['a title and a blank row above the header', [['Elenco clienti'], [''], ['Nome', 'Email'], ['Mario', 'm@x.it']], 2],
    ["a title padded to the table's width (Excel)", [['Elenco clienti', '', ''], ['Nome', 'Email', 'Città']], 1],
    ['a header on the first row', [['Nome', 'Email'], ['Mario', 'm@x.it']], 0],
    ['a one-column file', [['Email'], ['m@x.it'], ['a@x.it']], 0],
    ['one-cell rows with no row of columns after them', Array.from({ length: 25 }, () => ['x']).concat([['Nome', 'Email']]), 0],
    ['a title with two cells filled (the header is the first row as before)', [['Elenco clienti', '01/12/2026'], ['Nome', 'Email']], 0],
  ])('%s', (_name, rows, titles) => {
    expect(titleLineCount(rows)).toBe(titles);
  });
});

describe("a survey's second header row", () => {
  // SurveyMonkey: the questions over their first columns, then what each column holds.
  const header = ['Respondent ID', 'Email Address', 'Contact details', '', '', 'How did you hear about us?', '', 'Which products?', '', 'Any comments?'];
  const sub = ['', '', 'Name', 'Email Address', 'Phone Number', 'Response', 'Other (please specify)', 'Product A', 'Email marketing', 'Open-Ended Response'];

  it('is told from a data row', () => {
    expect(isSubHeader(header, sub)).toBe(true);
    expect(isSubHeader(['ID', 'Domanda'], ['', 'Risposta aperta'])).toBe(true);
    // A first data row: its columns of their own hold values, whatever another holds.
    expect(isSubHeader(header, ['1142', 'a@example.com', 'Anna', '', '', 'Response', '', '', '', 'Open-Ended Response'])).toBe(false);
    expect(isSubHeader(['Tipo', 'Email'], ['Response', 'a@example.com'])).toBe(false);
    expect(isSubHeader(header, ['', '', 'Name', 'Email Address', 'Phone Number', '', '', '', '', ''])).toBe(false);
  });

  it("names each column by its question, a choice's by the question and the choice, a contact field's by its label", () => {
    expect(subHeaderNames(header, sub)).toEqual([
      'Respondent ID', 'Email Address', 'Contact details - Name', 'Contact details - Email Address', 'Contact details - Phone Number',
      'How did you hear about us?', 'How did you hear about us? - Other (please specify)', 'Which products? - Product A', 'Which products? - Email marketing', 'Any comments?',
    ]);
    const contact = (labels: readonly string[]) => labels.includes('Name');
    expect(subHeaderNames(header, sub, contact).slice(2, 5)).toEqual(['Name', 'Email Address', 'Phone Number']);
    // A column left empty under a question of several stays unnamed.
    expect(subHeaderNames(['Q', '', ''], ['Response', 'Other', ''])).toEqual(['Q', 'Q - Other', '']);
  });
});

describe('detectMonthFirst', () => {
  it('tells month first where a second number above 12 does and no first one does', () => {
    expect(detectMonthFirst('Timestamp,Email\n3/11/2025 10:15:00,a@example.com\n3/25/2025 9:00:00,b@example.com\n')).toBe('MM/dd/yyyy');
    expect(detectMonthFirst('Date,Email\n12/25/26,a@example.com\n')).toBe('MM/dd/yyyy');
    expect(detectMonthFirst('Data;Email\n25/12/2026;a@example.it\n')).toBeUndefined();
    // One day-first date settles it: the file is day first, whatever else looks otherwise.
    expect(detectMonthFirst('Data;Scadenza\n03/11/2025;11/25/2025\n13/11/2025;01/01/2026\n')).toBeUndefined();
    // Nothing tells: day first, the default.
    expect(detectMonthFirst('Data;Email\n01/02/2026;a@example.it\n')).toBeUndefined();
  });
  it('is not told by what only looks like a date', () => {
    // A version, an IP address, a phone, an amount, a two-digit year after dots, an ISO date.
    expect(detectMonthFirst('v;ip;tel;amount;x;iso\n1.2.30;10.1.20.5;333.123.4567;1.234,56;10.20.30;2026-12-25\n')).toBeUndefined();
  });
});

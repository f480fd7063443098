import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsvBatches, readCsv, readCsvBatches } from '../../lambdas/formats/csv.ts';
import { readJsonArray, readNdjson } from '../../lambdas/formats/json.ts';
import { sniff } from '../../lambdas/formats/sniff.ts';
import type { SourceRow } from '../../lambdas/formats/types.ts';
import { readXlsx } from '../../lambdas/formats/xlsx.ts';
import { buildXlsx } from '../support/xlsx.ts';

const chunked = (buf: Buffer, size = 7) => Readable.from(Array.from({ length: Math.ceil(buf.length / size) }, (_, i) => buf.subarray(i * size, (i + 1) * size)));
async function all<T>(it: AsyncIterable<T> | Iterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const cellText = fc.string({ unit: fc.constantFrom('a', 'b', 'à', 'ò', '€', ';', ',', '"', '\n', '\r\n', ' ', '1'), maxLength: 6 });
const quote = (c: string) => (/[;"\n\r]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);

describe('readCsv', () => {
  it('restores Windows-1252 characters, keeps quoted newlines in one row, and numbers lines', async () => {
    const text = 'Nome;Note\r\nNiccolò;"due\r\nrighe"\r\nAnna;Prezzo € 5\r\n';
    const bytes = Buffer.from(text.replace('€', '\u0080'), 'latin1');
    const rows = await all(readCsv(chunked(bytes), { encoding: 'windows-1252', delimiter: ';' }));
    expect(rows.map((r) => [r.cells, r.line])).toEqual([
      [['Nome', 'Note'], 1],
      [['Niccolò', 'due\r\nrighe'], 2],
      [['Anna', 'Prezzo € 5'], 4],
    ]);
    expect(rows.at(-1)!.endOffset).toBe(bytes.length);
  });

  it('reads UTF-16LE with its BOM', async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Email\tNome\na@b.it\tZoë\n', 'utf16le')]);
    const rows = await all(readCsv(chunked(bytes), { encoding: 'utf16le', delimiter: '\t' }));
    expect(rows.map((r) => r.cells)).toEqual([['Email', 'Nome'], ['a@b.it', 'Zoë']]);
  });

  it('yields the rows of a chunk read as one array: one await per chunk, not per row', async () => {
    const text = `a;b\n${Array.from({ length: 100 }, (_, i) => `${i};x`).join('\n')}\n`;
    const batches = await all(readCsvBatches(Readable.from([Buffer.from(text)]), { encoding: 'utf8', delimiter: ';' }));
    expect(batches.map((b) => b.length)).toEqual([101]);
    expect(batches.flat().map((r) => r.line)).toEqual(Array.from({ length: 101 }, (_, i) => i + 1));
  });

  it('resumed at any row end yields exactly the rows after it, with the same lines (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(cellText, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 12 }), fc.boolean(), fc.nat(), async (rows, utf8, pick) => {
        const text = `h1;h2\r\n${rows.map((r) => r.map(quote).join(';')).join('\r\n')}\r\n`;
        const encoding = utf8 ? 'utf8' : 'windows-1252';
        const bytes = utf8 ? Buffer.from(text, 'utf8') : Buffer.from(text.replace(/€/g, '\u0080'), 'latin1');
        const full = await all(readCsv(chunked(bytes, 5), { encoding, delimiter: ';' }));
        const k = pick % full.length;
        const from = full[k]!;
        const rest = await all(
          readCsv(chunked(bytes.subarray(from.endOffset!), 3), { encoding, delimiter: ';', baseOffset: from.endOffset!, firstLine: full[k + 1]?.line ?? 0 }),
        );
        const strip = (r: SourceRow[]) => r.map((x) => ({ cells: x.cells, line: x.line, end: x.endOffset }));
        expect(strip(rest)).toEqual(strip(full.slice(k + 1)));
        // True start lines: each row starts after the header and the line breaks of the rows before it.
        let line = 2;
        full.slice(1).forEach((r, i) => {
          expect(r.line).toBe(line);
          expect(r.cells).toEqual(rows[i]);
          line += 1 + rows[i]!.join('').split(/\r\n|\r|\n/).length - 1;
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('readCsvBatches: lines split where they stand, csv-parse from the first quote on', () => {
  // Cells of a generated export: plain text, Windows-1252's C1 characters, multi-byte UTF-8, and now and then what
  // only csv-parse may read (a quote, a carriage return inside a line).
  const plain = fc.string({ unit: fc.constantFrom('a', 'Z', '1', ' ', 'à', 'ò', '€', '@', '.', '\u0080'), maxLength: 5 });
  const rare = fc.constantFrom('"', 'x"y', '"q;r"', '\r', 'a\rb', '""');
  const row = fc.array(fc.oneof({ weight: 30, arbitrary: plain }, { weight: 1, arbitrary: rare }), { minLength: 0, maxLength: 4 });
  const file = fc.record({
    rows: fc.array(row, { minLength: 0, maxLength: 30 }),
    eol: fc.constantFrom('\n', '\r\n', '\r'),
    bom: fc.constantFrom('', 'utf8', 'utf16'),
    lastEol: fc.boolean(),
    delimiter: fc.constantFrom(';', ',', '\t', '|'),
    utf8: fc.boolean(),
    chunk: fc.integer({ min: 1, max: 64 }),
  });
  const strip = (rows: SourceRow[][]) => rows.flat().map((r) => ({ cells: r.cells, line: r.line, end: r.endOffset, error: r.error }));

  it('yields what csv-parse alone yields: cells, lines, end offsets and unreadable records (property)', async () => {
    await fc.assert(
      fc.asyncProperty(file, async (f) => {
        const text = f.rows.map((r) => r.join(f.delimiter)).join(f.eol) + (f.lastEol ? f.eol : '');
        const body = f.utf8 ? Buffer.from(text, 'utf8') : Buffer.from(text.replace(/€/g, '\u0080'), 'latin1');
        const bytes = f.bom ? Buffer.concat([Buffer.from(f.bom === 'utf8' ? [0xef, 0xbb, 0xbf] : [0xff, 0xfe]), body]) : body;
        const options = { encoding: f.utf8 ? ('utf8' as const) : ('windows-1252' as const), delimiter: f.delimiter };
        const reference = strip(await all(parseCsvBatches(chunked(bytes, f.chunk), options)));
        expect(strip(await all(readCsvBatches(chunked(bytes, f.chunk), options)))).toEqual(reference);
        // Resumed after any row, as a continued import is.
        if (reference.length > 1) {
          const from = reference[Math.floor(reference.length / 2) - 1]!;
          const next = reference[Math.floor(reference.length / 2)]!;
          if (from.end !== undefined && from.error === undefined && next.error === undefined) {
            const resumed = { ...options, baseOffset: from.end, firstLine: next.line };
            expect(strip(await all(readCsvBatches(chunked(bytes.subarray(from.end), f.chunk), resumed)))).toEqual(
              strip(await all(parseCsvBatches(chunked(bytes.subarray(from.end), f.chunk), resumed))),
            );
          }
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('hands a line of over a megabyte to csv-parse rather than joining its chunks again and again', async () => {
    const bytes = Buffer.from(`a;b\n${'x'.repeat(1_500_000)};y\nc;d\n`);
    const rows = strip(await all(readCsvBatches(chunked(bytes, 64 * 1024), { encoding: 'utf8', delimiter: ';' })));
    expect(rows).toEqual(strip(await all(parseCsvBatches(chunked(bytes, 64 * 1024), { encoding: 'utf8', delimiter: ';' }))));
    expect(rows.map((r) => [r.cells.length, r.line])).toEqual([[2, 1], [2, 2], [2, 3]]);
  });

  it('hands the rest of the file to csv-parse at the first quote: a quoted newline stays in its row', async () => {
    const text = 'Nome;Note\r\nAnna;uno\r\nBea;"due\r\nrighe"\r\nCarla;tre\r\n';
    const rows = (await all(readCsvBatches(chunked(Buffer.from(text), 4), { encoding: 'utf8', delimiter: ';' }))).flat();
    expect(rows.map((r) => [r.cells, r.line, r.endOffset])).toEqual([
      [['Nome', 'Note'], 1, 11],
      [['Anna', 'uno'], 2, 21],
      [["Bea", "due\r\nrighe"], 3, 39],
      [["Carla", "tre"], 5, 50],
    ]);
  });
});

describe('readNdjson', () => {
  it('flattens objects, keeps bad lines as errors, and resumes at byte offsets', async () => {
    const text = '{"email":"a@b.it","customer":{"first_name":"Anna","tags":["vip","it"]}}\r\nnot json\n\n{"email":"c@d.it"}';
    const rows = await all(readNdjson(chunked(Buffer.from(text))));
    expect(rows.map((r) => [r.headers, r.cells, r.line, r.error])).toEqual([
      [['email', 'customer.first_name', 'customer.tags'], ['a@b.it', 'Anna', 'vip, it'], 1, undefined],
      [[], [], 2, 'json.syntax'],
      [['email'], ['c@d.it'], 4, undefined],
    ]);
    const second = rows[1]!;
    const resumed = await all(readNdjson(chunked(Buffer.from(text).subarray(second.endOffset!)), second.endOffset!, 3));
    expect(resumed.map((r) => [r.cells, r.line, r.endOffset])).toEqual([[['c@d.it'], 4, Buffer.byteLength(text)]]);
  });
});

describe('readJsonArray', () => {
  it('reads an array, or the one array inside an object', async () => {
    const rows = await all(readJsonArray(Readable.from([Buffer.from('{"customers":[{"email":"a@b.it"},7]}')])));
    expect(rows.map((r) => [r.cells, r.error])).toEqual([
      [['a@b.it'], undefined],
      [[], 'json.notAnObject'],
    ]);
  });
  it('fails a document that is not JSON', async () => {
    await expect(all(readJsonArray(Readable.from([Buffer.from('[{"a":')])))).rejects.toMatchObject({ reason: 'json.syntax' });
  });
});

describe('readXlsx', () => {
  it('reads the first sheet, or the named one, with shared strings and numbers', () => {
    const book = buildXlsx({
      Note: [['ignore me']],
      Clienti: [['Email', 'CAP', 'Nome'], ['a@b.it', 184, 'Zoë & Co'], ['c@d.it', null, 'Luca']],
    });
    expect([...readXlsx(book)].map((r) => r.cells)).toEqual([['ignore me']]);
    expect([...readXlsx(book, 'Clienti')].map((r) => [r.cells, r.line])).toEqual([
      [['Email', 'CAP', 'Nome'], 1],
      [['a@b.it', '184', 'Zoë & Co'], 2],
      [['c@d.it', '', 'Luca'], 3],
    ]);
  });
  it('fails a missing sheet and a ZIP that is not a workbook', () => {
    expect(() => [...readXlsx(buildXlsx({ A: [['x']] }), 'B')]).toThrow(expect.objectContaining({ reason: 'xlsx.noSheet' }));
    expect(() => [...readXlsx(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0]))]).toThrow(expect.objectContaining({ reason: 'xlsx.corrupt' }));
  });
});

describe('sniff', () => {
  it('goes by magic bytes first, then extension, then content', () => {
    expect(sniff(Buffer.from([0x1f, 0x8b, 8]), 'imports/a/x.csv.gz')).toEqual({ gzip: true, format: 'csv' });
    expect(sniff(Buffer.from('PK\u0003\u0004'), 'imports/a/x.bin')).toEqual({ gzip: false, format: 'xlsx' });
    expect(sniff(Buffer.from('[{"a":1}]'), 'imports/a/x')).toEqual({ gzip: false, format: 'json' });
    expect(sniff(Buffer.from('{"a":1}\n{"a":2}\n'), 'imports/a/x')).toEqual({ gzip: false, format: 'ndjson' });
    expect(sniff(Buffer.from('a;b\n'), 'imports/a/x.txt')).toEqual({ gzip: false, format: 'csv' });
  });
});

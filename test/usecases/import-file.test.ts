import { gzipSync } from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import { type ImportCheckpoint, type ImportDeps, type ImportReport, importObject } from '../../lambdas/usecases/import-file.ts';
import { findReading, parseReading, readingOf, uploadOf } from '../../lambdas/usecases/import-keys.ts';
import { MemoryContinuations, MemoryObjects, MemoryRecordQueue } from '../support/memory-ports.ts';
import { buildXlsx } from '../support/xlsx.ts';

const LANDING = 'landing';
let objects: MemoryObjects;
let queue: MemoryRecordQueue;
let continuations: MemoryContinuations;
let deps: ImportDeps;

beforeEach(() => {
  objects = new MemoryObjects();
  queue = new MemoryRecordQueue();
  continuations = new MemoryContinuations();
  deps = { objects, queue, continuations, rawBucket: 'raw', now: () => new Date('2026-01-02T03:04:05Z'), remainingMs: () => 600_000 };
});

async function run(key: string, body: string | Uint8Array): Promise<ImportReport> {
  await objects.put(LANDING, key, body);
  const outcome = await importObject(deps, LANDING, key);
  if (!outcome.done) throw new Error('unexpected checkpoint');
  const r = outcome.report;
  expect(r.rowsRead).toBe(r.accepted + r.rejected + r.suppressed);
  expect(JSON.parse(objects.text('raw', `reports/imports/${r.importId}.json`)!)).toEqual(r);
  return r;
}

/**
 * Imports an object already landed in invocations that each stop at a checkpoint (as Lambda's time limit makes a long
 * import do), each continuing from the last one's checkpoint as it would arrive (JSON), until it is done.
 */
async function importInHops(key: string, eachCheckpoint?: (checkpoint: ImportCheckpoint) => void): Promise<{ report: ImportReport; hops: number }> {
  let calls = 0;
  deps = { ...deps, reserveMs: 1000, remainingMs: () => (++calls % 2 === 0 ? 10 : 600_000) };
  let outcome = await importObject(deps, LANDING, key);
  let hops = 0;
  while (!outcome.done) {
    hops++;
    eachCheckpoint?.(outcome.checkpoint);
    outcome = await importObject(deps, LANDING, key, JSON.parse(JSON.stringify(outcome.checkpoint)) as ImportCheckpoint);
  }
  return { report: outcome.report, hops };
}

const IT_CSV = [
  'Codice cliente;Nome;Cognome;E-mail;Cellulare;CAP;Città;Provincia;Data di nascita;Totale speso',
  'C1;NICCOLÒ;ROSSI;n.rossi@example.it;333 123 4567;184;Forlì;FC;01/02/1980;1.234,50',
  "C2;Anna;D'ANGELO;anna@example.it;+39 320 5556677;20121;Milano;MI;31/02/1990;",
].join('\r\n');

describe('importObject', () => {
  it.each([
    ['windows-1252 `;`', 'imports/erp/clienti.csv', Buffer.from(`${IT_CSV}\r\n`, 'latin1'), 'windows-1252', ';'],
    ['UTF-8 with BOM `,`', 'imports/erp/clienti.csv', Buffer.from(`\ufeff${IT_CSV.replace('1.234,50', '"1.234,50"').replace(/;/g, ',')}\n`, 'utf8'), 'utf8', ','],
    ['UTF-16LE with BOM, tab', 'imports/erp/clienti.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(IT_CSV.replace(/;/g, '\t'), 'utf16le')]), 'utf16le', '\t'],
    ['pipe', 'imports/erp/clienti.csv', Buffer.from(IT_CSV.replace(/;/g, '|'), 'utf8'), 'utf8', '|'],
    ['gzip', 'imports/erp/clienti.csv.gz', gzipSync(Buffer.from(IT_CSV, 'latin1')), 'windows-1252', ';'],
  ])('imports CSV (%s) into clean records', async (_name, key, body, encoding, delimiter) => {
    const r = await run(key, body);
    expect(r).toMatchObject({ status: 'completed', format: 'csv', encoding, delimiter, rowsRead: 2, accepted: 2, rejected: 0 });
    expect(r.flagged).toEqual({ 'person.birthDate:date.impossible': 1 });
    // No field takes "Totale speso" (a customer's total is the orders' sum): the report says so, by name.
    expect(r.unmappedColumns).toEqual(['Totale speso']);
    const [first] = queue.records;
    expect(first?.person).toEqual({ firstName: 'Niccolò', lastName: 'Rossi', birthDate: '1980-02-01' });
    expect(first?.address).toEqual({ postalCode: '00184', city: 'Forlì', province: 'FC', region: 'Emilia-Romagna' });
    expect(first?.identifiers.map((i) => i.value)).toEqual(['C1', 'n.rossi@example.it', '+393331234567']);
    expect(first?.lineage).toMatchObject({ objectKey: key, recordKey: 'C1', line: 2 });
  });

  it("counts a birth date the row's own codice fiscale disagrees with, and keeps the row's date", async () => {
    const csv = ['Nome;Cognome;E-mail;Data di nascita;Codice fiscale', 'Mario;Rossi;m@example.it;01/01/1980;RSSMRA80A01H501U', 'Mario;Rossi;m2@example.it;10/01/1980;RSSMRA80A01H501U'].join('\n');
    const r = await run('imports/fatture/clienti.csv', csv);
    expect(r).toMatchObject({ accepted: 2, rejected: 0, flagged: { 'person.birthDate:birthDate.taxCodeDisagrees': 1 } });
    expect(queue.records.map((x) => x.person?.birthDate)).toEqual(['1980-01-01', '1980-01-10']);
  });

  it('names by position the columns a file without a header row leaves unmapped', async () => {
    await objects.put(LANDING, 'mappings/nohead.json', JSON.stringify({ format: { header: false }, fields: { 'identifiers.email': 2, 'person.lastName': 3 } }));
    const r = await run('imports/nohead/x.csv', 'C1;anna@example.it;Bianchi;Milano\nC2;luca@example.it;Verdi;Roma\n');
    expect(r).toMatchObject({ status: 'completed', rowsRead: 2, accepted: 2, unmappedColumns: ['column 1', 'column 4'] });
    // How it was read is noted by the file's key, for the privacy worker: a mapping changed since does not change it.
    expect(JSON.parse(objects.text('raw', 'reports/readings/imports/nohead/x.csv.json')!)).toEqual({ header: false, encoding: 'utf8', delimiter: ';' });
  });

  it('handles Excel\'s "sep=;" first line', async () => {
    const r = await run('imports/erp/excel.csv', `sep=;\r\n${IT_CSV}`);
    expect(r).toMatchObject({ delimiter: ';', rowsRead: 2, accepted: 2 });
  });

  it('reads a report printed to a file: the title and date above the header are not the header, and the report says where it is', async () => {
    const csv = `Elenco clienti al 01/12/2026\r\nStampato da: ufficio vendite\r\n\r\n${IT_CSV}\r\n`;
    const r = await run('imports/erp/report.csv', Buffer.from(csv, 'latin1'));
    expect(r).toMatchObject({ status: 'completed', delimiter: ';', headerLine: 4, rowsRead: 2, accepted: 2, rejected: 0 });
    expect(queue.records.map((q) => q.lineage.line)).toEqual([5, 6]);
    // Saved from Excel, the title row has the table's width: the same.
    const padded = await run('imports/erp/padded.csv', `Elenco clienti;;;;;;;;;
${IT_CSV}
`);
    expect(padded).toMatchObject({ headerLine: 2, rowsRead: 2, accepted: 2 });
    const book = buildXlsx({ Clienti: [['Anagrafica clienti'], [], ['Email', 'Nome'], ['a@example.it', 'Anna']] });
    expect(await run('imports/erp/report.xlsx', book)).toMatchObject({ format: 'xlsx', headerLine: 3, rowsRead: 1, accepted: 1 });
    // A one-column file's header is its first row, and the report says nothing of a title.
    const single = await run('imports/erp/emails.csv', 'Email\r\na@example.it\r\nb@example.it\r\n');
    expect(single).toMatchObject({ rowsRead: 2, accepted: 2 });
    expect(single.headerLine).toBeUndefined();
    // Lines of one cell with no row of columns after them: no title is guessed, and the file fails as before.
    expect(await run('imports/erp/notes.csv', 'Appunti\r\nchiamare Mario\r\n')).toMatchObject({ status: 'failed', error: 'header.noIdentifierColumn' });
  });

  it("reads a survey's respondents from the fields its second header row names (SurveyMonkey), and counts that row as no one's", async () => {
    // A web link collector leaves the invitation's e-mail and names empty: the respondent is known by the survey's
    // contact question, whose fields only the second header row names. Each respondent was quarantined as naming no one.
    const header = 'Respondent ID,Collector ID,Start Date,End Date,IP Address,Email Address,First Name,Last Name,Custom Data 1,Contact details,,,,,How did you hear about us?,,Any comments?';
    const sub = ',,,,,,,,,Name,Company,City/Town,Email Address,Phone Number,Response,Other (please specify),Open-Ended Response';
    const rows = [
      '114227580945,431559912,03/25/2025 10:12:33 AM,03/25/2025 10:15:02 AM,93.34.12.8,,,,,Anna Bianchi,Bianchi Srl,Milano,anna.bianchi@example.it,+39 333 1234567,Instagram,,Great',
      '114227580946,431559912,03/26/2025 11:00:00 AM,03/26/2025 11:04:10 AM,93.34.12.9,,,,,Marco Verdi,,Roma,marco@example.it,,Other (please specify),a friend,',
    ];
    const r = await run('imports/survey/responses.csv', [header, sub, ...rows].join('\r\n'));
    expect(r).toMatchObject({ status: 'completed', dateFormat: 'MM/dd/yyyy', rowsRead: 2, accepted: 2, rejected: 0 });
    expect(r.unmappedColumns).toEqual(['Collector ID', 'Start Date', 'IP Address', 'Custom Data 1', 'column 16', 'Any comments?']);
    const [anna, marco] = queue.records;
    expect(anna).toMatchObject({
      person: { firstName: 'Anna', lastName: 'Bianchi' },
      company: { name: 'Bianchi S.r.l.' },
      address: { city: 'Milano' },
      lead: { source: 'instagram' },
      occurredAt: '2025-03-25T10:15:02.000Z',
      lineage: { recordKey: '114227580945', line: 3 },
    });
    expect(anna?.identifiers.map((i) => i.value)).toEqual(['anna.bianchi@example.it', '+393331234567']);
    expect(marco?.identifiers.map((i) => i.value)).toEqual(['marco@example.it']);
    // A choice that asks for more is the lead's source by its name (its text stays in its own column).
    expect(marco?.lead).toEqual({ source: 'other' });

    // A survey without the respondent's columns names no one on its first header row alone; a workbook's two header
    // rows are read as a CSV's; and a long gzip file resumed by the rows it skips skips the second header row too.
    queue.records.length = 0;
    const bare = (line: string) => line.split(',').slice(9).join(',');
    expect(await run('imports/survey/bare.csv', [header, sub, ...rows].map(bare).join('\n'))).toMatchObject({ status: 'completed', rowsRead: 2, accepted: 2 });
    expect(queue.records.map((x) => [x.lineage.line, x.person?.lastName])).toEqual([[3, 'Bianchi'], [4, 'Verdi']]);
    queue.records.length = 0;
    expect(await run('imports/survey/responses.xlsx', buildXlsx({ Risposte: [header, sub, ...rows].map((l) => l.split(',')) }))).toMatchObject({ format: 'xlsx', rowsRead: 2, accepted: 2 });
    expect(queue.records.map((x) => x.identifiers[0]?.value)).toEqual(['anna.bianchi@example.it', 'marco@example.it']);
    queue.records.length = 0;
    const many = Array.from({ length: 4500 }, (_v, i) => rows[0]!.replace('114227580945', String(2e11 + i)).replace('anna.bianchi', `r${i}`));
    await objects.put(LANDING, 'imports/survey/many.csv.gz', gzipSync(Buffer.from([header, sub, ...many].join('\n'))));
    const { report, hops } = await importInHops('imports/survey/many.csv.gz');
    expect(hops).toBeGreaterThan(0);
    expect(report).toMatchObject({ status: 'completed', rowsRead: 4500, accepted: 4500, rejected: 0 });
    expect(new Set(queue.records.map((x) => x.identifiers[0]?.value)).size).toBe(4500);
    expect(queue.records.every((x) => x.person?.lastName === 'Bianchi' && x.occurredAt === '2025-03-25T10:15:02.000Z')).toBe(true);
  });

  it('reads a header or a cell that names a member every object has (`constructor`, `toString`) as any other text', async () => {
    // Such a header was looked up in an export's own columns and found the object's constructor: the import crashed
    // (and was retried, then dead-lettered), as did a cell so named in a column whose codes are read (Wix's states).
    const contacts = ['Name,Given Name,E-mail 1 - Value,constructor', 'Anna Bianchi,Anna,anna@example.com,x', 'Marco Verdi,Marco,marco@example.com,y'].join('\n');
    const r = await run('imports/google/contacts.csv', contacts);
    expect(r).toMatchObject({ status: 'completed', exportFormat: 'google-contacts', rowsRead: 2, accepted: 2, unmappedColumns: ['constructor'] });
    const wix = ['Email 1,First Name,Email subscriber status,Created At (UTC+0)', 'a@example.com,Anna,toString,2026-01-01 10:00', 'b@example.com,Bea,__proto__,2026-01-01 10:00', 'c@example.com,Carla,Subscribed,2026-01-01 10:00'].join('\n');
    expect(await run('imports/wix/contacts.csv', wix)).toMatchObject({ status: 'completed', exportFormat: 'wix-contacts', rowsRead: 3, accepted: 3 });
    expect(queue.records.slice(2).map((x) => x.consents?.map((c) => c.granted))).toEqual([undefined, undefined, [true]]);
  });

  it('reads the header from the line its mapping names (format.headerLine), below a title no rule tells from a header', async () => {
    // A title of two cells (the list's name and its date), with commas in its amounts: without the mapping, the title
    // is taken for the header and the file fails, naming the option.
    const csv = `Elenco clienti;al 31/12/2025\r\n\r\n${IT_CSV}\r\n`;
    const failed = await run('imports/gestionale/clienti.csv', Buffer.from(csv, 'latin1'));
    expect(failed).toMatchObject({ status: 'failed', error: 'header.noIdentifierColumn', errorDetail: expect.stringContaining('format.headerLine') });
    await objects.put(LANDING, 'mappings/gestionale.json', JSON.stringify({ format: { headerLine: 3 } }));
    const r = await run('imports/gestionale/clienti2.csv', Buffer.from(csv, 'latin1'));
    expect(r).toMatchObject({ status: 'completed', delimiter: ';', headerLine: 3, rowsRead: 2, accepted: 2, rejected: 0 });
    expect(queue.records.map((q) => [q.lineage.line, q.identifiers[0]?.value])).toEqual([
      [4, 'C1'],
      [5, 'C2'],
    ]);
    // Noted for the privacy worker, which reads the file back from that line.
    expect(JSON.parse(objects.text('raw', 'reports/readings/imports/gestionale/clienti2.csv.json')!)).toEqual({ headerLine: 3, encoding: 'windows-1252', delimiter: ';' });
    // A sheet too.
    const book = buildXlsx({ Clienti: [['Anagrafica clienti', 'al 31/12/2025'], ['Email', 'Nome'], ['a@example.it', 'Anna']] });
    await objects.put(LANDING, 'mappings/gestionale.json', JSON.stringify({ format: { headerLine: 2 } }));
    expect(await run('imports/gestionale/clienti.xlsx', book)).toMatchObject({ format: 'xlsx', headerLine: 2, rowsRead: 1, accepted: 1 });
  });

  it('imports NDJSON and JSON arrays of nested objects', async () => {
    const nd = await run('imports/web/leads.ndjson', '{"email":"a@example.it","name":{"first":"Anna"}}\n{oops\n{"phone":"333 1234567"}\n');
    expect(nd).toMatchObject({ format: 'ndjson', rowsRead: 3, accepted: 2, rejected: 1, reasons: { 'json.syntax': 1 } });
    const js = await run('imports/web/leads.json', JSON.stringify({ data: [{ Email: 'b@example.it', Nome: 'Bea' }, { Colore: 'blu' }] }));
    expect(js).toMatchObject({ format: 'json', rowsRead: 2, accepted: 1, rejected: 1, reasons: { 'row.noIdentifier': 1 } });
  });

  it('imports the first sheet of an XLSX workbook, or the sheet its mapping names', async () => {
    const book = buildXlsx({ Clienti: [['Email', 'CAP', 'Data di nascita'], ['a@example.it', 184, 29221]], Altro: [['Email'], ['z@example.it']] });
    const r = await run('imports/erp/clienti.xlsx', book);
    expect(r).toMatchObject({ format: 'xlsx', rowsRead: 1, accepted: 1 });
    expect(queue.records[0]?.address?.postalCode).toBe('00184');
    expect(queue.records[0]?.person?.birthDate).toBe('1980-01-01');
    await objects.put(LANDING, 'mappings/erp2.json', JSON.stringify({ format: { sheet: 'Altro' } }));
    const named = await run('imports/erp2/clienti.xlsx', book);
    expect(named).toMatchObject({ mapping: 'source', rowsRead: 1, accepted: 1 });
    expect(queue.records.at(-1)?.identifiers[0]?.value).toBe('z@example.it');
    expect(JSON.parse(objects.text('raw', 'reports/readings/imports/erp2/clienti.xlsx.json')!)).toEqual({ sheet: 'Altro' });
    expect(JSON.parse(objects.text('raw', 'reports/readings/imports/erp/clienti.xlsx.json')!)).toEqual({});
  });

  it('quarantines ragged rows and an unclosed quote with their reasons and lines', async () => {
    const r = await run('imports/erp/ragged.csv', 'Email;Nome\na@example.it;Anna\nb@example.it\nc@example.it;Carla;;\nd@example.it;"Dora\n');
    expect(r).toMatchObject({ status: 'completed', rowsRead: 4, accepted: 2, rejected: 2, reasons: { 'row.columnCount': 1, 'csv.quote_not_closed': 1 } });
    const q = objects.text('raw', r.quarantineKeys[0]!)!.trim().split('\n').map((l) => JSON.parse(l));
    expect(q.map((e) => [e.line, e.reasons])).toEqual([
      [3, ['row.columnCount']],
      [5, ['csv.quote_not_closed']],
    ]);
  });

  it("counts an erased person's rejected row as suppressed and keeps no copy of it; other rejects are kept with their export", async () => {
    const erased = new Set(['email:mario.rossi@libero.it', 'phone:+393471234567']);
    deps = { ...deps, suppression: async () => (keys) => keys.some((k) => erased.has(k)) };
    const csv = ['Email;Nome;Note', 'anna@example.it;Anna;', 'Mario.Rossi@Libero.it;Mario;consegna; citofono', 'luca@example.it;Luca;a; b', '347 123 4567;Mario;x;y'].join('\n');
    const r = await run('imports/erp/ragged2.csv', csv);
    expect(r).toMatchObject({ rowsRead: 4, accepted: 1, rejected: 1, suppressed: 2, reasons: { 'row.columnCount': 1 } });
    const kept = r.quarantineKeys.flatMap((k) => objects.text('raw', k)!.trim().split('\n'));
    expect(kept.map((l) => JSON.parse(l))).toEqual([{ importId: r.importId, objectKey: 'imports/erp/ragged2.csv', line: 4, reasons: ['row.columnCount'], raw: ['luca@example.it', 'Luca', 'a', ' b'] }]);
    expect(kept.join()).not.toMatch(/rossi|347/i);
  });

  it("counts as suppressed an erased person's rejected row that holds only his customer code or codice fiscale", async () => {
    const erased = new Set(['externalId:erp:C006', 'taxCode:RSSMRA80A01H501U']);
    deps = { ...deps, suppression: async () => (keys) => keys.some((k) => erased.has(k)) };
    // A column too many (the note typed with the separator in it): his code is still in its column.
    const ragged = await run('imports/erp/clienti.csv', ['Codice cliente;Nome;Note', 'C001;Anna;', 'C006;Mario;consegna; citofono', 'C007;Luca;a; b'].join('\n'));
    expect(ragged).toMatchObject({ rowsRead: 3, accepted: 1, rejected: 1, suppressed: 1 });
    expect(ragged.quarantineKeys.map((k) => objects.text('raw', k)).join()).not.toContain('C006');
    // Order lines without their order's number: one names him by his code, one by his codice fiscale.
    const lines = ['Numero ordine;Codice cliente;Codice fiscale;Articolo;Quantità;Prezzo', ';C006;;A1;1;10', ';C009;RSSMRA80A01H501U;A2;1;10', ';C010;;A3;1;10', '7;C010;;A3;1;10'];
    const orders = await run('imports/erp/righe.csv', lines.join('\n'));
    expect(orders).toMatchObject({ rowsRead: 4, accepted: 1, rejected: 1, suppressed: 2 });
    expect(orders.quarantineKeys.map((k) => objects.text('raw', k)).join()).not.toMatch(/C006|RSSMRA/);
  });

  it.each([
    ['an empty file', '', 'file.empty'],
    ['binary garbage', Buffer.from([0, 1, 2, 0xff, 0xfe, 0, 0, 7, 8, 9, 0, 0, 0]), 'file.binary'],
    ['a header without identifying columns', 'Colore;Taglia\nblu;M\n', 'header.noIdentifierColumn'],
    // Its failure waits for the row after it (a survey's second header row may name the columns): whatever that row.
    ['a header without identifying columns, an unreadable row after it', 'Colore;Taglia\n"blu;M\n', 'header.noIdentifierColumn'],
    ['a header without identifying columns alone', 'Colore;Taglia\n', 'header.noIdentifierColumn'],
    ['a broken workbook', Buffer.from([0x50, 0x4b, 3, 4, 1, 2, 3]), 'xlsx.corrupt'],
    ['a broken gzip', Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4]), 'gzip.corrupt'],
    // What tools save as an "Excel" export, and cannot be read: before, `file.binary` or a header of markup.
    ['an Excel 97-2003 workbook', Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]), 'xls.unsupported'],
    ['an HTML table saved as .xls', '<html><body><table><tr><td>Email</td><td>Nome</td></tr><tr><td>a@b.it</td><td>Anna</td></tr></table></body></html>', 'file.markup'],
    ["Excel 2003's XML", '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">', 'file.markup'],
  ])('fails %s with a clear reason and keeps nothing half-done', async (_name, body, error) => {
    const r = await run('imports/erp/bad.csv', body);
    expect(r).toMatchObject({ status: 'failed', error, rowsRead: 0 });
    expect(queue.records).toHaveLength(0);
    expect(objects.text('raw', 'reports/readings/imports/erp/bad.csv.json')).toBeUndefined();
  });

  it('completes a header-only file with zero rows', async () => {
    expect(await run('imports/erp/empty.csv', 'Email;Nome\r\n')).toMatchObject({ status: 'completed', rowsRead: 0 });
  });

  it('uses a per-file mapping over the source mapping, and fails an invalid one naming the problem', async () => {
    await objects.put(LANDING, 'mappings/crm.json', JSON.stringify({ fields: { 'identifiers.email': 'Posta' } }));
    await objects.put(LANDING, 'mappings/crm/x.csv.json', JSON.stringify({ fields: { 'identifiers.email': 'Indirizzo posta' }, defaults: { 'lead.source': 'fiera' } }));
    const r = await run('imports/crm/x.csv', 'Indirizzo posta;Posta\na@example.it;ignored\n');
    expect(r).toMatchObject({ mapping: 'file', accepted: 1 });
    expect(queue.records[0]?.lead).toEqual({ source: 'fiera' });
    await objects.put(LANDING, 'mappings/bad.json', JSON.stringify({ fields: { 'person.shoeSize': 'X' } }));
    const bad = await run('imports/bad/x.csv', 'Email\na@example.it\n');
    expect(bad).toMatchObject({ status: 'failed', error: 'mapping.invalid' });
    expect(bad.errorDetail).toMatch(/person\.shoeSize/);
  });

  it("imports a till's sales keyed by a bare Ordine as orders, and names the amounts of a file with no order id as unread", async () => {
    const sales = await run('imports/cassa/vendite.csv', 'Ordine;Data;Email;Totale\n1001;02/03/2026;anna@example.it;12,50\n1002;02/03/2026;anna@example.it;7,00\n');
    expect(sales).toMatchObject({ status: 'completed', kind: 'order', accepted: 2, unmappedColumns: [] });
    expect(sales.unreadColumns).toBeUndefined();
    expect(queue.records.map((r) => [r.order?.orderId, r.order?.total])).toEqual([['1001', 12.5], ['1002', 7]]);
    // Before, the amounts were mapped and read into no order: the report named nothing, and the revenue was lost.
    const gifts = await run('imports/donazioni/2026.csv', 'Nome;Email;Importo\nAnna;anna@example.it;50,00\n');
    expect(gifts).toMatchObject({ status: 'completed', kind: 'contact', accepted: 1, unmappedColumns: ['Importo'], unreadColumns: { Importo: 'order.noOrderIdColumn' } });
    await objects.put(LANDING, 'mappings/offerte.json', JSON.stringify({ fields: { 'order.total': 'Offerta' } }));
    const asked = await run('imports/offerte/x.csv', 'Nome;Email;Offerta\nAnna;anna@example.it;50,00\n');
    expect(asked).toMatchObject({ status: 'failed', error: 'mapping.orderWithoutId' });
    expect(asked.errorDetail).toMatch(/order\.orderId/);
  });

  it("puts a salon's appointments on its clients' history, each visit when it was booked for and what for", async () => {
    const agenda = 'Cliente;Telefono;Email;Data;Ora;Servizio;Operatore;Stato\nAnna Bianchi;333 765 4321;anna@example.it;14/04/2026;15:30;Taglio e piega;Giada;Confermato\n';
    const r = await run('imports/agenda/appuntamenti.csv', agenda);
    expect(r).toMatchObject({ status: 'completed', kind: 'interaction', accepted: 1, flagged: {}, unmappedColumns: ['Operatore', 'Stato'] });
    const [visit] = queue.records;
    expect([visit?.kind, visit?.occurredAt, visit?.interaction, visit?.address]).toEqual(['interaction', '2026-04-14T15:30:00.000Z', { subject: 'Taglio e piega', touchpoint: 'agenda', type: 'interaction' }, undefined]);
    // The client who booked, by name.
    expect(visit?.person).toMatchObject({ firstName: 'Anna', lastName: 'Bianchi' });
  });

  it("fails PrestaShop's orders list saying it names no customer, rather than making each order a customer", async () => {
    // PrestaShop's orders list names its customers as `M. Rossi` only: refused saying so, not a customer per order.
    const list = await run('imports/prestashop/order_2026-04-01_101500.csv', 'ID;Riferimento;Nuovo cliente;Consegna;Cliente;Totale;Pagamento;Stato;Data\n7;XKBKNABJK;1;Italia;M. Rossi;24.5;Bonifico bancario;Consegnato;2026-03-30 10:12:00\n');
    expect(list).toMatchObject({ status: 'failed', error: 'header.noIdentifierColumn', rowsRead: 0 });
    expect(list.errorDetail).toMatch(/initial and the surname only/);
  });

  it('does not import the same object version twice', async () => {
    await run('imports/erp/clienti.csv', IT_CSV);
    const again = await importObject(deps, LANDING, 'imports/erp/clienti.csv');
    expect(again.done).toBe(true);
    expect(queue.records).toHaveLength(2);
  });

  it('fails an object outside imports/<source>/', async () => {
    expect(await run('stray.csv', IT_CSV)).toMatchObject({ status: 'failed', error: 'key.noSource' });
  });

  it.each([
    ['plain CSV (byte offset)', 'imports/big/rows.csv', false, false],
    ['gzip CSV (rows skipped)', 'imports/big/rows.csv.gz', true, false],
    ['plain CSV with a title above its header', 'imports/big/rows.csv', false, true],
    ['gzip CSV with a title above its header', 'imports/big/rows.csv.gz', true, true],
  ])('continues a long import from checkpoints with the same result as one run: %s', async (_n, key, gz, title) => {
    const lines = [...(title ? ['sep=;', 'Elenco clienti al 01/12/2026', ''] : []), 'Codice cliente;Email;Nome'];
    for (let i = 0; i < 9000; i++) lines.push(`K${i};user${i}@example.it;${i % 97 === 0 ? '"Nome\r\ncon a capo"' : `Nome${i % 7 ? '' : '1'}`}`);
    lines.push(';;');
    const text = `${lines.join('\r\n')}\r\n`;
    const body = gz ? gzipSync(Buffer.from(text)) : Buffer.from(text);
    const oneRun = await run(`imports/one/${key.split('/').at(-1)}`, body);
    const oneRunRecords = queue.records.splice(0);

    await objects.put(LANDING, key, body);
    const { report, hops } = await importInHops(key);
    expect(hops).toBeGreaterThan(1);
    expect(oneRun.headerLine).toBe(title ? 4 : undefined);
    const { importId: _a, objectKey: _b, source: _c, quarantineKeys: _d, startedAt: _e, finishedAt: _f, continuations, ...rest } = report;
    const { importId: _g, objectKey: _h, source: _i, quarantineKeys: _j, startedAt: _k, finishedAt: _l, continuations: _m, ...expected } = oneRun;
    expect(rest).toEqual(expected);
    expect(continuations).toBe(hops);
    expect(queue.records.map((r) => [r.lineage.recordKey, r.lineage.line, r.person])).toEqual(oneRunRecords.map((r) => [r.lineage.recordKey, r.lineage.line, r.person]));
  });

  it("reads a US tool's dates month first where the file's dates tell it, across checkpoints, and says so", async () => {
    // Google Forms in English: `Timestamp` month first. Its 13th and later days tell; its first days alone would not.
    const lines = ['Timestamp,Email Address,Name,Date of birth'];
    for (let i = 0; i < 9000; i++) lines.push(`${(i % 12) + 1}/${(i % 28) + 1}/2025 9:0${i % 10}:00,user${i}@example.com,Name ${i},1980-02-03`);
    await objects.put(LANDING, 'imports/forms/responses.csv', `${lines.join('\n')}\n`);
    const { report, hops } = await importInHops('imports/forms/responses.csv', (checkpoint) => expect(checkpoint.dateFormat).toBe('MM/dd/yyyy'));
    expect(hops).toBeGreaterThan(1);
    expect(report).toMatchObject({ status: 'completed', dateFormat: 'MM/dd/yyyy', accepted: 9000, rejected: 0, flagged: {} });
    // Every row month first, the last as the first; an ISO date is read as it says.
    expect(queue.records[0]).toMatchObject({ occurredAt: '2025-01-01T09:00:00.000Z', person: { birthDate: '1980-02-03' } });
    expect(queue.records[8999]).toMatchObject({ occurredAt: `2025-12-${String((8999 % 28) + 1).padStart(2, '0')}T09:09:00.000Z` });

    // An Italian file, and one whose dates never tell: day first, as before, and nothing said.
    const italian = await run('imports/erp/visite.csv', ['Data;Email', '13/01/2026;a@example.it', '01/02/2026;b@example.it'].join('\n'));
    expect(italian.dateFormat).toBeUndefined();
    expect(queue.records.at(-1)?.occurredAt).toBe('2026-02-01T00:00:00.000Z');
    const untold = await run('imports/erp/visite2.csv', ['Data;Email', '01/02/2026;b@example.it'].join('\n'));
    expect(untold.dateFormat).toBeUndefined();
    expect(queue.records.at(-1)?.occurredAt).toBe('2026-02-01T00:00:00.000Z');
    // A mapping that says how its dates are written is followed, whatever they tell.
    await objects.put(LANDING, 'mappings/us.json', JSON.stringify({ format: { dateFormat: 'dd/MM/yyyy' } }));
    const mapped = await run('imports/us/visits.csv', ['Date,Email', '01/13/2026,a@example.com'].join('\n'));
    expect(mapped).toMatchObject({ mapping: 'source', rejected: 0, flagged: { 'occurredAt:date.impossible': 1 } });
    expect(mapped.dateFormat).toBeUndefined();
  });

  it("reads a workbook's and a JSON export's text dates month first where their first rows tell it, across checkpoints", async () => {
    // A US tool's .xlsx download writes its dates as text; Excel's own dates are serial numbers, which tell nothing.
    const rows = [['Timestamp', 'Email Address', 'Signed up']];
    for (let i = 0; i < 9000; i++) rows.push([`${(i % 12) + 1}/${(i % 28) + 1}/2025 9:05:00 AM`, `user${i}@example.com`, '45658']);
    await objects.put(LANDING, 'imports/forms/responses.xlsx', buildXlsx({ Responses: rows }));
    const { report, hops } = await importInHops('imports/forms/responses.xlsx', (checkpoint) => expect(checkpoint.dateFormat).toBe('MM/dd/yyyy'));
    expect(hops).toBeGreaterThan(1);
    expect(report).toMatchObject({ status: 'completed', format: 'xlsx', dateFormat: 'MM/dd/yyyy', accepted: 9000, rejected: 0, flagged: {} });
    expect(queue.records[0]?.occurredAt).toBe('2025-01-01T09:05:00.000Z');
    expect(queue.records[8999]?.occurredAt).toBe(`2025-12-${String((8999 % 28) + 1).padStart(2, '0')}T09:05:00.000Z`);
    // An NDJSON or JSON export's too, from its first 64 KB, as a CSV's.
    const ndjson = ['{"Timestamp":"3/11/2025 9:05:00","Email":"a@example.com"}', '{"Timestamp":"3/25/2025 9:05:00","Email":"b@example.com"}'].join('\n');
    expect(await run('imports/forms/responses.ndjson', ndjson)).toMatchObject({ format: 'ndjson', dateFormat: 'MM/dd/yyyy', accepted: 2, flagged: {} });
    expect(queue.records.at(-2)?.occurredAt).toBe('2025-03-11T09:05:00.000Z');
    expect(await run('imports/forms/responses.json', `[${ndjson.replace('\n', ',')}]`)).toMatchObject({ format: 'json', dateFormat: 'MM/dd/yyyy', accepted: 2, flagged: {} });
    expect((await run('imports/erp/visite.ndjson', '{"Data":"13/01/2026","Email":"a@example.it"}\n{"Data":"01/02/2026","Email":"b@example.it"}')).dateFormat).toBeUndefined();
    expect(queue.records.at(-1)?.occurredAt).toBe('2026-02-01T00:00:00.000Z');
    // An Italian workbook's text dates stay day first.
    const italian = await run('imports/erp/visite.xlsx', buildXlsx({ Visite: [['Data', 'Email'], ['13/01/2026', 'a@example.it'], ['01/02/2026', 'b@example.it']] }));
    expect(italian.dateFormat).toBeUndefined();
    expect(queue.records.at(-1)?.occurredAt).toBe('2026-02-01T00:00:00.000Z');
  });

  it('numbers lines alike of one order across a checkpoint as one run does', async () => {
    // An order lines export without a line number: each order of seven lines lists two articles, each more than once;
    // checkpoints (every 2,000 rows) fall inside orders.
    const lines = ['Numero ordine;E-mail;Codice articolo;Quantità;Prezzo'];
    for (let o = 0; o < 1500; o++) for (const a of ['CAFFE', 'CAFFE', 'ZUCCH', 'CAFFE', 'ZUCCH', 'CAFFE', 'CAFFE']) lines.push(`ORD-${o};c${o}@example.it;${a};1;2,50`);
    const body = `${lines.join('\n')}\n`;
    const oneRun = await run('imports/erp/righe-1.csv', body);
    const keysOf = (records: typeof queue.records): string[] => records.map((r) => `${r.order!.orderId}#${r.order!.line}`);
    const oneRunRecords = queue.records.splice(0);
    const expected = keysOf(oneRunRecords);
    expect(new Set(oneRunRecords.map((r) => r.recordId)).size).toBe(10_500);
    expect(oneRun.accepted).toBe(10_500);
    expect(new Set(expected).size).toBe(10_500);
    expect(expected.filter((k) => k.endsWith('.5'))).toHaveLength(1500);

    await objects.put(LANDING, 'imports/erp/righe-2.csv', body);
    const { hops } = await importInHops('imports/erp/righe-2.csv', (checkpoint) => expect(checkpoint.alikeLines?.orderId).toMatch(/^ORD-/));
    expect(hops).toBeGreaterThan(1);
    expect(keysOf(queue.records)).toEqual(expected);
  });

  it('imports the rows of a gzip NDJSON export before the point its stream breaks, and keeps the rest as one reject', async () => {
    const text = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ email: `c${i}@example.it`, nome: `Anna ${i}` })).join('\n');
    const gz = gzipSync(Buffer.from(text));
    const r = await run('imports/shop/export.ndjson.gz', Buffer.concat([gz.subarray(0, Math.floor(gz.length * 0.6)), Buffer.from('not gzip any more')]));
    expect(r).toMatchObject({ status: 'completed', reasons: expect.objectContaining({ 'gzip.corrupt': 1 }) });
    // About 60% of the lines are readable; rows read in a batch still open when the stream broke count too.
    expect(r.accepted).toBeGreaterThan(0.55 * 5000);
    expect(queue.records).toHaveLength(r.accepted);
  });

  it('imports a gzip CSV export up to the point its stream breaks past the first block read (it crashed the import)', async () => {
    const text = `Email;Nome\n${Array.from({ length: 50_000 }, (_, i) => `c${i}@example.it;Anna${i}`).join('\n')}\n`;
    const gz = gzipSync(Buffer.from(text));
    const r = await run('imports/erp/clienti.csv.gz', Buffer.concat([gz.subarray(0, Math.floor(gz.length * 0.6)), Buffer.from('not gzip any more')]));
    expect(r).toMatchObject({ status: 'completed', reasons: expect.objectContaining({ 'gzip.corrupt': 1 }) });
    expect(r.accepted).toBeGreaterThan(0.55 * 50_000);
  });

  it('fails a continuation when the object was replaced meanwhile', async () => {
    await objects.put(LANDING, 'imports/x/a.csv', 'Email\na@example.it\n');
    const cp: ImportCheckpoint = {
      bucket: LANDING, objectKey: 'imports/x/a.csv', etag: '"old"', importId: 'imp_x', offset: 6, nextLine: 2, headers: ['Email'], encoding: 'utf8', delimiter: ',',
      format: 'csv', compressed: false, counts: { rowsRead: 0, accepted: 0, rejected: 0, suppressed: 0 }, reasons: {}, flagged: {}, quarantineKeys: [], continuations: 1, startedAt: 'x',
    };
    const outcome = await importObject(deps, LANDING, 'imports/x/a.csv', cp);
    expect(outcome.done && outcome.report).toMatchObject({ status: 'failed', error: 'file.changedDuringImport' });
  });
});

describe('uploadOf: what tells one upload of an export from another', () => {
  const at = (iso: string) => new Date(iso);
  it('is the version id where the bucket keeps versions', () => {
    expect(uploadOf({ versionId: 'v2', etag: '"e"', lastModified: at('2026-01-01T00:00:00Z') })).toBe('v2');
  });
  it('is the ETag and the second it was written otherwise: the same bytes uploaded again are another import', () => {
    const first = uploadOf({ etag: '"e"', lastModified: at('2026-01-01T00:00:00.100Z') });
    // A listing gives milliseconds, a GET's header whole seconds: one upload either way.
    expect(uploadOf({ etag: '"e"', lastModified: at('2026-01-01T00:00:00Z') })).toBe(first);
    expect(uploadOf({ etag: '"e"', lastModified: at('2026-01-01T00:00:01Z') })).not.toBe(first);
    expect(uploadOf({ versionId: 'null', etag: '"e"', lastModified: at('2026-01-01T00:00:00Z') })).toBe(first);
    expect(uploadOf({ etag: '"e"' })).toBe('"e"');
  });
});

describe('how an export was read, for the privacy worker', () => {
  it("reads back the reading an import noted, and none from what is not one (then the file's mapping decides)", () => {
    expect(parseReading('{"header":false,"encoding":"windows-1252","delimiter":";"}')).toEqual({ header: false, encoding: 'windows-1252', delimiter: ';' });
    expect(parseReading('{"sheet":"Altro","later":1}')).toEqual({ sheet: 'Altro' });
    for (const text of [undefined, '', 'not json', '[]', '{"encoding":"ebcdic"}', '{"delimiter":";;"}', '{"header":"no"}']) expect(parseReading(text)).toBeUndefined();
    expect(readingOf({ format: { header: false, encoding: 'iso-8859-1', sheet: 'Altro' } })).toEqual({ header: false, encoding: 'windows-1252', sheet: 'Altro' });
    expect(readingOf(undefined)).toEqual({});
  });

  it("reads the reading of an export imported before readings were noted from its mapping's format alone", async () => {
    const texts = new Map<string, string>();
    const read = async (key: string) => texts.get(key);
    expect(await findReading(read, 'erp', 'imports/erp/clienti.csv')).toEqual({});
    texts.set('mappings/erp.json', JSON.stringify({ format: { header: false, delimiter: ';', encoding: 'iso-8859-1', dateFormat: 'dd/MM/yyyy' }, fields: { 'identifiers.email': 3 } }));
    expect(await findReading(read, 'erp', 'imports/erp/clienti.csv')).toEqual({ header: false, delimiter: ';', encoding: 'windows-1252' });
    // The file's own mapping first; the rest of a mapping is not looked at, a format that cannot be read gives none.
    texts.set('mappings/erp/clienti.csv.json', JSON.stringify({ format: { headerLine: 3 }, fields: 'not a mapping' }));
    expect(await findReading(read, 'erp', 'imports/erp/clienti.csv')).toEqual({ headerLine: 3 });
    texts.set('mappings/erp/clienti.csv.json', JSON.stringify({ format: { delimiter: ';;' } }));
    expect(await findReading(read, 'erp', 'imports/erp/clienti.csv')).toEqual({});
    texts.set('mappings/erp/clienti.csv.json', 'not json');
    expect(await findReading(read, 'erp', 'imports/erp/clienti.csv')).toEqual({});
  });
});

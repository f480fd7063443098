import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwin, type Twin } from '../../local/twin.ts';
import { cdpOk, runCdp } from '../support/cdp.ts';
import { profileOf } from '../support/profiles.ts';

/**
 * Exports as a new user has them, in formats no unit test uses, imported with `cdp import` and no mapping: an Italian
 * ERP's customer list (Easyfatt-style headers, Windows-1252, `;`, quoted commas), a Shopify customer export (numbers
 * prefixed with an apostrophe for Excel) and a Mailchimp audience export (one-field addresses, opt-in proof).
 */
const ERP = [
  '"Cod.";"Denominazione";"Indirizzo";"Cap";"Città";"Prov.";"Nazione";"Referente";"Tel.";"Cell";"e-mail";"Pec";"Codice fiscale";"Partita Iva";"Note"',
  '"0001";"Bianchi Arredamenti S.R.L.";"Via dell\'Industria, 12";"20900";"Monza";"MB";"Italia";"Giorgio Bianchi";"039 2345678";"";"amministrazione@bianchiarredamenti.it";"bianchiarredamenti@pec.it";"01234567897";"01234567897";"Cliente dal 2015"',
  '"0002";"ROSSI MARIO";"Corso Garibaldi 5";"47121";"Forlì";"FC";"Italia";"";"";"347 1234567";"mario.rossi@libero.it";"";"RSSMRA80A01H501U";"";""',
  '"0003";"Esposito Gennaro";"Via Toledo 100";"80134";"Napoli";"NA";"";"";"081 5551234";"";"";"";"";"";"Nessuna email"',
  '"0004";"Lombardi Sara";"Piazza Maggiore 1";"40124";"Bologna";"bo";"Italia";"";"";"+39 339 9876543";"sara.lombardi@gmail.com";"";"";"";""',
  '"0005";"Müller Hans";"Via Roma 3";"39100";"Bolzano";"BZ";"Italia";"";"0471 123456";"";"hans.mueller@web.de";"";"";"";""',
].join('\r\n');

const SHOPIFY = [
  'Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,Default Address Address1,Default Address Address2,Default Address City,Default Address Province Code,Default Address Country Code,Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Note,Tax Exempt,Tags',
  "'7381950947628,Giulia,Ferri,giulia.ferri@example.com,yes,,Via Po 10,,Torino,TO,IT,'10124,'+390111234567,'+393401112233,no,154.90,2,,no,\"vip, newsletter\"",
  "'7381950947629,Luca,Moretti,luca.moretti@example.com,no,Moretti SNC,Via Emilia 200,Interno 3,Reggio Emilia,RE,IT,'42121,,'+393475556677,yes,0.00,0,,no,",
  "'7381950947630,Anne,Dupont,anne.dupont@example.fr,yes,,12 Rue de Rivoli,,Paris,,FR,'75001,,'+33612345678,no,89.00,1,,no,",
].join('\n');

const MAILCHIMP = [
  '"Email Address","First Name","Last Name","Address","Phone Number","Birthday","MEMBER_RATING","OPTIN_TIME","OPTIN_IP","CONFIRM_TIME","CONFIRM_IP","LATITUDE","LONGITUDE","GMTOFF","DSTOFF","TIMEZONE","CC","REGION","LAST_CHANGED","LEID","EUID","NOTES","TAGS"',
  '"chiara.galli@example.it","Chiara","Galli","Via Verdi 7  Scala B  Parma  PR  43121  IT","+39 345 6789012","04/15","4","2024-03-01 10:00:00","203.0.113.5","2024-03-01 10:05:00","203.0.113.5","44.80","10.33","1","2","Europe/Rome","IT","EM","2024-05-01 09:00:00","123456789","a1b2c3d4e5","",""',
  '"paolo.rinaldi@example.it","Paolo","Rinaldi","","3381234567","","2","2024-04-10 08:30:00","","2024-04-10 08:31:00","","","","","","","","","2024-04-10 08:31:00","123456790","f6e5d4c3b2","","cliente"',
  '"mario.rossi@libero.it","Mario","Rossi","Corso Garibaldi 5    Forlì  FC  47121  IT","","","3","2023-11-20 18:00:00","198.51.100.7","2023-11-20 18:02:00","198.51.100.7","","","","","","IT","","2023-11-20 18:02:00","123456791","0a9b8c7d6e","",""',
].join('\n');

/** An ERP's order lines (`righe ordine`): one row per article, the line's amount in `Importo`, the order's state on each line. */
const ORDER_LINES = (stato102: string) =>
  [
    'Numero ordine;Data ordine;E-mail;Codice articolo;Descrizione;Quantità;Prezzo;Importo;Stato',
    'ORD-101;03/02/2026;mario.rossi@libero.it;SED-01;Sedia in faggio;4;45,50;182,00;evaso',
    'ORD-101;03/02/2026;mario.rossi@libero.it;TAV-02;Tavolo noce;1;1.250,00;1.250,00;evaso',
    `ORD-102;15/03/2026;mario.rossi@libero.it;LAM-07;Lampada da terra;2;39,90;79,80;${stato102}`,
    `ORD-102;15/03/2026;mario.rossi@libero.it;LAM-07;Lampada da terra;2;39,90;79,80;${stato102}`,
    'ORD-103;20/03/2026;sara.lombardi@gmail.com;SED-01;Sedia in faggio;2;45,50;91,00;annullato',
  ].join('\r\n');

const home = mkdtempSync(path.join(tmpdir(), 'cdp-newuser-'));
let twin: Twin;

async function cdpImport(name: string, body: Buffer, source: string) {
  const file = path.join(home, name);
  writeFileSync(file, body);
  return JSON.parse(await cdpOk(home, 'import', file, '--source', source, '--json')) as { status: string; rowsRead: number; accepted: number; rejected: number; suppressed: number; exportFormat?: string; encoding?: string; kind?: string; unmappedColumns?: string[]; dateFormat?: string; flagged?: Record<string, number> };
}

const profile = (identifierKey: string) => profileOf(twin.clients.dynamodb, twin.resources.tableName, identifierKey);

beforeAll(async () => {
  twin = await startTwin({ home, port: 0 });
});
afterAll(async () => {
  await twin?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('exports a new user uploads, without a mapping', () => {
  it('imports each export, every row accounted for', async () => {
    const erp = await cdpImport('Anagrafica clienti.csv', Buffer.from(ERP, 'latin1'), 'erp');
    expect(erp).toMatchObject({ status: 'completed', encoding: 'windows-1252', rowsRead: 5, accepted: 5, rejected: 0, suppressed: 0 });
    const shop = await cdpImport('customers_export.csv', Buffer.from(SHOPIFY), 'shopify');
    expect(shop).toMatchObject({ status: 'completed', exportFormat: 'shopify-customers', rowsRead: 3, accepted: 3, rejected: 0 });
    const mc = await cdpImport('subscribed_members_export_2f9a.csv', Buffer.from(MAILCHIMP), 'newsletter');
    expect(mc).toMatchObject({ status: 'completed', exportFormat: 'mailchimp-audience', rowsRead: 3, accepted: 3, rejected: 0 });
    // What Mailchimp exports that no field takes is named, so the user knows it was not imported.
    expect(mc.unmappedColumns).toEqual(['CONFIRM_IP', 'LATITUDE', 'LONGITUDE', 'GMTOFF', 'DSTOFF', 'TIMEZONE', 'LAST_CHANGED']);
    await twin.waitIdle();
  });

  it.each([
    ['phone:+390392345678', 'MB'],
    ['phone:+393471234567', 'FC'],
    ['phone:+390815551234', 'NA'],
    ['phone:+393399876543', 'BO'],
    ['phone:+390471123456', 'BZ'],
    ['phone:+393401112233', 'TO'],
    ['phone:+390111234567', 'TO'],
    ['phone:+393475556677', 'RE'],
    ['phone:+393456789012', 'PR'],
  ])('gives the person with %s an E.164 phone and the province code %s', async (identifier, province) => {
    expect((await profile(identifier))?.attributes.province).toBe(province);
  });

  it("takes the ERP's private customer by the codice fiscale, and a company's contact from Referente", async () => {
    // `ROSSI MARIO` in Denominazione, with a person's codice fiscale: a person, surname first.
    expect((await profile('externalId:erp:0002'))?.attributes).toMatchObject({ firstName: 'Mario', lastName: 'Rossi' });
    expect((await profile('externalId:erp:0002'))?.attributes.companyName).toBeUndefined();
    expect((await profile('externalId:erp:0001'))?.attributes).toMatchObject({ firstName: 'Giorgio', lastName: 'Bianchi', companyName: 'Bianchi Arredamenti S.r.l.' });
  });

  it('keeps foreign numbers and addresses as they are, in E.164 and ISO country codes', async () => {
    const anne = await profile('phone:+33612345678');
    expect(anne?.attributes).toMatchObject({ country: 'FR', postalCode: '75001' });
  });

  it('links the same person across the ERP and the newsletter by e-mail', async () => {
    const viaErp = await profile('externalId:erp:0002');
    const viaMailchimp = await profile('externalId:mailchimp:0a9b8c7d6e');
    expect(viaErp).toBeDefined();
    expect(viaMailchimp?.profileId).toBe(viaErp?.profileId);
    expect(viaErp?.sources).toEqual(['erp', 'newsletter']);
    expect(viaErp?.consents.marketing_email).toMatchObject({ granted: true, source: 'newsletter' });
    expect(await profile('externalId:shopify:7381950947628')).toBeDefined();
  });

  it('answers `cdp profiles get` and `cdp profiles export` as a user would call them', async () => {
    const run = (...args: string[]) => runCdp(home, ...args);
    const got = await run('profiles', 'get', '--email', ' Mario.Rossi@Libero.it ', '--json');
    expect(got.code).toBe(0);
    const [mario] = JSON.parse(got.stdout);
    expect(mario).toMatchObject({ attributes: { city: 'Forlì', province: 'FC' }, sources: ['erp', 'newsletter'] });
    expect(mario.identifiers).toContain('phone:+393471234567');

    const byPhone = await run('profiles', 'get', '--phone', '347 123 4567', '--json');
    expect(JSON.parse(byPhone.stdout)[0].profileId).toBe(mario.profileId);
    expect((await run('profiles', 'get', '--email', 'nobody@example.it')).code).toBe(1);
    const bad = await run('profiles', 'get', '--email', 'not-an-email');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Not a valid e-mail address/);

    const exported = await run('profiles', 'export', '--format', 'ndjson');
    const lines = exported.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const marioLine = lines.find((l) => l.profileId === mario.profileId);
    // The lead score activation tools sort by, as `profiles get` shows it.
    expect(marioLine.score).toBe(mario.score);
    expect(marioLine.score).toBeGreaterThan(0);
    // Consents per purpose, as they stand: what a marketing tool fed by the export must honour.
    expect(marioLine.consents).toEqual({ marketing_email: { granted: true, at: mario.consents.marketing_email.at, source: 'newsletter' } });
    expect(lines.find((l) => l.identifiers.includes('email:sara.lombardi@gmail.com')).consents).toEqual({});
    expect(marioLine.lineage).toEqual(
      expect.arrayContaining([
        { source: 'erp', recordKey: '0002', line: 3 },
        { source: 'newsletter', recordKey: '0a9b8c7d6e', line: 4 },
      ]),
    );
    // Every row imported is in exactly one exported profile.
    expect(lines.reduce((n, l) => n + l.lineage.length, 0)).toBe(5 + 3 + 3);
  });

  it("counts an ERP's order lines as the orders they make, and a later export of them as their new state", async () => {
    const march = await cdpImport('righe_ordini_marzo.csv', Buffer.from(ORDER_LINES('evaso'), 'latin1'), 'erp');
    expect(march).toMatchObject({ status: 'completed', kind: 'order', rowsRead: 5, accepted: 5, rejected: 0 });
    await twin.waitIdle();
    // Two orders of Mario's: 182 + 1,250, and 79.80 twice (two lines alike, no line number), not the last line read of each.
    expect((await profile('email:mario.rossi@libero.it'))?.orders).toEqual({ count: 2, revenue: 1591.6, firstAt: '2026-02-03T00:00:00.000Z', lastAt: '2026-03-15T00:00:00.000Z' });
    expect((await profile('email:sara.lombardi@gmail.com'))?.orders).toMatchObject({ count: 0, revenue: 0 });

    // April's export of the same lines: ORD-102 cancelled since. Its lines replace March's; nothing counts twice.
    await cdpImport('righe_ordini_aprile.csv', Buffer.from(ORDER_LINES('annullato'), 'latin1'), 'erp');
    await twin.waitIdle();
    expect((await profile('email:mario.rossi@libero.it'))?.orders).toEqual({ count: 1, revenue: 1432, firstAt: '2026-02-03T00:00:00.000Z', lastAt: '2026-02-03T00:00:00.000Z' });
  });

  it('shows the history behind the totals with `cdp profiles get --history`: the newest records, and every order and whether it counts', async () => {
    const run = (...args: string[]) => runCdp(home, ...args);
    const [mario] = JSON.parse(await cdpOk(home, 'profiles', 'get', '--email', 'mario.rossi@libero.it', '--history', '--json'));
    const { events, moreEvents, orders } = mario.history;
    // The ERP's row, the newsletter's, two lines of ORD-101 (April's are March's again: the same records), and ORD-102's
    // two lines in March and again, cancelled, in April.
    expect(events).toHaveLength(8);
    expect(moreEvents).toBe(false);
    expect(events.map((e: { at: string }) => e.at)).toEqual(events.map((e: { at: string }) => e.at).toSorted().reverse());
    expect(events.filter((e: { order?: { orderId: string; status: string } }) => e.order?.orderId === 'ORD-102').map((e: { order: { status: string } }) => e.order.status).sort()).toEqual(['annullato', 'annullato', 'evaso', 'evaso']);
    expect(events.find((e: { source: string }) => e.source === 'newsletter')).toMatchObject({ kind: 'contact', channel: 'file', from: { recordKey: '0a9b8c7d6e', line: 4 } });
    expect(orders).toEqual([
      { source: 'erp', orderId: 'ORD-102', placedAt: '2026-03-15T00:00:00.000Z', status: 'annullato', total: 159.6, currency: 'EUR', counted: false },
      { source: 'erp', orderId: 'ORD-101', placedAt: '2026-02-03T00:00:00.000Z', status: 'evaso', total: 1432, currency: 'EUR', counted: true },
    ]);

    const two = JSON.parse(await cdpOk(home, 'profiles', 'get', '--email', 'mario.rossi@libero.it', '--history', '--events', '2', '--json'))[0].history;
    expect(two.events).toEqual(events.slice(0, 2));
    expect(two.moreEvents).toBe(true);
    const text = await cdpOk(home, 'profiles', 'get', '--id', mario.profileId, '--history');
    expect(text).toContain('history      the 8 newest record(s)');
    expect(text).toMatch(/2026-03-15 {2}erp {2}ORD-102 {2}annullato 159\.60 EUR {2}\(no sale: not counted\)/);
    expect(text).toContain('[imports/newsletter/subscribed_members_export_2f9a.csv line 4]');
    // Without --history, no history: the profile alone, as before.
    expect(JSON.parse(await cdpOk(home, 'profiles', 'get', '--id', mario.profileId, '--json')).history).toBeUndefined();
    for (const args of [['--events', '5'], ['--history', '--events', '0'], ['--history', '--events', 'all']]) {
      const bad = await run('profiles', 'get', '--id', mario.profileId, ...args);
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.stderr).toMatch(/--events/);
    }
  });
  it('imports an export again under a mapping written since: the column it maps reaches the profile, and the same again adds nothing', async () => {
    const leads = Buffer.from('email,first_name,last_name,Interesse\nelena.conti@example.it,Elena,Conti,divani\n');
    const first = await cdpImport('leads.csv', leads, 'web');
    expect(first.unmappedColumns).toEqual(['Interesse']);
    await twin.waitIdle();
    expect((await profile('email:elena.conti@example.it'))?.attributes['attr.interesse']).toBeUndefined();

    // The same bytes, in the next second (an unversioned bucket tells uploads apart by their second), with a mapping.
    await new Promise((r) => setTimeout(r, 1100));
    const mapping = path.join(home, 'leads-mapping.json');
    writeFileSync(mapping, JSON.stringify({ source: 'web', fields: { 'attributes.interesse': 'Interesse' } }));
    const file = path.join(home, 'leads.csv');
    const again = JSON.parse(await cdpOk(home, 'import', file, '--source', 'web', '--mapping', mapping, '--json'));
    expect(again.importId).not.toBe((first as { importId?: string }).importId);
    expect(again).toMatchObject({ status: 'completed', accepted: 1, unmappedColumns: [] });
    await twin.waitIdle();
    const elena = await profile('email:elena.conti@example.it');
    expect(elena?.attributes).toMatchObject({ firstName: 'Elena', 'attr.interesse': 'divani' });
    expect(elena?.recordCount).toBe(2);

    // Once more under the same mapping: the same records, which the resolver already has.
    await new Promise((r) => setTimeout(r, 1100));
    await cdpOk(home, 'import', file, '--source', 'web', '--mapping', mapping, '--json');
    await twin.waitIdle();
    expect((await profile('email:elena.conti@example.it'))?.recordCount).toBe(2);
  });

  it("puts a helpdesk's tickets and a call log on the customer's history, when they happened, and not the agent's address", async () => {
    const tickets = [
      'Ticket ID,Subject,Status,Priority,Source,Type,Agent,Agent Email,Created time,Resolved time,Requester Name,Requester Email',
      '1001,Ordine non arrivato,Closed,Medium,Email,Question,Laura B,laura.b@negozio.example,2026-04-03 09:14:22,2026-04-03 11:00:01,Sara Lombardi,sara.lombardi@gmail.com',
      '1002,Fattura errata,Open,High,Portal,Problem,,,2026-04-12 08:40:00,,Sara Lombardi,sara.lombardi@gmail.com',
    ].join('\n');
    const report = await cdpImport('tickets.csv', Buffer.from(tickets), 'helpdesk');
    expect(report).toMatchObject({ status: 'completed', rowsRead: 2, accepted: 2, unmappedColumns: ['Ticket ID', 'Status', 'Priority', 'Agent', 'Agent Email', 'Resolved time'] });
    const calls = ['Data;Ora;Cliente;Telefono;Esito;Operatore;Note', '14/04/2026;16:40;Lombardi Sara;339 9876543;Richiamare;Paola;Chiede preventivo'].join('\r\n');
    expect(await cdpImport('chiamate.csv', Buffer.from(calls, 'latin1'), 'centralino')).toMatchObject({ status: 'completed', accepted: 1, unmappedColumns: ['Cliente', 'Esito', 'Operatore'] });
    await twin.waitIdle();

    const [sara] = JSON.parse(await cdpOk(home, 'profiles', 'get', '--email', 'sara.lombardi@gmail.com', '--history', '--json'));
    const mine = sara.history.events.filter((e: { source: string }) => e.source === 'helpdesk' || e.source === 'centralino');
    expect(mine.map((e: { at: string; kind: string; source: string }) => [e.at, e.kind, e.source])).toEqual([
      ['2026-04-14T16:40:00.000Z', 'contact', 'centralino'],
      ['2026-04-12T08:40:00.000Z', 'interaction', 'helpdesk'],
      ['2026-04-03T09:14:22.000Z', 'interaction', 'helpdesk'],
    ]);
    expect(mine[2].interaction).toMatchObject({ subject: 'Ordine non arrivato', type: 'question', touchpoint: 'email' });
    expect(mine[0].interaction).toMatchObject({ summary: 'Chiede preventivo' });
    // The ticket's channel is no lead source, and the agent is not the customer.
    expect(sara.lead?.source).not.toBe('email');
    expect(await profile('email:laura.b@negozio.example')).toBeUndefined();
  });

  it("imports a till's sales keyed by a bare Ordine as orders, and names an amount it cannot key as unread, with why", async () => {
    const sales = ['Ordine;Data;Email;Totale', '5001;04/04/2026;giulia.neri@example.it;24,00', '5002;05/04/2026;giulia.neri@example.it;16,50'].join('\r\n');
    expect(await cdpImport('scontrini.csv', Buffer.from(sales, 'latin1'), 'cassa')).toMatchObject({ status: 'completed', kind: 'order', accepted: 2, unmappedColumns: [] });
    const gifts = path.join(home, 'donazioni.csv');
    writeFileSync(gifts, 'Nome;Email;Importo;Valuta\r\nGiulia;giulia.neri@example.it;30,00;EUR\r\n');
    const said = await cdpOk(home, 'import', gifts, '--source', 'donazioni');
    expect(said).toMatch(/unread {4}"Importo", "Valuta": order\.noOrderIdColumn \(they are an order's, but no column gives the order's id/);
    expect(said).not.toMatch(/unmapped {2}"Importo"/);
    await twin.waitIdle();
    expect((await profile('email:giulia.neri@example.it'))?.orders).toMatchObject({ count: 2, revenue: 40.5 });
  });

  it("imports an invoicing tool's documents as the customers' sales: a credit note off the revenue, a quote as no sale", async () => {
    const documents = [
      'Tipo documento;Numero;Data;Cliente;Codice cliente;Partita IVA;Codice fiscale;Email;Imponibile;IVA;Totale documento;Stato pagamento',
      'Fattura;1/2026;15/01/2026;Ferri Impianti S.r.l.;C001;01234567897;;amministrazione@ferri-impianti.example;1.000,00;220,00;1.220,00;Pagata',
      'Fattura;2/2026;20/01/2026;VERDI LUCA;C002;;VRDLCU75C12H501T;luca.verdi@example.it;250,00;55,00;305,00;Non pagata',
      'Nota di credito;1/2026;25/01/2026;Ferri Impianti S.r.l.;C001;01234567897;;amministrazione@ferri-impianti.example;100,00;22,00;122,00;Pagata',
      'Preventivo;4/2026;02/02/2026;Ferri Impianti S.r.l.;C001;01234567897;;amministrazione@ferri-impianti.example;5.000,00;1.100,00;6.100,00;',
    ].join('\r\n');
    const report = await cdpImport('documenti.csv', Buffer.from(documents, 'latin1'), 'fatture');
    expect(report).toMatchObject({ status: 'completed', rowsRead: 4, accepted: 4, rejected: 0, unmappedColumns: ['Imponibile', 'IVA'] });
    await twin.waitIdle();

    const [ferri] = JSON.parse(await cdpOk(home, 'profiles', 'get', '--email', 'amministrazione@ferri-impianti.example', '--history', '--json'));
    expect(ferri.attributes).toMatchObject({ companyName: 'Ferri Impianti S.r.l.' });
    // The invoice less its credit note; one order, so a customer, not a repeat one; the quote is kept and counts for nothing.
    expect(ferri.orders).toMatchObject({ count: 1, revenue: 1098, lastAt: '2026-01-15T00:00:00.000Z' });
    expect(ferri.lifecycle).toBe('customer');
    expect(ferri.history.orders.map((o: { orderId: string; total: number; counted: boolean }) => [o.orderId, o.total, o.counted])).toEqual([
      ['Preventivo 4/2026', 6100, false],
      ['Nota di credito 1/2026', -122, true],
      ['1/2026', 1220, true],
    ]);
    // A private customer, named as the codice fiscale tells.
    const [verdi] = JSON.parse(await cdpOk(home, 'profiles', 'get', '--email', 'luca.verdi@example.it', '--json'));
    expect(verdi.attributes).toMatchObject({ firstName: 'Luca', lastName: 'Verdi' });
    expect(verdi.orders).toMatchObject({ count: 1, revenue: 305 });
  });

  it("imports a WooCommerce orders export and a Google Contacts address book, each by its own columns", async () => {
    // Advanced Order Export for WooCommerce's defaults (one row per article), as a shop with a numbering plugin writes it.
    const woo = [
      'Order ID;Order Number;Order Status;Order Date;First Name (Billing);Last Name (Billing);Email (Billing);Phone (Billing);First Name (Shipping);Last Name (Shipping);City (Shipping);Order Refund Amount;Order Total Amount;SKU;Quantity (- Refund);Item Cost',
      '4711;WC-2026-001;Completed;2026-11-02 10:15;Lucia;Marchetti;lucia.marchetti@example.it;3471234567;Lucia;Marchetti;Bologna;0;60,00;TSH-01;2;27,00',
      '4712;WC-2026-002;Cancelled;2026-11-05 18:40;Lucia;Marchetti;lucia.marchetti@example.it;;Lucia;Marchetti;Bologna;0;30,00;CAP-03;1;30,00',
      '4715;WC-2026-003;Processing;2026-11-20 09:00;Lucia;Marchetti;lucia.marchetti@example.it;;Marco;Rossi;Milano;0;50,00;TSH-01;1;45,00',
    ].join('\r\n');
    const orders = await cdpImport('ordini-woo.csv', Buffer.from(woo), 'woocommerce');
    expect(orders).toMatchObject({ status: 'completed', rowsRead: 3, accepted: 3, rejected: 0 });
    expect(orders.unmappedColumns).toEqual(['First Name (Shipping)', 'Last Name (Shipping)', 'City (Shipping)']);
    // Google Contacts: an address book with two addresses in one cell and an unset birthday.
    const google = [
      'First Name,Last Name,Birthday,Labels,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,Organization Name',
      'Lucia,Marchetti,0000-00-00,* myContacts,* Home ::: Work,lucia.marchetti@example.it ::: l.marchetti@studio-marchetti.example,Mobile,+39 347 123 4567,Studio Marchetti',
    ].join('\n');
    const book = await cdpImport('contacts.csv', Buffer.from(google), 'rubrica');
    expect(book).toMatchObject({ status: 'completed', rowsRead: 1, accepted: 1, exportFormat: 'google-contacts' });
    await twin.waitIdle();

    const [lucia] = JSON.parse(await cdpOk(home, 'profiles', 'get', '--email', 'l.marchetti@studio-marchetti.example', '--history', '--json'));
    // One person: the shop's buyer and the address book's contact, by e-mail and phone; the shipping name (a gift to
    // Marco Rossi) is no one's here.
    expect(lucia.identifiers).toEqual(expect.arrayContaining(['email:lucia.marchetti@example.it', 'email:l.marchetti@studio-marchetti.example', 'phone:+393471234567']));
    expect(lucia.attributes).toMatchObject({ firstName: 'Lucia', lastName: 'Marchetti', companyName: 'Studio Marchetti' });
    expect(lucia.attributes.birthDate).toBeUndefined();
    // Known by the order number (the webhook's key), the cancelled order counting toward nothing.
    expect(lucia.orders).toMatchObject({ count: 2, revenue: 110 });
    expect(lucia.history.orders.map((o: { orderId: string; counted: boolean }) => [o.orderId, o.counted])).toEqual([
      ['WC-2026-003', true],
      ['WC-2026-002', false],
      ['WC-2026-001', true],
    ]);
  });

  it("imports Meta's lead ads downloads: the ad's campaign as the lead's first touch, and a download overlapping the last adds only its new leads", async () => {
    // As Ads Manager writes it: UTF-16 with its byte order mark, tab-separated, ids and phones prefixed (`l:`, `p:+39…`).
    const header = 'id\tcreated_time\tad_id\tad_name\tadset_id\tadset_name\tcampaign_id\tcampaign_name\tform_id\tform_name\tis_organic\tplatform\tquale_servizio_ti_interessa?\tfull_name\temail\tphone_number\tcity\tinbox_url\tlead_status';
    const rows = [
      'l:1054074580944020\t2026-10-31T11:18:23+01:00\tag:120256484322050715\tCucine - carosello\tas:120256484322060715\tDonne 30-55 Emilia\tc:120256484322070715\tCucine autunno 2026\tf:2295576760978334\tRichiesta preventivo\tFALSE\tig\tCucine\tFrancesca Greco\tfrancesca.greco@example.it\tp:+393401234000\tParma\t\tcomplete',
      'l:1065451346068098\t2026-11-02T21:52:28+01:00\t\t\t\t\t\t\tf:2295576760978334\tRichiesta preventivo\tTRUE\tfb\tBagni\tDavide Conti\tdavide.conti@example.it\tp:3387654321\tModena\t\tcomplete',
    ];
    const later = 'l:1077712233445566\t2026-11-20T09:05:00+01:00\tag:120256484322050799\tSaldi - video\tas:120256484322060799\tClienti\tc:120256484322070799\tSaldi inverno\tf:2295576760978399\tCatalogo\tFALSE\tfb\tCatalogo\tFrancesca Greco\tfrancesca.greco@example.it\tp:+393401234000\tParma\t\tcomplete';
    const utf16 = (lines: string[]) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(lines.join('\n'), 'utf16le')]);

    const first = await cdpImport('leads-2026-11-03.csv', utf16([header, ...rows]), 'meta');
    expect(first).toMatchObject({ status: 'completed', exportFormat: 'meta-lead-ads', rowsRead: 2, accepted: 2, rejected: 0 });
    // The custom question is named for a mapping to take; the ad objects' ids and names are no one's data.
    expect(first.unmappedColumns).toEqual(['ad_id', 'ad_name', 'adset_id', 'adset_name', 'campaign_id', 'form_id', 'quale_servizio_ti_interessa?', 'inbox_url', 'lead_status']);
    await twin.waitIdle();
    const francesca = await profile('email:francesca.greco@example.it');
    expect(francesca?.attributes).toMatchObject({ firstName: 'Francesca', lastName: 'Greco', city: 'Parma' });
    expect(francesca?.identifiers).toContain('phone:+393401234000');
    expect(francesca?.lead).toMatchObject({ source: 'instagram', medium: 'paid', campaign: 'Cucine autunno 2026', at: '2026-10-31T10:18:23.000Z' });
    const davide = await profile('phone:+393387654321');
    expect(davide?.lead).toMatchObject({ source: 'facebook', medium: 'organic' });
    expect(davide?.lead?.campaign).toBeUndefined();

    // The next download covers the same days and one more lead: only that one is new, and the first touch stays.
    const second = await cdpImport('leads-2026-11-21.csv', utf16([header, ...rows, later]), 'meta');
    expect(second).toMatchObject({ status: 'completed', rowsRead: 3, accepted: 3, rejected: 0 });
    await twin.waitIdle();
    const again = await profile('email:francesca.greco@example.it');
    expect(again?.recordCount).toBe(2);
    expect(again?.lead).toMatchObject({ source: 'instagram', campaign: 'Cucine autunno 2026' });
    expect((await profile('phone:+393387654321'))?.recordCount).toBe(1);
  });

  it("imports Airbnb's and Booking.com's reservations: each stay a sale of its guest, one guest across both by phone, a cancelled stay counting toward nothing", async () => {
    const reservations = [
      '"Confirmation code","Status","Guest name","Contact","# of adults","# of children","# of infants","Start date","End date","# of nights","Booked","Listing","Earnings"',
      '"HMKRPEZY98","Past guest","Giulia Ferri","+39 333 123 4567","2","0","0","07/20/2026","07/23/2026","3","2026-06-13","Terrazza sul mare","€300.00"',
      '"HMQWERTY12","Canceled by guest","Giulia Ferri","+39 333 123 4567","2","0","0","09/10/2026","09/12/2026","2","2026-08-01","Terrazza sul mare","€0.00"',
      '"HMZXCVBN34","Confirmed","Hans Müller","+49 151 23456789","1","0","0","12/20/2026","12/27/2026","7","2026-11-02","Terrazza sul mare","€1,050.00"',
    ].join('\n');
    const imported = await cdpImport('reservations.csv', Buffer.from(reservations), 'airbnb');
    expect(imported).toMatchObject({ status: 'completed', exportFormat: 'airbnb-reservations', rowsRead: 3, accepted: 3, rejected: 0 });
    await twin.waitIdle();
    const giulia = await profile('phone:+393331234567');
    expect(giulia?.attributes).toMatchObject({ firstName: 'Giulia', lastName: 'Ferri' });
    expect(giulia?.orders).toEqual({ count: 1, revenue: 300, firstAt: '2026-06-13T00:00:00.000Z', lastAt: '2026-06-13T00:00:00.000Z' });
    expect((await profile('phone:+4915123456789'))?.orders).toMatchObject({ count: 1, revenue: 1050 });

    // The same host's Booking.com list, saved as CSV: Giulia booked there too, under her name written surname first.
    const booking = [
      'Book number,Booked by,Guest name(s),Check-in,Check-out,Booked on,Status,Rooms,Persons,Price,Commission %,Commission amount,Remarks,Booker country,Unit type,Phone number',
      '4034567891,"Ferri, Giulia","Giulia Ferri, Marco Neri",2026-12-20,2026-12-23,2026-11-02 10:15:00,ok,1,2,450 EUR,15,67.50 EUR,,it,Camera Matrimoniale,+39 333 1234567',
      '4034567892,"Neri, Marco",Marco Neri,2027-01-10,2027-01-12,2026-11-20 08:00:00,cancelled_by_guest,1,1,180 EUR,15,27 EUR,,it,Camera Singola,+39 347 7654321',
    ].join('\n');
    expect(await cdpImport('bookings.csv', Buffer.from(booking), 'booking')).toMatchObject({ status: 'completed', exportFormat: 'booking-reservations', rowsRead: 2, accepted: 2 });
    await twin.waitIdle();
    // One guest across both channels, by her phone: her stays on each, her name as both write it.
    expect(await profile('phone:+393331234567')).toMatchObject({
      attributes: { firstName: 'Giulia', lastName: 'Ferri', country: 'IT' },
      orders: { count: 2, revenue: 750, lastAt: '2026-11-02T10:15:00.000Z' },
    });
    expect((await profile('phone:+393477654321'))?.orders).toMatchObject({ count: 0, revenue: 0 });
  });

  it("imports an English form's responses month first and a UK shop's orders in pounds, as their own text tells", async () => {
    // Google Forms in English: `Timestamp` month first, which its 25th tells; the 11 March would otherwise be 3 November.
    const form = [
      'Timestamp,Email Address,Full name,How did you hear about us?',
      '3/11/2026 9:05:00,oliver.smith@example.co.uk,Oliver Smith,Google',
      '3/25/2026 18:40:12,emma.jones@example.co.uk,Emma Jones,Instagram',
    ].join('\n');
    const imported = await cdpImport('responses.csv', Buffer.from(form), 'uk-form');
    expect(imported).toMatchObject({ status: 'completed', dateFormat: 'MM/dd/yyyy', rowsRead: 2, accepted: 2, rejected: 0, flagged: {} });
    // A shop's orders with their amounts in pounds and no currency column; dates with the month named.
    const orders = ['Order Number,Sale Date,Buyer Email,Total', '07-11111-22222,"Mar 12, 2026",oliver.smith@example.co.uk,£24.99'].join('\n');
    expect(await cdpImport('orders.csv', Buffer.from(orders), 'uk-shop')).toMatchObject({ status: 'completed', kind: 'order', accepted: 1, rejected: 0 });
    await twin.waitIdle();
    expect((await profile('email:oliver.smith@example.co.uk'))?.lead).toMatchObject({ source: 'google', at: '2026-03-11T09:05:00.000Z' });
    expect((await profile('email:emma.jones@example.co.uk'))?.lead).toMatchObject({ source: 'instagram', at: '2026-03-25T18:40:12.000Z' });
    const [oliver] = JSON.parse(await cdpOk(home, 'profiles', 'get', '--email', 'oliver.smith@example.co.uk', '--history', '--json'));
    expect(oliver.history.orders).toEqual([{ source: 'uk-shop', orderId: '07-11111-22222', placedAt: '2026-03-12T00:00:00.000Z', total: 24.99, currency: 'GBP', counted: true }]);
  });

  it("imports a Google Forms export: how each person found the business, and each consent box by its wording", async () => {
    // As Google Sheets downloads an Italian form's responses: UTF-8, commas, the questions as headers, Italian times.
    const form = [
      '"Informazioni cronologiche","Indirizzo email","Nome e cognome","Numero di telefono","Come ci hai conosciuto?","Acconsento al trattamento dei dati personali ai sensi del Regolamento UE 2016/679","Desidero ricevere la newsletter","Acconsento alla comunicazione dei miei dati a società partner"',
      '"12/11/2026 18.04.31","elena.marchi@example.it","Elena Marchi","333 444 5566","Instagram","Acconsento","Sì",""',
      '"13/11/2026 09.15.02","fabio.sala@example.it","Fabio Sala","","Passaparola","Acconsento","No","Acconsento"',
    ].join('\n');
    const imported = await cdpImport('modulo-contatti.csv', Buffer.from(form), 'modulo');
    expect(imported).toMatchObject({ status: 'completed', rowsRead: 2, accepted: 2, rejected: 0 });
    // The box that gives the data to others is no consent of this business's own purposes: named for a mapping to place.
    expect(imported.unmappedColumns).toEqual(['column 8']);
    await twin.waitIdle();
    const elena = await profile('email:elena.marchi@example.it');
    expect(elena?.lead).toMatchObject({ source: 'instagram', at: '2026-11-12T18:04:31.000Z' });
    expect(elena?.consents).toMatchObject({ privacy_notice: { granted: true }, marketing_email: { granted: true } });
    const fabio = await profile('email:fabio.sala@example.it');
    expect(fabio?.lead).toMatchObject({ source: 'passaparola' });
    expect(fabio?.consents).toMatchObject({ privacy_notice: { granted: true }, marketing_email: { granted: false } });
  });

  it("imports a SurveyMonkey export: each respondent from the survey's contact question, named on its second header row", async () => {
    // A web link collector: the invitation's e-mail and names are empty; the contact question's fields are named only on
    // the second header row, and the same respondent also filled the Google form above.
    const survey = [
      'Respondent ID,Collector ID,Start Date,End Date,IP Address,Email Address,First Name,Last Name,Custom Data 1,Contact details,,,How did you hear about us?,,Which products interest you?,',
      ',,,,,,,,,Name,Email Address,Phone Number,Response,Other (please specify),Product A,Email',
      '114227580945,431559912,11/14/2026 10:12:33 AM,11/14/2026 10:15:02 AM,93.34.12.8,,,,,Elena Marchi,elena.marchi@example.it,,Facebook,,Product A,',
      '114227580946,431559912,11/15/2026 11:00:00 AM,11/15/2026 11:04:10 AM,93.34.12.9,,,,,Walter Conti,,+39 347 000 1122,Other (please specify),a friend,,Email',
    ].join('\n');
    const imported = await cdpImport('Customer Survey 2026.csv', Buffer.from(survey), 'survey');
    expect(imported).toMatchObject({ status: 'completed', exportFormat: 'surveymonkey-responses', dateFormat: 'MM/dd/yyyy', rowsRead: 2, accepted: 2, rejected: 0 });
    // A choice labelled `Email` is named with its question, never read as an address.
    expect(imported.unmappedColumns).toEqual(['Collector ID', 'Start Date', 'IP Address', 'Custom Data 1', 'column 14', 'Which products interest you? - Product A', 'Which products interest you? - Email']);
    await twin.waitIdle();
    // Elena answered the survey after the form: one person, her first touch still the form's.
    const elena = await profile('email:elena.marchi@example.it');
    expect(elena?.lead).toMatchObject({ source: 'instagram', at: '2026-11-12T18:04:31.000Z' });
    const walter = await profile('phone:+393470001122');
    expect(walter?.attributes).toMatchObject({ firstName: 'Walter', lastName: 'Conti' });
    const lines = (await cdpOk(home, 'profiles', 'export', '--format', 'ndjson')).trim().split('\n').map((l) => JSON.parse(l) as { profileId: string; lineage: { source: string; recordKey: string; line: number }[] });
    const ofSurvey = lines.flatMap((p) => p.lineage.filter((l) => l.source === 'survey').map((l) => [p.profileId, l.recordKey, l.line]));
    expect(ofSurvey).toEqual(expect.arrayContaining([[elena?.profileId, '114227580945', 3], [walter?.profileId, '114227580946', 4]]));
    expect(ofSurvey).toHaveLength(2);
  });
});

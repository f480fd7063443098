import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIdentityConfig } from '../../lambdas/domain/identity-config.ts';
import { startTwin, type Twin } from '../../local/twin.ts';
import { cdpOk, runCdp } from '../support/cdp.ts';
import { buildXlsx } from '../support/xlsx.ts';

/**
 * GDPR requests on the twin, tried as a new user would: three exports in three formats name Mario Rossi (an ERP in
 * Windows-1252 with `;`, a newsletter workbook, a shop's JSON export); a household shares one address.
 */
const EMAIL = 'mario.rossi@libero.it';
const PHONES = ['347 1234567', '3471234567', '+393471234567', '+39 347 1234567'];

// The ERP's customer list printed to a file: a title above the header.
const ERP = Buffer.from(
  [
    'Anagrafica clienti al 01/12/2026',
    'Codice;Nome;Cognome;E-mail;Cellulare;Città;Provincia;Note',
    "C001;Mario;Rossi;Mario.Rossi@Libero.it;347 1234567;Forlì;FC;=cmd|' /C calc'!A0",
    'C002;Giulia;Ferri;giulia.ferri@example.com;340 1112233;Torino;TO;',
    'C003;Anna;Verdi;famiglia.verdi@example.it;;Parma;PR;',
    'C004;Luca;Verdi;famiglia.verdi@example.it;;Parma;PR;',
    'C005;Sara;Lombardi;sara.lombardi@gmail.com;339 9876543;Bologna;BO;',
    // His second entry, with a note typed with the separator in it: a column too many, so the import rejects the row.
    'C006;Mario;Rossi;mario.rossi@libero.it;;Cesena;FC;consegna; citofono Rossi',
  ].join('\r\n') + '\r\n',
  'latin1',
);
const NEWSLETTER = buildXlsx({
  Iscritti: [
    ['Email', 'Nome', 'Cognome', 'Consenso marketing'],
    ['chiara.galli@example.it', 'Chiara', 'Galli', 'Sì'],
    ['mario.rossi@libero.it', 'Mario', 'Rossi', 'Sì'],
    ['paolo.rinaldi@example.it', 'Paolo', 'Rinaldi', 'No'],
  ],
});
const SHOP = Buffer.from(
  `${JSON.stringify(
    [
      { id: 7001, email: 'giulia.ferri@example.com', first_name: 'Giulia', last_name: 'Ferri', phone: '+393401112233' },
      { id: 7002, email: 'MARIO.ROSSI@LIBERO.IT', first_name: 'Mario', last_name: 'Rossi', phone: '+39 347 1234567' },
      { id: 7003, email: 'anne.dupont@example.fr', first_name: 'Anne', last_name: 'Dupont', phone: '+33612345678' },
    ],
    null,
    2,
  )}\n`,
);
// A photographer's own info@ address, a role address two colleagues share, and a placeholder typed for one of them:
// values the resolver links no one by.
const CRM = Buffer.from(
  [
    'Codice;Nome;Cognome;Email;Email 2;Città',
    'K1;Elena;Conti;info@contifoto.it;;Lecco',
    'K2;Giorgio;Ferri;ufficio@ferri-srl.it;nessuna@email.it;Bologna',
    'K3;Anna;Ferri;ufficio@ferri-srl.it;;Bologna',
  ].join('\r\n') + '\r\n',
  'latin1',
);
// A trade fair's visitors, without a header row (mapped by column number): the person is on its first line.
const FAIR = Buffer.from(['mario.rossi@libero.it;Mario;Rossi;Cesena', 'chiara.galli@example.it;Chiara;Galli;Rimini'].join('\n') + '\n');
const FAIR_MAPPING = { format: { header: false }, fields: { 'identifiers.email': 1, 'person.firstName': 2, 'person.lastName': 3, 'address.city': 4 } };
const OTHERS = ['info@contifoto.it', 'ufficio@ferri-srl.it', 'giulia.ferri@example.com', 'famiglia.verdi@example.it', 'sara.lombardi@gmail.com', 'chiara.galli@example.it', 'paolo.rinaldi@example.it', 'anne.dupont@example.fr'];

const home = mkdtempSync(path.join(tmpdir(), 'cdp-privacy-'));
let twin: Twin;

async function cdpImport(name: string, body: Uint8Array, source: string, mapping?: object) {
  const file = path.join(home, 'uploads', name);
  writeFileSync(file, body);
  const mapped = mapping ? ['--mapping', path.join(home, 'uploads', `${name}.mapping.json`)] : [];
  if (mapping) writeFileSync(mapped[1]!, JSON.stringify(mapping));
  return JSON.parse(await cdpOk(home, 'import', file, '--source', source, ...mapped, '--json')) as { rowsRead: number; accepted: number; rejected: number; suppressed: number; headerLine?: number };
}

async function dsr(...args: string[]) {
  const r = await runCdp(home, 'dsr', ...args, '--wait', '--json');
  return { code: r.code, state: JSON.parse(r.stdout) as { requestId: string; status: string; evidence?: Record<string, unknown>; rejection?: string } };
}

/** Every file under CDP_HOME but DynamoDB Local's database (checked through the API) and the uploads made here. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (p === path.join(home, 'dynamodb') || p === path.join(home, 'uploads')) continue;
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

/** Whether bytes hold the address or a form of the phone (UTF-8, Latin-1, UTF-16, any case; deflated or zipped too). */
function mentions(bytes: Buffer): boolean {
  const texts = [bytes.toString('latin1').toLowerCase(), bytes.toString('utf16le').toLowerCase()];
  try {
    texts.push(inflateRawSync(bytes).toString('utf8').toLowerCase());
  } catch {
    /* not deflated */
  }
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
    try {
      for (const f of Object.values(unzipSync(bytes))) texts.push(strFromU8(f).toLowerCase());
    } catch {
      /* not a zip */
    }
  }
  return texts.some((t) => t.includes(EMAIL) || PHONES.some((p) => t.includes(p)));
}

async function dynamoMentions(): Promise<number> {
  let hits = 0;
  let ExclusiveStartKey: Record<string, never> | undefined;
  do {
    const res = await twin.clients.dynamodb.send(new ScanCommand({ TableName: twin.resources.tableName, ExclusiveStartKey }));
    for (const item of res.Items ?? []) {
      const parts: Buffer[] = [Buffer.from(JSON.stringify(item))];
      for (const v of Object.values(item)) if (v.B) parts.push(Buffer.from(v.B));
      if (parts.some(mentions)) hits++;
    }
    ExclusiveStartKey = res.LastEvaluatedKey as Record<string, never> | undefined;
  } while (ExclusiveStartKey);
  return hits;
}

beforeAll(async () => {
  twin = await startTwin({ home, port: 0 });
  mkdirSync(path.join(home, 'uploads'));
  expect(await cdpImport('clienti.csv', ERP, 'erp')).toMatchObject({ rowsRead: 6, accepted: 5, rejected: 1, reasons: { 'row.columnCount': 1 }, headerLine: 2 });
  expect(await cdpImport('iscritti.xlsx', NEWSLETTER, 'newsletter')).toMatchObject({ rowsRead: 3, accepted: 3 });
  expect(await cdpImport('customers.json', SHOP, 'shop')).toMatchObject({ rowsRead: 3, accepted: 3 });
  expect(await cdpImport('contatti.csv', CRM, 'crm')).toMatchObject({ rowsRead: 3, accepted: 3 });
  expect(await cdpImport('visitatori.csv', FAIR, 'fiera', FAIR_MAPPING)).toMatchObject({ rowsRead: 2, accepted: 2 });
  await twin.waitIdle();
});
afterAll(async () => {
  await twin?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('data-subject requests on the twin', () => {
  let accessBundle = '';

  it('refuses a request that names two people (a household address) rather than mixing them', async () => {
    const { code, state } = await dsr('access', '--email', 'famiglia.verdi@example.it');
    expect(code).toBe(1);
    expect(state.status).toBe('rejected');
    expect(state.rejection).toMatch(/2 different people/);
  });

  it('access: a bundle with the raw rows from all four sources, and nothing of anyone else', async () => {
    const { code, state } = await dsr('access', '--email', 'MARIO.ROSSI@libero.it', '--reference', 'ticket-42');
    expect(code).toBe(0);
    expect(state.status).toBe('completed');
    expect(state.evidence).toMatchObject({ profiles: 1, rawRows: 5 });
    accessBundle = String(state.evidence!.link);
    expect(accessBundle.startsWith(home)).toBe(true);
    const files = unzipSync(readFileSync(accessBundle));
    const bundle = JSON.parse(strFromU8(files['bundle.json']!)) as {
      rawRows: { source: string; objectKey: string; line?: number; values: Record<string, string>; rejected?: string[] }[];
      sources: { source: string }[];
      profiles: { lifecycle: string; leadScore: number }[];
      leadScoreRules: unknown[];
    };
    expect(bundle.rawRows.map((r) => r.source).sort()).toEqual(['erp', 'erp', 'fiera', 'newsletter', 'shop']);
    // The ERP row the import rejected is on no profile, but it is his, kept in quarantine as read.
    expect(bundle.rawRows.filter((r) => r.rejected)).toEqual([
      { source: 'erp', channel: 'file', objectKey: 'imports/erp/clienti.csv', line: 8, rejected: ['row.columnCount'], values: ['C006', 'Mario', 'Rossi', EMAIL, '', 'Cesena', 'FC', 'consegna', ' citofono Rossi'] },
    ]);
    // Each row as its import read it: the ERP's under its header (not its title), the fair's first line by column number.
    expect(bundle.rawRows.find((r) => r.source === 'erp')?.values).toMatchObject({ Codice: 'C001', Nome: 'Mario', Città: 'Forlì' });
    expect(bundle.rawRows.find((r) => r.source === 'fiera')?.values).toEqual({ '1': 'mario.rossi@libero.it', '2': 'Mario', '3': 'Rossi', '4': 'Cesena' });
    // What the product infers about him, and the rules it follows (the shipped ones).
    expect(bundle.profiles[0]).toMatchObject({ lifecycle: expect.stringMatching(/^(lead|customer|repeat)$/), leadScore: expect.any(Number) });
    expect(bundle.profiles[0]!.leadScore).toBeGreaterThan(0);
    expect(bundle.leadScoreRules).toEqual(parseIdentityConfig(JSON.parse(readFileSync(path.join(import.meta.dirname, '..', '..', 'config', 'identity.json'), 'utf8'))).leadScore.rules);
    expect(strFromU8(files['lead_score_rules.csv']!)).toMatch(/^when,points,max,detail\r\n/);
    expect(bundle.sources.map((s) => s.source)).toEqual(['erp', 'fiera', 'newsletter', 'shop']);
    for (const f of Object.values(files)) for (const other of OTHERS) expect(strFromU8(f).toLowerCase()).not.toContain(other);
    // The ERP's note was a formula (DDE): in the bundle's CSV it is text.
    const raw = strFromU8(files['raw_rows.csv']!);
    expect(raw).toContain(`'=cmd|`);
    expect(raw).not.toMatch(/(^|,)"?=cmd/m);
    // The subject's identifiers appear in the request log only as hashes.
    expect(JSON.stringify(await cdpOk(home, 'dsr', 'show', state.requestId, '--json'))).not.toContain('mario');
  });

  it('rectification: the corrected value wins, with the request as its provenance, also over later imports', { timeout: 180_000 }, async () => {
    const { state } = await dsr('rectify', '--email', 'giulia.ferri@example.com', '--set', 'lastName=ferri bianchi');
    expect(state.status).toBe('completed');
    const get = async () => JSON.parse(await cdpOk(home, 'profiles', 'get', '--email', 'giulia.ferri@example.com', '--json'))[0] as { attributes: Record<string, string>; values: Record<string, { v: string; s: string }[]> };
    expect((await get()).attributes.lastName).toBe('Ferri Bianchi');
    expect((await get()).values.lastName).toEqual([expect.objectContaining({ v: 'Ferri Bianchi', s: `dsr:${state.requestId}` })]);
    await cdpImport('giulia.csv', Buffer.from('E-mail;Nome;Cognome\ngiulia.ferri@example.com;Giulia;Ferri\n'), 'crm');
    await twin.waitIdle();
    expect((await get()).attributes.lastName).toBe('Ferri Bianchi');
    // A field that cannot be rectified is the caller's mistake: exit 2, nothing recorded.
    const bad = await runCdp(home, 'dsr', 'rectify', '--email', 'giulia.ferri@example.com', '--set', 'score=100', '--json');
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout).error).toMatch(/score cannot be rectified/);
    // A corrected address is cleaned as an import cleans it: the KPIs and segments group it with everyone else's.
    const moved = await dsr('rectify', '--email', 'giulia.ferri@example.com', '--set', 'province=Milano', '--set', 'city=MILANO', '--set', 'postalCode=20121');
    expect(moved.state.status).toBe('completed');
    expect((await get()).attributes).toMatchObject({ province: 'MI', region: 'Lombardia', city: 'Milano', postalCode: '20121' });
    const unread = await runCdp(home, 'dsr', 'rectify', '--email', 'giulia.ferri@example.com', '--set', 'province=Milan0', '--set', 'country=IT', '--json');
    expect(unread.code).toBe(2);
    expect(JSON.parse(unread.stdout).error).toBe('province: province.unknown');
  });

  it('serves the privacy API behind the IAM stand-in: 401 without credentials, 400 for bad input, 202 with a request id', async () => {
    const token = (JSON.parse(readFileSync(path.join(home, 'credentials.json'), 'utf8')) as { token: string }).token;
    const post = (body: unknown, auth = true) =>
      fetch(`${twin.url}/privacy/requests`, { method: 'POST', headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    expect((await post({ type: 'access', email: 'sara.lombardi@gmail.com' }, false)).status).toBe(401);
    const invalid = await post({ type: 'forget', email: 'x@y.it' });
    expect(invalid.status).toBe(400);
    expect(JSON.stringify(await invalid.json())).not.toContain('x@y.it');
    expect((await post({ type: 'access', email: 'not an address' })).status).toBe(400);
    const ok = await post({ type: 'access', email: 'sara.lombardi@gmail.com', reference: 'api-1' });
    expect(ok.status).toBe(202);
    const { requestId } = (await ok.json()) as { requestId: string };
    // The same reference again is the same request.
    const again = await post({ type: 'access', email: 'sara.lombardi@gmail.com', reference: 'api-1' });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { requestId: string }).requestId).toBe(requestId);
    await twin.waitIdle();
    const shown = await fetch(`${twin.url}/privacy/requests/${requestId}`, { headers: { authorization: `Bearer ${token}` } });
    expect(await shown.json()).toMatchObject({ requestId, status: 'completed', requester: 'local:cdp-home-token' });
  });

  it('restriction keeps the profile but leaves it out of activation exports', async () => {
    const { state } = await dsr('restrict', '--phone', '347 1234567');
    expect(state.status).toBe('completed');
    const lines = (await cdpOk(home, 'profiles', 'export', '--activation')).trim().split('\n');
    expect(lines.some((l) => l.includes(EMAIL))).toBe(false);
    expect((await cdpOk(home, 'profiles', 'export')).includes(EMAIL)).toBe(true);
  });

  // Many `cdp` runs (a Node start each) and three re-imports: minutes on a loaded 2-core machine.
  it('erasure reaches every copy under CDP_HOME, keeps everyone else, and re-imports count the person as suppressed', { timeout: 300_000 }, async () => {
    // The fair's mapping was edited since its list was imported (its next lists have a header row): the list is still
    // read as its import read it, and the person on its first line is found.
    const edited = { fields: { 'identifiers.email': 'Email', 'person.firstName': 'Nome', 'person.lastName': 'Cognome' } };
    await twin.clients.s3.send(new PutObjectCommand({ Bucket: twin.resources.buckets.landing, Key: 'mappings/fiera/visitatori.csv.json', Body: JSON.stringify(edited) }));
    const { code, state } = await dsr('erase', '--email', EMAIL);
    expect(code).toBe(0);
    expect(state.status).toBe('completed');
    const evidence = state.evidence as { filesRewritten: { bucket: string; key: string; rowsRemoved: number }[]; earlierBundlesDeleted: number; suppressedIdentifiers: number };
    expect(evidence.filesRewritten.filter((f) => f.bucket === 'landing').map((f) => f.key).sort()).toEqual(['imports/erp/clienti.csv', 'imports/fiera/visitatori.csv', 'imports/newsletter/iscritti.xlsx', 'imports/shop/customers.json']);
    // The ERP's rejected row, in quarantine.
    expect(evidence.filesRewritten.filter((f) => f.bucket === 'raw')).toEqual([{ bucket: 'raw', key: expect.stringMatching(/^quarantine\/erp\//), rowsRemoved: 1 }]);
    expect(evidence.earlierBundlesDeleted).toBe(1);
    expect(evidence.suppressedIdentifiers).toBeGreaterThanOrEqual(2);
    expect(existsSync(accessBundle)).toBe(false);
    await twin.waitIdle();

    const hits = filesUnder(home).filter((f) => mentions(readFileSync(f)));
    expect(hits).toEqual([]);
    expect(await dynamoMentions()).toBe(0);
    expect((await runCdp(home, 'profiles', 'get', '--email', EMAIL)).code).toBe(1);
    expect(await cdpOk(home, 'profiles', 'export')).not.toContain(EMAIL);

    // Everyone else is still there, and the ERP export is the original minus his two lines (the one it rejected too),
    // byte for byte.
    const erpNow = readFileSync(filesUnder(home).find((f) => f.includes('clienti.csv') && !f.endsWith('.json') && readFileSync(f).includes('C002'))!);
    expect(erpNow.equals(Buffer.from(ERP.toString('latin1').replace(/C001;[^\r]*\r\n/, '').replace(/C006;[^\r]*\r\n/, ''), 'latin1'))).toBe(true);
    expect(evidence.filesRewritten.find((f) => f.key === 'imports/erp/clienti.csv')?.rowsRemoved).toBe(2);
    for (const other of ['giulia.ferri@example.com', 'sara.lombardi@gmail.com', 'chiara.galli@example.it', 'anne.dupont@example.fr']) {
      expect(JSON.parse(await cdpOk(home, 'profiles', 'get', '--email', other, '--json'))).toHaveLength(1);
    }

    // The original exports again: the person is suppressed, not re-created.
    // His rejected row too: it is not quarantined again.
    expect(await cdpImport('clienti.csv', ERP, 'erp')).toMatchObject({ rowsRead: 6, accepted: 4, suppressed: 2, rejected: 0 });
    expect(await cdpImport('iscritti.xlsx', NEWSLETTER, 'newsletter')).toMatchObject({ rowsRead: 3, accepted: 2, suppressed: 1 });
    expect(await cdpImport('customers.json', SHOP, 'shop')).toMatchObject({ rowsRead: 3, accepted: 2, suppressed: 1 });
    expect(await cdpImport('visitatori.csv', FAIR, 'fiera', FAIR_MAPPING)).toMatchObject({ rowsRead: 2, accepted: 1, suppressed: 1 });
    await twin.waitIdle();
    expect((await runCdp(home, 'profiles', 'get', '--email', EMAIL)).code).toBe(1);
    expect(await dynamoMentions()).toBe(0);
    expect(filesUnder(home).filter((f) => f.includes('quarantine') && mentions(readFileSync(f)))).toEqual([]);
  });

  it('lists requests with their status, and a completed one stays completed when asked again', async () => {
    const list = JSON.parse(await cdpOk(home, 'dsr', 'list', '--json')) as { requestType: string; status: string }[];
    expect(list.map((r) => `${r.requestType}:${r.status}`).sort()).toEqual(['access:completed', 'access:completed', 'access:rejected', 'erasure:completed', 'rectification:completed', 'rectification:completed', 'restriction:completed']);
  });
});

describe('requests by a value the resolver links no one by', () => {
  it("finds the person behind their own info@ address, and refuses a role address two colleagues share", async () => {
    const own = await dsr('access', '--email', 'info@contifoto.it');
    expect(own.code).toBe(0);
    expect(own.state.evidence).toMatchObject({ profiles: 1, rawRows: 1 });
    const shared = await dsr('access', '--email', 'ufficio@ferri-srl.it');
    expect(shared.code).toBe(1);
    expect(shared.state.rejection).toMatch(/2 different people/);
    const both = JSON.parse(await cdpOk(home, 'profiles', 'get', '--email', 'ufficio@ferri-srl.it', '--json')) as { attributes: { firstName?: string } }[];
    expect(both.map((p) => p.attributes.firstName).sort()).toEqual(['Anna', 'Giorgio']);
  });

  it('erasing one colleague leaves the role address to the other: it is not suppressed', { timeout: 180_000 }, async () => {
    const both = JSON.parse(await cdpOk(home, 'profiles', 'get', '--email', 'ufficio@ferri-srl.it', '--json')) as { profileId: string; attributes: { firstName?: string } }[];
    const giorgio = both.find((p) => p.attributes.firstName === 'Giorgio')!;
    const { code, state } = await dsr('erase', '--id', giorgio.profileId);
    expect(code).toBe(0);
    expect(state.status).toBe('completed');
    await twin.waitIdle();
    const left = JSON.parse(await cdpOk(home, 'profiles', 'get', '--email', 'ufficio@ferri-srl.it', '--json')) as { attributes: { firstName?: string } }[];
    expect(left.map((p) => p.attributes.firstName)).toEqual(['Anna']);
    // The export again: Giorgio's row is suppressed (by his customer code), Anna's and Elena's are taken.
    expect(await cdpImport('contatti.csv', CRM, 'crm')).toMatchObject({ rowsRead: 3, accepted: 2, suppressed: 1 });
    // His placeholder names nobody: someone else who typed it is not suppressed by it.
    const later = Buffer.from('Codice;Nome;Cognome;Email;Email 2;Città\r\nK4;Luca;Neri;luca.neri@example.it;nessuna@email.it;Bologna\r\n', 'latin1');
    expect(await cdpImport('nuovi.csv', later, 'crm')).toMatchObject({ rowsRead: 1, accepted: 1, suppressed: 0 });
  });

  it("erasing the only holder of a role address keeps it from re-creating them, not from naming someone else", { timeout: 180_000 }, async () => {
    const [elena] = JSON.parse(await cdpOk(home, 'profiles', 'get', '--email', 'info@contifoto.it', '--json')) as { profileId: string }[];
    const { code, state } = await dsr('erase', '--id', elena!.profileId);
    expect(code).toBe(0);
    expect(state.status).toBe('completed');
    await twin.waitIdle();
    // The studio's address later: Elena's row again (her name either way round), a row naming no one, and the
    // son who took the studio over. Only his is taken.
    const rows = Buffer.from(
      [
        'Codice;Nome;Cognome;Email;Email 2;Città',
        ';Elena;Conti;info@contifoto.it;;Lecco',
        ';CONTI;ELENA;info@contifoto.it;;Lecco',
        ';;;info@contifoto.it;;Lecco',
        'K5;Marco;Conti;info@contifoto.it;;Lecco',
      ].join('\r\n') + '\r\n',
      'latin1',
    );
    expect(await cdpImport('studio.csv', rows, 'crm')).toMatchObject({ rowsRead: 4, accepted: 1, suppressed: 3 });
    await twin.waitIdle();
    const now = JSON.parse(await cdpOk(home, 'profiles', 'get', '--email', 'info@contifoto.it', '--json')) as { attributes: { firstName?: string } }[];
    expect(now.map((p) => p.attributes.firstName)).toEqual(['Marco']);
  });
});

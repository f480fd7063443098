import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Twin } from '../../local/twin.ts';
import { runCdp } from '../support/cdp.ts';

/**
 * No personal data in logs (issue 8). The twin runs in this process with Powertools at DEBUG, so every handler's log
 * line, the twin's own messages and every error thrown inside it pass through this process's stdout and stderr,
 * which are captured. The flows a user runs (imports with rejects, webhooks good and bad, access and erasure
 * requests, a KPI refresh) feed people with distinctive values; the capture, and every error message the CLI prints,
 * must hold none of them in any usual spelling.
 */
interface Person {
  readonly first: string;
  readonly last: string;
  readonly email: string;
  readonly phone: string;
  readonly e164: string;
  readonly taxCode?: string;
}

const PEOPLE: Person[] = [
  { first: 'Gualtiero', last: 'Zanzottera', email: 'gualtiero.zanzottera@esempio.it', phone: '347 8812345', e164: '+393478812345', taxCode: 'ZNZGTR80A01F205X' },
  { first: 'Ottavia', last: 'Brambillasca', email: 'ottavia.brambillasca@esempio.it', phone: '0039 333 4455667', e164: '+393334455667' },
  { first: 'Ermenegildo', last: 'Quarantotto', email: 'e.quarantotto@esempio.it', phone: '(02) 8765 4321', e164: '+390287654321', taxCode: 'QRNRNG75C12H501Z' },
  { first: 'Filomena', last: 'Sgarbozza', email: 'filomena.sgarbozza@esempio.it', phone: '+39 349 1122334', e164: '+393491122334' },
];
/** Rejected rows hold values too; their rejects are reported, and must not be logged either. */
const REJECTED = { first: 'Benvenuta', last: 'Scagliarini', email: 'benvenuta.scagliarini@@esempio', taxCode: 'SCGBVN99Z99Z999Z' };

/** Every spelling of a person's values that a careless log line would carry. */
export function spellings(p: Partial<Person>): string[] {
  const out = new Set<string>();
  for (const v of [p.first, p.last, p.email, p.taxCode, p.phone, p.e164]) {
    if (!v) continue;
    out.add(v.toLowerCase());
    out.add(JSON.stringify(v).slice(1, -1).toLowerCase());
  }
  for (const phone of [p.phone, p.e164]) if (phone) out.add(phone.replace(/\D/g, '').replace(/^(0039|39)/, ''));
  return [...out].filter((s) => s.length >= 6);
}

/** The spellings found in a text (case-insensitive; phone digits also with separators removed). */
export function leaks(text: string, people: Partial<Person>[]): string[] {
  const lower = text.toLowerCase();
  const digits = text.replace(/[\s().-]/g, '');
  return people.flatMap(spellings).filter((s) => lower.includes(s) || (/^\d+$/.test(s) && digits.includes(s)));
}

const home = mkdtempSync(path.join(tmpdir(), 'cdp-pii-'));
const SECRETS = { tally: 'tally_pii_test', 'sito-contatti': 'tok_pii_123' };
let twin: Twin;
let captured = '';
const cliErrors: string[] = [];
const writes = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };

function capture(): void {
  const tee =
    (original: typeof process.stdout.write) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      captured += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
    };
  process.stdout.write = tee(writes.out) as typeof process.stdout.write;
  process.stderr.write = tee(writes.err) as typeof process.stderr.write;
}

function file(name: string, body: string | Buffer): string {
  const p = path.join(home, name);
  writeFileSync(p, body);
  return p;
}

/** A CLI run whose stderr (its error messages) is kept for the check; stdout is the user's own data. */
async function cdp(...args: string[]) {
  const r = await runCdp(home, ...args);
  cliErrors.push(r.stderr);
  if (r.code !== 0) cliErrors.push(r.stdout);
  return r;
}

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  capture();
  writeFileSync(path.join(home, 'secrets.json'), JSON.stringify(SECRETS));
  const { startTwin } = await import('../../local/twin.ts');
  twin = await startTwin({ home, port: 0 });
}, 120_000);

afterAll(async () => {
  await twin?.stop();
  process.stdout.write = writes.out;
  process.stderr.write = writes.err;
  delete process.env.POWERTOOLS_LOG_LEVEL;
  rmSync(home, { recursive: true, force: true });
});

describe('no personal data in logs, metrics or error messages', () => {
  it('the check finds a person in a log line written through the product logger (it would catch a careless one)', async () => {
    const { logger } = await import('../../lambdas/shared/logger.ts');
    const before = captured.length;
    logger.debug('careless line', { email: PEOPLE[0]!.email, phone: PEOPLE[0]!.phone });
    expect(leaks(captured.slice(before), PEOPLE)).toEqual(expect.arrayContaining([PEOPLE[0]!.email, '3478812345']));
    captured = captured.slice(0, before);
  });

  it('imports, webhooks, privacy requests and a KPI refresh log none of the people they carry', async () => {
    const [a, b, c, d] = PEOPLE as [Person, Person, Person, Person];
    const erp = [
      'Codice cliente;Nome;Cognome;E-mail;Cellulare;Codice fiscale;Data di nascita;Provincia',
      `C1;${a.first.toUpperCase()};${a.last.toUpperCase()};${a.email};${a.phone};${a.taxCode};01/01/1980;MI`,
      `C2;${c.first};${c.last};${c.email};${c.phone};${c.taxCode};12/03/1975;RM`,
      // Rejected: no usable identifier, an impossible date and a tax code that fails its checksum.
      `;${REJECTED.first};${REJECTED.last};${REJECTED.email};;${REJECTED.taxCode};31/02/1999;XX`,
    ].join('\r\n');
    const imported = JSON.parse((await cdp('import', file('clienti.csv', Buffer.from(erp, 'latin1')), '--source', 'erp', '--json')).stdout);
    expect(imported).toMatchObject({ rowsRead: 3, accepted: 2, rejected: 1 });
    const shop = ['Customer ID,First Name,Last Name,Email,Phone,Accepts Email Marketing', `'1001,${b.first},${b.last},${b.email},'${b.phone},yes`].join('\n');
    expect(JSON.parse((await cdp('import', file('customers_export.csv', shop), '--source', 'shopify', '--json')).stdout)).toMatchObject({ accepted: 1 });
    // A file that cannot be read at all, with a person's values in it.
    const garbage = Buffer.concat([Buffer.from([0, 1, 2, 0xff, 0xfe, 0]), Buffer.from(`${d.email};${d.phone}`), Buffer.alloc(64, 0)]);
    expect((await cdp('import', file('rotto.csv', garbage), '--source', 'erp', '--json')).code).not.toBe(0);

    const tally = {
      eventId: 'evt-pii-1',
      eventType: 'FORM_RESPONSE',
      createdAt: '2026-11-20T10:00:00.000Z',
      data: {
        responseId: 'resp-pii-1',
        formId: 'form-pii',
        formName: 'Contatti',
        createdAt: '2026-11-20T10:00:00.000Z',
        fields: [
          { key: 'q1', label: 'Nome', type: 'INPUT_TEXT', value: d.first },
          { key: 'q2', label: 'Cognome', type: 'INPUT_TEXT', value: d.last },
          { key: 'q3', label: 'Email', type: 'INPUT_EMAIL', value: d.email },
          { key: 'q4', label: 'Telefono', type: 'INPUT_PHONE_NUMBER', value: d.phone },
        ],
      },
    };
    const sent = JSON.parse((await cdp('webhook', 'send', 'tally', file('tally.json', JSON.stringify(tally)), '--json')).stdout);
    expect(sent).toMatchObject({ status: 200 });
    // Bad deliveries carrying the same person: a wrong signature, a malformed body, an unknown source.
    const body = JSON.stringify(tally);
    expect((await fetch(`${twin.url}/webhooks/tally`, { method: 'POST', headers: { 'content-type': 'application/json', 'tally-signature': 'AAAA' }, body })).status).toBe(401);
    const url = `${twin.url}/webhooks/sito-contatti?token=${SECRETS['sito-contatti']}`;
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"email": "${d.email}", ` });
    expect((await fetch(`${twin.url}/webhooks/nessuno`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(404);
    await twin.waitIdle();

    expect(JSON.parse((await cdp('dsr', 'access', '--email', a.email, '--wait', '--json')).stdout)).toMatchObject({ status: 'completed' });
    expect(JSON.parse((await cdp('dsr', 'erase', '--email', c.email, '--wait', '--json')).stdout)).toMatchObject({ status: 'completed' });
    // A request for someone unknown, and one the CLI refuses.
    await cdp('dsr', 'access', '--email', 'nobody.zanzottera@esempio.it', '--wait', '--json');
    await cdp('dsr', 'erase', '--phone', 'non-un-telefono', '--json');
    await cdp('profiles', 'get', '--email', b.email, '--json');
    await cdp('kpi', 'refresh', '--json');
    await twin.waitIdle();

    expect(captured.length).toBeGreaterThan(1000); // the capture saw the handlers' DEBUG lines
    expect(captured).toMatch(/"service":"cdp-/);
    expect(leaks(captured, [...PEOPLE, REJECTED])).toEqual([]);
    expect(leaks(cliErrors.join('\n'), [...PEOPLE, REJECTED])).toEqual([]);
  }, 300_000);
});

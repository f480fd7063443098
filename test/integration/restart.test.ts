import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { startTwin, type TwinInfo } from '../../local/twin.ts';
import { importIdOf, reportKey, uploadOf } from '../../lambdas/usecases/import-keys.ts';
import { CDP_BIN as cdp, cdpOk } from '../support/cdp.ts';
import { profileOf } from '../support/profiles.ts';

const root = path.resolve(import.meta.dirname, '../..');
const home = mkdtempSync(path.join(tmpdir(), 'cdp-restart-'));
const env = { ...process.env, CDP_HOME: home };
const children: ChildProcess[] = [];

/** Starts `cdp up` and resolves with its ready line (JSON), once it serves. */
function up(): Promise<{ child: ChildProcess; ready: { url: string; requeued: Record<string, number> } }> {
  const child = spawn(process.execPath, [cdp, 'up', '--port', '0', '--no-demo', '--json'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`cdp up not ready: ${err}`)), 60_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve({ child, ready: JSON.parse(line) });
      }
    });
    child.once('exit', (code) => reject(new Error(`cdp up exited ${code}: ${err}`)));
  });
}

async function importDemo(): Promise<{ rowsRead: number; accepted: number; rejected: number; suppressed: number }> {
  return JSON.parse(await cdpOk(home, 'import', path.join(root, 'local/demo/erp-clienti.csv'), '--source', 'erp', '--json'));
}

/**
 * `cdp import` of `rows` people (`<prefix><n>@example.it`) from a new source. The report is written before the
 * resolver is through: with 1,200 rows it is still at work when the import returns.
 */
async function importPeople(source: string, prefix: string, rows: number): Promise<void> {
  const file = path.join(home, `${source}.csv`);
  writeFileSync(file, ['Nome;Cognome;E-mail', ...Array.from({ length: rows }, (_, i) => `Persona;Numero${i};${prefix}${i}@example.it`)].join('\n'));
  const report = JSON.parse(await cdpOk(home, 'import', file, '--source', source, '--json')) as { accepted: number };
  expect(report.accepted).toBe(rows);
}

/** How many e-mail addresses starting with `prefix` `cdp profiles export` lists. */
async function exportedEmails(prefix: string): Promise<number> {
  const exported = (await cdpOk(home, 'profiles', 'export', '--format', 'ndjson')).split('\n').filter((l) => l !== '');
  const keys = new Set(exported.flatMap((l) => (JSON.parse(l) as { identifiers: string[] }).identifiers));
  return [...keys].filter((k) => k.startsWith(`email:${prefix}`)).length;
}

async function owner(email: string): Promise<string | undefined> {
  const info = JSON.parse(readFileSync(path.join(home, 'twin.json'), 'utf8')) as TwinInfo;
  const ddb = new DynamoDBClient({ endpoint: info.endpoints.dynamodb, region: info.region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  return (await profileOf(ddb, info.resources.tableName, `email:${email}`))?.profileId;
}

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(home, { recursive: true, force: true });
});

describe('cdp up', () => {
  it('keeps the data when the twin is killed (SIGKILL) and started again', async () => {
    const first = await up();
    expect((await fetch(`${first.ready.url}/health`)).status).toBe(200);
    const report = await importDemo();
    expect(report.rowsRead).toBe(report.accepted + report.rejected + report.suppressed);
    const before = await waitForOwner('mario.rossi@example.it');

    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = await up();
    expect((await fetch(`${second.ready.url}/health`)).status).toBe(200);
    expect(await owner('mario.rossi@example.it')).toBe(before);
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
  });

  it('loses no queued record when killed (SIGKILL) while the resolver is still at work', async () => {
    const rows = 1200;
    const first = await up();
    await importPeople('fiera', 'visitatore', rows);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = await up();
    // The import's report is written before the resolver is through: records were still queued at the kill.
    expect(second.ready.requeued.records).toBeGreaterThan(0);
    const deadline = Date.now() + 120_000;
    let resolved = 0;
    while (resolved < rows && Date.now() < deadline) {
      resolved = await exportedEmails('visitatore');
      if (resolved < rows) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(resolved).toBe(rows);
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
  }, 240_000);
});

describe('stopping the twin', () => {
  it('finishes the work in flight on SIGTERM before it stops, so no queued record is lost', async () => {
    const rows = 1200;
    const first = await up();
    await importPeople('negozio', 'cliente', rows);
    first.child.kill('SIGTERM');
    const code = await new Promise((r) => first.child.once('exit', r));
    expect(code).toBe(0);

    const second = await up();
    expect(await exportedEmails('cliente')).toBe(rows);
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
  }, 240_000);

  it.each([
    ['from the queue journal', false],
    ['by a new notification when the queued one was lost', true],
  ])('imports again, on the next start, an export whose import the stop cut short: %s', async (_how, journalLost) => {
    const own = mkdtempSync(path.join(tmpdir(), 'cdp-resume-'));
    let failImports = false;
    let failed!: () => void;
    const importFailed = new Promise<void>((r) => (failed = r));
    const first = await startTwin({
      home: own,
      // The importer dies on the second export, as if the twin were killed under it.
      wrap: (name, handler) =>
        (name !== 'ingestFile'
          ? handler
          : async (...args: Parameters<typeof handler>) => {
              if (!failImports) return handler(...args);
              failed();
              throw new Error('killed');
            }) as typeof handler,
    });
    const put = (key: string, body: string) => first.clients.s3.send(new PutObjectCommand({ Bucket: first.resources.buckets.landing, Key: key, Body: body }));
    try {
      await put('imports/erp/finito.csv', 'Nome;Cognome;E-mail\nAnna;Bianchi;anna@example.it\n');
      await first.waitIdle();
      if (journalLost) {
        // A report as twins before decision 66 named it (by the export's ETag alone): still a finished import.
        const { landing, raw } = first.resources.buckets;
        const head = await first.clients.s3.send(new HeadObjectCommand({ Bucket: landing, Key: 'imports/erp/finito.csv' }));
        const now = reportKey(importIdOf(landing, 'imports/erp/finito.csv', uploadOf({ etag: head.ETag, lastModified: head.LastModified })));
        const stored = await first.clients.s3.send(new GetObjectCommand({ Bucket: raw, Key: now }));
        const legacy = reportKey(importIdOf(landing, 'imports/erp/finito.csv', head.ETag));
        await first.clients.s3.send(new PutObjectCommand({ Bucket: raw, Key: legacy, Body: await stored.Body!.transformToString() }));
        await first.clients.s3.send(new DeleteObjectCommand({ Bucket: raw, Key: now }));
      }
      failImports = true;
      await put('imports/erp/interrotto.csv', 'Nome;Cognome;E-mail\nLuca;Verdi;luca@example.it\n');
      await importFailed;
    } finally {
      await first.stop();
    }

    // As if the twin had been killed between the upload and its notification.
    if (journalLost) rmSync(path.join(own, 'sqs'), { recursive: true });
    const second = await startTwin({ home: own });
    try {
      // The interrupted import's notification is queued again; only when it is gone is the export notified again (the
      // finished import is answered by its report and not notified again).
      expect(second.requeued.fileEvents ?? 0).toBe(journalLost ? 0 : 1);
      expect(second.resumedImports).toEqual(journalLost ? ['imports/erp/interrotto.csv'] : []);
      await second.waitIdle();
      const { landing, raw } = second.resources.buckets;
      const head = await second.clients.s3.send(new GetObjectCommand({ Bucket: landing, Key: 'imports/erp/interrotto.csv' }));
      const stored = await second.clients.s3.send(new GetObjectCommand({ Bucket: raw, Key: reportKey(importIdOf(landing, 'imports/erp/interrotto.csv', uploadOf({ etag: head.ETag, lastModified: head.LastModified }))) }));
      expect(JSON.parse(await stored.Body!.transformToString())).toMatchObject({ status: 'completed', accepted: 1 });
      expect(await profileOf(second.clients.dynamodb, second.resources.tableName, 'email:luca@example.it')).toBeDefined();
    } finally {
      await second.stop();
      rmSync(own, { recursive: true, force: true });
    }
  }, 240_000);
});

/** The import report is written before the resolver finishes: poll for the profile. */
async function waitForOwner(email: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const id = await owner(email);
    if (id) return id;
    if (Date.now() > deadline) throw new Error('profile not resolved in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import type { TwinInfo } from '../../local/twin.ts';
import { CDP_BIN as cdp, cdpOk } from '../support/cdp.ts';
import { profileOf } from '../support/profiles.ts';

const root = path.resolve(import.meta.dirname, '../..');
const home = mkdtempSync(path.join(tmpdir(), 'cdp-restart-'));
const env = { ...process.env, CDP_HOME: home };
const children: ChildProcess[] = [];

/** Starts `cdp up` and resolves with its ready line (JSON), once it serves. */
function up(): Promise<{ child: ChildProcess; ready: { url: string } }> {
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

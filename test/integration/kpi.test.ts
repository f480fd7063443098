/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3LakeStore } from '../../lambdas/adapters/s3-lake-store.ts';
import { KPIS } from '../../lambdas/domain/kpi/definitions.ts';
import { readParquet } from '../../lambdas/formats/parquet.ts';
import { startTwin, twinSdkEnvironment, type Twin } from '../../local/twin.ts';
import { threadScript } from '../../lambdas/shared/threads.ts';
import { partsOnThreads, writeCuratedPart } from '../../lambdas/usecases/publish-kpis.ts';
import { DynamoLakeSource } from '../../lambdas/adapters/dynamo-lake-source.ts';
import { cdpOk } from '../support/cdp.ts';

/**
 * KPIs on the twin, from holdout exports tried as a new user would: an Italian ERP (Windows-1252, `;`, provinces as
 * codes and as names), a Shopify customer export and a Mailchimp audience (no address). Each person's records share
 * their e-mail, so the true number of people per province is known exactly.
 */
const PLACES: [string, string, string][] = [
  ['Milano', 'MI', 'Milano'],
  ['Roma', 'RM', 'roma'],
  ['Napoli', 'NA', 'NA'],
  ['Torino', 'TO', 'Torino'],
  ['Forlì', 'FC', 'Forlì-Cesena'],
  ['Bari', 'BA', 'ba'],
];
const NAMES = ['Giulia Rossi', 'Marco Bianchi', 'Chiara Esposito', 'Luca Ferrari', 'Sara Romano', 'Paolo Colombo', 'Elena Ricci', 'Davide Marino', 'Anna Greco', "Niccolò D'Angelo"];

interface Person {
  email: string;
  first: string;
  last: string;
  place?: [string, string, string];
  inErp: boolean;
  inShop: boolean;
  inNews: boolean;
}

function people(n: number): Person[] {
  let x = 20261123;
  const rand = () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
  return Array.from({ length: n }, (_, i) => {
    const [first, last] = NAMES[i % NAMES.length]!.split(' ') as [string, string];
    const place = rand() < 0.85 ? PLACES[Math.floor(rand() * PLACES.length)]! : undefined;
    const inErp = place !== undefined && rand() < 0.6;
    const inShop = place !== undefined && (!inErp || rand() < 0.5);
    return { email: `${first.toLowerCase().replace(/[^a-z]/g, '')}.${i}@example.it`, first, last, ...(place ? { place } : {}), inErp, inShop, inNews: !place || rand() < 0.4 };
  });
}

const home = mkdtempSync(path.join(tmpdir(), 'cdp-kpi-'));
let twin: Twin;
const population = people(120);
const json = async (...args: string[]) => JSON.parse(await cdpOk(home, ...args, '--json'));

beforeAll(async () => {
  twin = await startTwin({ home, port: 0 });
  const erp = ['Codice cliente;Nome;Cognome;E-mail;Città;Provincia'];
  const shop = ['Customer ID,First Name,Last Name,Email,Default Address City,Default Address Province Code,Default Address Country Code,Accepts Email Marketing,Total Spent,Total Orders'];
  const news = ['"Email Address","First Name","Last Name","MEMBER_RATING","OPTIN_TIME"'];
  population.forEach((p, i) => {
    if (p.inErp) erp.push([`C${i}`, p.first.toUpperCase(), p.last.toUpperCase(), p.email, p.place![0], p.place![2]].join(';'));
    if (p.inShop) shop.push([String(9000 + i), p.first, p.last, p.email, p.place![0], p.place![1], 'IT', 'yes', '0.00', '0'].join(','));
    if (p.inNews) news.push([p.email, p.first, p.last, '2', '2025-05-01 09:00:00'].map((v) => `"${v}"`).join(','));
  });
  // The shop's order export (Italian: dd/mm/yyyy, comma decimals), for people in the shop, in the last months.
  const orders = ['Numero ordine;E-mail;Totale;Valuta;Data ordine;Stato ordine'];
  const day = (daysAgo: number) => {
    const d = new Date(Date.now() - daysAgo * 86_400_000);
    return `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()} 10:00`;
  };
  population.forEach((p, i) => {
    if (p.inShop && i % 3 === 0) orders.push([`O-${i}`, p.email, `${40 + (i % 7) * 10},50`, 'EUR', day(5 + (i % 200)), 'pagato'].join(';'));
    if (p.inShop && i % 6 === 0) orders.push([`O-${i}-b`, p.email, '19,90', 'EUR', day(2 + (i % 30)), 'pagato'].join(';'));
  });
  const files: [string, Buffer, string][] = [
    ['clienti.csv', Buffer.from(erp.join('\r\n'), 'latin1'), 'erp'],
    ['customers_export.csv', Buffer.from(shop.join('\n')), 'shopify'],
    ['members_export.csv', Buffer.from(news.join('\n')), 'newsletter'],
    ['ordini.csv', Buffer.from(orders.join('\n')), 'shop-orders'],
  ];
  for (const [name, body, source] of files) {
    writeFileSync(path.join(home, name), body);
    const report = await json('import', path.join(home, name), '--source', source);
    expect(report.rejected, name).toBe(0);
  }
  await twin.waitIdle();
}, 300_000);

afterAll(async () => {
  await twin?.stop();
  rmSync(home, { recursive: true, force: true });
});

/** How the files at `keys` number profiles: ids seen, and any id with two numbers or number with two ids. */
async function numberingOf(lake: S3LakeStore, keys: string[]): Promise<{ ids: number; clashes: string[] }> {
  const numberOf = new Map<string, number>();
  const idOf = new Map<number, string>();
  const clashes: string[] = [];
  for (const key of keys.filter((k) => /^curated\/(profiles|consents|events|orders)\//.test(k))) {
    for (const r of await readParquet((await lake.get(key))!, ['profile_id', 'profile_key'])) {
      const [id, n] = [String(r.profile_id), Number(r.profile_key)];
      if ((numberOf.get(id) ?? n) !== n || (idOf.get(n) ?? id) !== id) clashes.push(`${key}: ${id} ${n}`);
      numberOf.set(id, n);
      idOf.set(n, id);
    }
  }
  return { ids: numberOf.size, clashes };
}

describe('KPIs from holdout exports', () => {
  it('geography counts the true number of people per province, and sources names every source imported', async () => {
    const report = await json('kpi', 'refresh');
    expect(report.tables.profiles).toBe(population.length);
    const truth = new Map<string, number>();
    for (const p of population) truth.set(p.place?.[1] ?? 'unknown', (truth.get(p.place?.[1] ?? 'unknown') ?? 0) + 1);
    const geography = (await json('kpi', 'show', 'geography')) as { province: string; profiles: number; country: string }[];
    expect(new Map(geography.map((r) => [r.province, r.profiles]))).toEqual(truth);
    expect(geography.filter((r) => r.province !== 'unknown').every((r) => r.country === 'IT')).toBe(true);
    const sources = (await json('kpi', 'show', 'sources')) as { source: string; touchpoint: string; records: number }[];
    const all = sources.filter((r) => r.touchpoint === '(all)');
    expect(all.map((r) => r.source).sort()).toEqual(['erp', 'newsletter', 'shop-orders', 'shopify']);
    expect(all.find((r) => r.source === 'erp')!.records).toBe(population.filter((p) => p.inErp).length);
    expect((await json('kpi', 'list')).every((k: { latest: string | null }) => k.latest === report.snapshotDate)).toBe(true);
    // Namesakes in one town (every name here is shared by twelve people) are left apart as duplicate candidates, and
    // data quality counts them: at least the pairs of profiles `cdp duplicates list` shows (it shows each pair once).
    const listed = (await json('duplicates', 'list')) as unknown[];
    expect(listed.length).toBeGreaterThan(0);
    const quality = (await json('kpi', 'show', 'data_quality')) as { metric: string; detail: string | null; row_count: number }[];
    expect(quality.find((r) => r.metric === 'duplicate_candidates' && r.detail === 'open')?.row_count).toBeGreaterThanOrEqual(listed.length);
  }, 180_000);

  it("the Lambda's snapshot threads, each scanning part of the table, write what one pass writes", async () => {
    const lake = new S3LakeStore(twin.clients.s3, twin.resources.buckets.lake);
    const rowsOf = async (keys: string[], table: string) => {
      const ids: string[] = [];
      for (const key of keys.filter((k) => k.startsWith(`curated/${table}/`))) for (const r of await readParquet((await lake.get(key))!, ['profile_id'])) ids.push(String(r.profile_id));
      return ids.sort();
    };
    const asOf = '2031-01-01';
    const source = new DynamoLakeSource(twin.clients.dynamodb, twin.resources.tableName, twin.clients.s3, twin.resources.buckets.raw);
    const whole = await writeCuratedPart({ source, lake }, asOf);
    // Read now: the month files of events and orders are shared with the parts, which write part-00000 again.
    const wholeRows = { profiles: await rowsOf(whole.keys, 'profiles'), events: await rowsOf(whole.keys, 'events'), orders: await rowsOf(whole.keys, 'orders') };
    expect(wholeRows.profiles).toHaveLength(population.length);
    const wholeNumbering = await numberingOf(lake, whole.keys);
    expect(wholeNumbering.clashes).toEqual([]);
    expect(wholeNumbering.ids).toBe(population.length);
    // The same table numbers its profiles the same way again, so an unchanged month's file comes out byte-identical.
    const again = await writeCuratedPart({ source, lake }, asOf);
    expect(again.written).toBe(0);
    expect(again.unchanged).toBe(whole.written + whole.unchanged);
    // The thread script reads its configuration from the environment, as in Lambda.
    Object.assign(process.env, twinSdkEnvironment(twin.endpoints), { TABLE_NAME: twin.resources.tableName, RAW_BUCKET: twin.resources.buckets.raw, LAKE_BUCKET: twin.resources.buckets.lake });
    const script = threadScript('publish-kpis-part', new URL('../../lambdas/handlers/publish-kpis.ts', import.meta.url).href);
    const parts = await partsOnThreads(script, 2)(asOf);
    expect(parts).toHaveLength(2);
    expect(parts.every((p) => p.tables.profiles > 0)).toBe(true);
    for (const table of ['profiles', 'events', 'orders'] as const) {
      expect(parts[0]!.tables[table] + parts[1]!.tables[table], table).toBe(whole.tables[table]);
      expect(await rowsOf(parts.flatMap((p) => p.keys), table), table).toEqual(wholeRows[table]);
    }
    // Both runs number each profile once: the same number on its profile, consent, event and order rows, and no
    // number on two profiles, whichever thread wrote the row.
    const numbering = await numberingOf(lake, parts.flatMap((p) => p.keys));
    expect(numbering.clashes).toEqual([]);
    expect(numbering.ids).toBe(population.length);
    // The 2031 snapshot partitions written here are not the twin's: remove them.
    for (const key of new Set([...whole.keys, ...parts.flatMap((p) => p.keys)])) if (key.includes('2031-01')) await lake.delete(key);
  }, 120_000);

  it('answers a clear error for an unknown KPI', async () => {
    await expect(cdpOk(home, 'kpi', 'show', 'nope')).rejects.toThrow(/No KPI named nope; the KPIs are customer_base/);
  });

  it('an erasure removes the person from every lake file, and the next refresh no longer counts them', async () => {
    const person = population.find((p) => p.place?.[1] === 'MI' && p.inShop)!;
    const profile = (await json('profiles', 'get', '--email', person.email))[0] as { profileId: string };
    const lake = new S3LakeStore(twin.clients.s3, twin.resources.buckets.lake);
    const holding = async () => {
      const keys: string[] = [];
      for (const prefix of ['curated/', 'segments/']) {
        for await (const key of lake.list(prefix)) {
          const rows = await readParquet((await lake.get(key))!);
          if (rows.some((r) => r.profile_id === profile.profileId)) keys.push(key);
        }
      }
      return keys;
    };
    expect((await holding()).length).toBeGreaterThan(0);
    const done = await json('dsr', 'erase', '--email', person.email, '--wait');
    expect(done.status).toBe('completed');
    expect(await holding()).toEqual([]);
    await json('kpi', 'refresh');
    const geography = (await json('kpi', 'show', 'geography')) as { province: string; profiles: number }[];
    expect(geography.find((r) => r.province === 'MI')!.profiles).toBe(population.filter((p) => p.place?.[1] === 'MI').length - 1);
  }, 180_000);

  it('draws a chart per KPI (every group, the privacy requests too after the erasure) in headless Chromium, with no console errors', async () => {
    const executablePath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
    expect(executablePath, 'Debian chromium (installed by .ci/run)').toBeDefined();
    const browser = await chromium.launch({
      executablePath: executablePath!,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 2200 } });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(twin.url, { waitUntil: 'networkidle' });
      await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
      const drawn = await page.evaluate(() =>
        [...document.querySelectorAll('canvas')].map((c) => {
          const ctx = c.getContext('2d')!;
          const data = ctx.getImageData(0, 0, c.width, c.height).data;
          let painted = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
          return { id: c.id, painted, pixels: c.width * c.height };
        }),
      );
      expect(drawn.map((d) => d.id).sort()).toEqual(KPIS.map((k) => `chart-${k.name}`).sort());
      for (const d of drawn) {
        // Axes and bars, not an empty canvas.
        expect(d.painted, d.id).toBeGreaterThan(d.pixels * 0.01);
      }
      const groups = await page.$$eval('section.kpi h2', (hs) => [...new Set(hs.map((h) => h.textContent))]);
      expect(groups.length).toBe(new Set(KPIS.map((k) => k.group)).size);
      const shot = await page.screenshot({ fullPage: true });
      // Kept for people to look at after the run.
      writeFileSync(path.join(tmpdir(), 'cdp-dashboard.png'), shot);
      expect(shot.length).toBeGreaterThan(50_000);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});

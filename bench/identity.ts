import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DuckDBInstance } from '@duckdb/node-api';
import { parse } from 'csv-parse/sync';
import { DynamoProfileStore } from '../lambdas/adapters/dynamo-profile-store.ts';
import { CapacityMeter } from './capacity.ts';
import type { CanonicalRecord, Identifier } from '../lambdas/domain/canonical.ts';
import { parseIdentityConfig } from '../lambdas/domain/identity-config.ts';
import { resolveRecord } from '../lambdas/usecases/resolve-record.ts';
import { exportProfiles } from '../lambdas/usecases/read-profiles.ts';
import { startDynamoDb } from '../local/engines/dynamodb.ts';
import { createTable } from '../local/resources.ts';
import type { Benchmark, Figure } from './types.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const DATA = path.resolve(ROOT, '..', 'shared', 'benchmarks', 'identity');
const WORKERS = Number(process.env.BENCH_IDENTITY_WORKERS ?? 8);

/** Splink's documented example models on a 2-core machine (../shared/benchmarks/identity/README.md). */
export const REFERENCE: Record<string, { f1: number; precision: number; recall: number; seconds: number }> = {
  febrl3: { f1: 0.9954, precision: 0.998, recall: 0.993, seconds: 4.5 },
  febrl4: { f1: 0.9997, precision: 0.9998, recall: 0.9996, seconds: 7.2 },
  fake_1000: { f1: 0.838, precision: 0.9, recall: 0.78, seconds: 2.9 },
  historical_50k: { f1: 0.767, precision: 0.935, recall: 0.649, seconds: 15 },
};

interface Dataset {
  readonly name: string;
  readonly records: CanonicalRecord[];
  /** recordId -> true cluster */
  readonly truth: Map<string, string>;
  /** recordId -> side, when only cross-side pairs count (FEBRL4). */
  readonly side?: Map<string, string>;
}

const at = '2026-01-01T00:00:00.000Z';
function record(source: string, id: string, identifiers: Identifier[], person: CanonicalRecord['person'], address?: CanonicalRecord['address']): CanonicalRecord {
  return {
    recordId: `${source}-${id}`,
    source,
    channel: 'file',
    kind: 'contact',
    occurredAt: at,
    receivedAt: at,
    lineage: { objectKey: `bench/${source}`, recordKey: id },
    identifiers,
    ...(person ? { person } : {}),
    ...(address ? { address } : {}),
  };
}

const isoDob = (raw: string | undefined): string | undefined => {
  const s = (raw ?? '').trim();
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(s);
  if (!m) return undefined;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  return d.getUTCMonth() === +m[2]! - 1 ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
};
const clean = (s: string | undefined) => (s ?? '').trim() || undefined;

function febrl(file: string, source: string): { records: CanonicalRecord[]; truth: Map<string, string> } {
  const rows = parse(readFileSync(file), { columns: (h: string[]) => h.map((x) => x.trim()), trim: true }) as Record<string, string>[];
  const truth = new Map<string, string>();
  const records = rows.map((r) => {
    const id = r.rec_id!;
    const rec = record(
      source,
      id,
      r.soc_sec_id ? [{ type: 'externalId', value: r.soc_sec_id, namespace: 'ssn' }] : [],
      { firstName: clean(r.given_name), lastName: clean(r.surname), birthDate: isoDob(r.date_of_birth) },
      { line1: clean(`${r.street_number ?? ''} ${r.address_1 ?? ''}`), line2: clean(r.address_2), city: clean(r.suburb), postalCode: clean(r.postcode), region: clean(r.state), country: 'AU' },
    );
    truth.set(rec.recordId, /^rec-(\d+)-/.exec(id)![1]!);
    return rec;
  });
  return { records, truth };
}

export async function load(name: string): Promise<Dataset> {
  if (name === 'febrl3') return { name, ...febrl(path.join(DATA, 'febrl3', 'dataset3.csv'), 'febrl3') };
  if (name === 'febrl4') {
    const a = febrl(path.join(DATA, 'febrl4', 'dataset4a.csv'), 'a');
    const b = febrl(path.join(DATA, 'febrl4', 'dataset4b.csv'), 'b');
    const side = new Map([...a.records.map((r) => [r.recordId, 'a'] as const), ...b.records.map((r) => [r.recordId, 'b'] as const)]);
    return { name, records: [...a.records, ...b.records], truth: new Map([...a.truth, ...b.truth]), side };
  }
  if (name === 'fake_1000') {
    const rows = parse(readFileSync(path.join(DATA, 'splink_fake_1000', 'fake_1000.csv')), { columns: true }) as Record<string, string>[];
    const truth = new Map<string, string>();
    const records = rows.map((r) => {
      const email = clean(r.email)?.toLowerCase();
      const rec = record('fake', r.unique_id!, email ? [{ type: 'email', value: email }] : [], { firstName: clean(r.first_name), lastName: clean(r.surname), birthDate: isoDob(r.dob) }, r.city ? { city: r.city } : undefined);
      truth.set(rec.recordId, r.cluster!);
      return rec;
    });
    return { name, records, truth };
  }
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const rows = (await c.runAndReadAll(`select * from '${path.join(DATA, 'splink_historical_50k', 'historical_figures_with_errors_50k.parquet')}'`)).getRowObjectsJson() as Record<string, string | null>[];
  c.closeSync();
  const truth = new Map<string, string>();
  const records = rows.map((r) => {
    const rec = record('hist', String(r.unique_id), [], { firstName: clean(r.first_name ?? undefined), lastName: clean(r.surname ?? undefined), birthDate: isoDob(r.dob ?? undefined), gender: clean(r.gender ?? undefined) }, r.postcode_fake || r.birth_place ? { ...(r.postcode_fake ? { postalCode: r.postcode_fake } : {}), ...(r.birth_place ? { city: r.birth_place } : {}), country: 'GB' } : undefined);
    truth.set(rec.recordId, String(r.cluster));
    return rec;
  });
  return { name, records, truth };
}

const pairs = (n: number) => (n * (n - 1)) / 2;

/** Pairwise precision/recall/F1 (cross-side only where sides are given), B-cubed F1, and cluster count. */
export function score(ds: Dataset, predicted: Map<string, string>) {
  const cell = new Map<string, Map<string, number>>();
  const byPred = new Map<string, string[]>();
  for (const [r, p] of predicted) byPred.set(p, [...(byPred.get(p) ?? []), r]);
  let tp = 0;
  let pred = 0;
  let truePairs = 0;
  if (ds.side) {
    const count = (groups: Iterable<string[]>) => {
      let n = 0;
      for (const g of groups) {
        const a = g.filter((r) => ds.side!.get(r) === 'a').length;
        n += a * (g.length - a);
      }
      return n;
    };
    const byTruth = new Map<string, string[]>();
    for (const [r, t] of ds.truth) byTruth.set(t, [...(byTruth.get(t) ?? []), r]);
    const cells = new Map<string, string[]>();
    for (const [r, p] of predicted) {
      const k = `${p}|${ds.truth.get(r)}`;
      cells.set(k, [...(cells.get(k) ?? []), r]);
    }
    tp = count(cells.values());
    pred = count(byPred.values());
    truePairs = count(byTruth.values());
  } else {
    for (const [r, p] of predicted) {
      const t = ds.truth.get(r)!;
      const m = cell.get(p) ?? new Map<string, number>();
      m.set(t, (m.get(t) ?? 0) + 1);
      cell.set(p, m);
    }
    for (const m of cell.values()) for (const n of m.values()) tp += pairs(n);
    for (const g of byPred.values()) pred += pairs(g.length);
    const sizes = new Map<string, number>();
    for (const t of ds.truth.values()) sizes.set(t, (sizes.get(t) ?? 0) + 1);
    for (const n of sizes.values()) truePairs += pairs(n);
  }
  const precision = pred === 0 ? 1 : tp / pred;
  const recall = truePairs === 0 ? 1 : tp / truePairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  // B-cubed over all records.
  const truthSize = new Map<string, number>();
  for (const t of ds.truth.values()) truthSize.set(t, (truthSize.get(t) ?? 0) + 1);
  let bp = 0;
  let br = 0;
  for (const [, members] of byPred) {
    const counts = new Map<string, number>();
    for (const r of members) counts.set(ds.truth.get(r)!, (counts.get(ds.truth.get(r)!) ?? 0) + 1);
    for (const r of members) {
      const same = counts.get(ds.truth.get(r)!)!;
      bp += same / members.length;
      br += same / truthSize.get(ds.truth.get(r)!)!;
    }
  }
  const n = predicted.size;
  const bcubed = (2 * (bp / n) * (br / n)) / (bp / n + br / n);
  return { precision, recall, f1, bcubed, clusters: byPred.size };
}

/** Units by the store method that spent them (`method` -> read and write units), over every set run. */
const byMethod = new Map<string, { read: number; write: number }>();
const calling = new AsyncLocalStorage<string>();
const spend = (billed: { read: number; write: number }) => {
  const m = byMethod.get(calling.getStore() ?? 'other') ?? { read: 0, write: 0 };
  m.read += billed.read;
  m.write += billed.write;
  byMethod.set(calling.getStore() ?? 'other', m);
};

/** The store, each method call named for the capacity it spends (the outermost method call owns what it calls). */
function attributed(store: DynamoProfileStore): DynamoProfileStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]) => (calling.getStore() ? value.apply(target, args) : calling.run(prop, () => value.apply(target, args)));
    },
  });
}

async function run(ds: Dataset, endpoint: string, table: string) {
  const client = new DynamoDBClient({ endpoint, region: 'eu-south-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  // Capacity per request, as DynamoDB would bill it (bench/capacity.ts), by the store method that sent it.
  const meter = new CapacityMeter();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      try {
        const out = await next(args);
        const billed = meter.bill(context.commandName ?? '', input, out.output as unknown as Record<string, unknown>);
        spend(billed);
        return out;
      } catch (e) {
        // A write whose condition failed (or a cancelled transaction) is billed all the same.
        spend(meter.bill(context.commandName ?? '', input));
        throw e;
      }
    },
    { step: 'initialize', name: 'billedCapacity' },
  );
  await createTable(client, table);
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const store = attributed(new DynamoProfileStore(doc, table));
  const config = parseIdentityConfig(JSON.parse(readFileSync(path.join(ROOT, 'config', 'identity.json'), 'utf8')));
  const queue = [...ds.records];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      for (let r = queue.shift(); r; r = queue.shift()) await resolveRecord(store, r, config);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const capacity = { read: meter.read, write: meter.write };
  // Predicted clusters, read back the way `cdp profiles export` does.
  const predicted = new Map<string, string>();
  for await (const { view, lineage } of exportProfiles(store, config)) {
    for (const l of lineage) predicted.set(`${l.source}-${l.recordKey}`, view.profileId);
  }
  return { seconds, capacity, predicted };
}

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

export const identityBench: Benchmark = {
  name: 'identity',
  description: `FEBRL3, FEBRL4, fake_1000, historical_50k through the resolver on DynamoDB Local (${WORKERS} concurrent resolvers), read back like \`cdp profiles export\`, beside Splink's reference figures`,
  async run(): Promise<Figure[]> {
    const sets = (process.env.BENCH_IDENTITY_SETS ?? 'febrl3,febrl4,fake_1000,historical_50k').split(',');
    const dir = mkdtempSync(path.join(tmpdir(), 'cdp-identity-bench-'));
    const engine = await startDynamoDb(dir);
    const figures: Figure[] = [];
    let totalRecords = 0;
    let totalRead = 0;
    let totalWrite = 0;
    try {
      for (const name of sets) {
        const ds = await load(name);
        const { seconds, capacity, predicted } = await run(ds, engine.endpoint, `bench-${name}`);
        const missing = ds.records.filter((r) => !predicted.has(r.recordId)).length;
        if (missing > 0) throw new Error(`${name}: ${missing} records in no profile`);
        const s = score(ds, predicted);
        const ref = REFERENCE[name]!;
        totalRecords += ds.records.length;
        totalRead += capacity.read;
        totalWrite += capacity.write;
        figures.push(
          { name: `${name}.precision`, value: round(s.precision), baseline: ref.precision, unit: '', target: '≥ 0.995', ok: s.precision >= 0.995 },
          { name: `${name}.recall`, value: round(s.recall), baseline: ref.recall, unit: '' },
          { name: `${name}.f1`, value: round(s.f1), baseline: ref.f1, unit: '', ratio: round(s.f1 / ref.f1, 3), target: '≥ Splink', ok: s.f1 >= ref.f1 },
          { name: `${name}.bcubedF1`, value: round(s.bcubed), unit: '' },
          { name: `${name}.profiles`, value: s.clusters, baseline: new Set(ds.truth.values()).size, unit: 'profiles' },
          {
            name: `${name}.wallSeconds`,
            value: round(seconds, 1),
            baseline: ref.seconds,
            unit: 's',
            ratio: round(seconds / ref.seconds, 2),
            ...(name === 'historical_50k' ? { target: '≤ 2× Splink', ok: seconds <= 2 * ref.seconds } : {}),
          },
        );
      }
      figures.push(
        { name: 'all.writeUnitsPerRecord', value: round(totalWrite / totalRecords, 2), unit: 'WCU', target: '≤ 5', ok: totalWrite / totalRecords <= 5 },
        { name: 'all.readUnitsPerRecord', value: round(totalRead / totalRecords, 2), unit: 'RCU', target: '≤ 4', ok: totalRead / totalRecords <= 4 },
      );
      // Where the units went: the store methods that spent the most, per record.
      const top = (kind: 'read' | 'write') => [...byMethod].filter(([, u]) => u[kind] > 0).sort((a, b) => b[1][kind] - a[1][kind]).slice(0, 6);
      for (const [method, u] of top('write')) figures.push({ name: `all.writeUnitsPerRecord.${method}`, value: round(u.write / totalRecords, 2), unit: 'WCU' });
      for (const [method, u] of top('read')) figures.push({ name: `all.readUnitsPerRecord.${method}`, value: round(u.read / totalRecords, 2), unit: 'RCU' });
    } finally {
      await engine.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    return figures;
  },
};

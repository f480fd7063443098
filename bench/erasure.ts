import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoProfileStore } from '../lambdas/adapters/dynamo-profile-store.ts';
import { DynamoRequestLog, DynamoSuppressionList } from '../lambdas/adapters/privacy-stores.ts';
import { S3Vault } from '../lambdas/adapters/s3-vault.ts';
import { DEFAULT_IDENTITY_CONFIG } from '../lambdas/domain/identity-config.ts';
import { rowMentionsSubject, subjectValues } from '../lambdas/domain/privacy/subject.ts';
import { rewriteWithout } from '../lambdas/formats/rewrite.ts';
import type { ObjectVault, PrivacyWork } from '../lambdas/ports/privacy.ts';
import { processWork, submitRequest } from '../lambdas/usecases/privacy.ts';
import { resolveRecord } from '../lambdas/usecases/resolve-record.ts';
import { startDynamoDb } from '../local/engines/dynamodb.ts';
import { startS3 } from '../local/engines/s3.ts';
import { createBuckets, createTable } from '../local/resources.ts';
import { twinSdkEnvironment } from '../local/twin.ts';
import type { Benchmark, Figure } from './types.ts';

const FILES = Number(process.env.BENCH_ERASURE_FILES ?? 1000);
const HOLDING = Number(process.env.BENCH_ERASURE_HOLDING ?? 20);
const ROWS = Number(process.env.BENCH_ERASURE_ROWS ?? 200);
const SUBJECT = 'giovanna.marchetti@example.it';

/** An ERP-style export of ROWS people; the files in `holding` have the subject at line `subjectLine`. */
function exportFile(i: number, subjectLine: number | undefined): string {
  const lines = ['Codice;Nome;Cognome;E-mail;Cellulare;Città'];
  for (let r = 2; r <= ROWS + 1; r++) {
    if (r === subjectLine) lines.push(`G${i};Giovanna;Marchetti;${SUBJECT};;Ancona`);
    else lines.push(`C${i}-${r};Persona;Numero${r};p${i}.${r}@example.it;3${String(i * 1000 + r).padStart(9, '0')};Ancona`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Counts the objects read and rewritten in the landing bucket. */
function counting(vault: ObjectVault, landing: string) {
  const counts = { read: 0, rewritten: 0 };
  const wrapped: ObjectVault = Object.assign(Object.create(vault) as ObjectVault, {
    get: (b: string, k: string) => {
      if (b === landing) counts.read++;
      return vault.get(b, k);
    },
    replace: (...a: Parameters<ObjectVault['replace']>) => {
      if (a[0] === landing) counts.rewritten++;
      return vault.replace(...a);
    },
  });
  return { vault: wrapped, counts };
}

export const erasureBench: Benchmark = {
  name: 'erasure',
  description: `erase one subject from a landing bucket of ${FILES} exports (${HOLDING} hold the subject) through lineage, beside a full scan of every file, on DynamoDB Local and s3rver`,
  async run(): Promise<Figure[]> {
    const dir = mkdtempSync(path.join(tmpdir(), 'cdp-bench-erasure-'));
    const [ddb, s3e] = await Promise.all([startDynamoDb(path.join(dir, 'ddb')), startS3(path.join(dir, 's3'))]);
    try {
      Object.assign(process.env, twinSdkEnvironment({ dynamodb: ddb.endpoint, s3: s3e.endpoint, sqs: 'http://127.0.0.1:1' }));
      const dynamodb = new DynamoDBClient({});
      const s3 = new S3Client({});
      const tableName = await createTable(dynamodb, 'bench-erasure');
      const buckets = await createBuckets(s3);
      const store = new DynamoProfileStore(DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }), tableName);

      // The bucket: FILES exports; every (FILES/HOLDING)th one holds the subject, whose record is resolved with its lineage.
      const step = Math.floor(FILES / HOLDING);
      for (let i = 0; i < FILES; i += 20) {
        await Promise.all(
          Array.from({ length: Math.min(20, FILES - i) }, async (_x, j) => {
            const f = i + j;
            const holds = f % step === 0 && f / step < HOLDING;
            const line = holds ? 2 + (f % ROWS) : undefined;
            const key = `imports/erp/export-${String(f).padStart(4, '0')}.csv`;
            await s3.send(new PutObjectCommand({ Bucket: buckets.landing, Key: key, Body: exportFile(f, line) }));
            if (holds) {
              await resolveRecord(
                store,
                {
                  recordId: `bench-${f}`,
                  source: 'erp',
                  channel: 'file',
                  kind: 'contact',
                  occurredAt: new Date(Date.UTC(2026, 0, 1, 0, f)).toISOString(),
                  receivedAt: '2026-02-01T00:00:00.000Z',
                  lineage: { objectKey: key, importId: `imp_${f}`, recordKey: `G${f}`, line: line! },
                  identifiers: [{ type: 'email', value: SUBJECT }],
                  person: { firstName: 'Giovanna', lastName: 'Marchetti' },
                },
                DEFAULT_IDENTITY_CONFIG,
              );
            }
          }),
        );
      }

      // Baseline: a tool without lineage reads every export and rewrites the ones holding the subject.
      const subject = subjectValues([`email:${SUBJECT}`]);
      const plain = new S3Vault(s3);
      const scan = counting(plain, buckets.landing);
      let t = performance.now();
      let scanned = 0;
      for await (const { key } of plain.list(buckets.landing, 'imports/')) {
        const obj = await scan.vault.get(buckets.landing, key);
        scanned++;
        await rewriteWithout(obj!.bytes, key, (row) => rowMentionsSubject(row.cells, subject)); // decided, not written
      }
      const scanMs = performance.now() - t;

      // The product: the subject's lineage names the objects; only those are read and rewritten.
      const sent: PrivacyWork[] = [];
      const measured = counting(plain, buckets.landing);
      const deps = {
        log: new DynamoRequestLog(dynamodb, tableName),
        suppression: new DynamoSuppressionList(dynamodb, tableName),
        salt: { get: async () => 'bench-salt' },
        work: { send: async (m: PrivacyWork) => void sent.push(m) },
        profiles: store,
        config: DEFAULT_IDENTITY_CONFIG,
        vault: measured.vault,
        buckets: { landing: buckets.landing, raw: buckets.raw, exports: buckets.exports },
        now: () => new Date(),
      };
      const { requestId } = await submitRequest(deps, { type: 'erasure', email: SUBJECT, requester: 'bench', origin: 'bench' });
      t = performance.now();
      const state = await processWork(deps, sent.find((w) => w.requestId === requestId)!);
      const eraseMs = performance.now() - t;
      if (state?.status !== 'completed') throw new Error(`erasure ended ${state?.status}`);
      const rewritten = (state.evidence!.filesRewritten as unknown[]).length;

      return [
        { name: 'landing objects read', value: measured.counts.read, unit: 'objects', baseline: scanned, ratio: round(measured.counts.read / scanned), target: `only the ${HOLDING} holding the subject`, ok: measured.counts.read === HOLDING },
        { name: 'landing objects rewritten', value: measured.counts.rewritten, unit: 'objects', target: `${HOLDING}`, ok: measured.counts.rewritten === HOLDING && rewritten === HOLDING },
        { name: 'erasure wall time', value: Math.round(eraseMs), unit: 'ms', baseline: Math.round(scanMs), ratio: round(eraseMs / scanMs), target: 'below the full scan', ok: eraseMs < scanMs },
      ];
    } finally {
      await Promise.all([ddb.stop(), s3e.stop()]);
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

const round = (x: number) => Math.round(x * 1000) / 1000;

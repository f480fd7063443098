/**
 * One measured run in its own process (so peak RSS is its own): `baseline` parses the file with bare csv-parse;
 * `import` runs the product's whole import stage on it: read, detect, decode, parse, map, clean, pack into SQS
 * requests (the real SqsRecordQueue; only the SQS client's transport is replaced by a counter).
 */
import { createReadStream, statSync } from 'node:fs';
import { parse } from 'csv-parse';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SqsContinuationQueue, SqsRecordQueue } from '../lambdas/adapters/sqs-record-queue.ts';
import type { ObjectHead, ObjectStore } from '../lambdas/ports/index.ts';
import { importObject } from '../lambdas/usecases/import-file.ts';

const [mode, file] = process.argv.slice(2) as ['baseline' | 'import', string];

async function baseline(): Promise<number> {
  let rows = 0;
  for await (const _r of createReadStream(file).pipe(parse({ delimiter: ';' }))) rows++;
  return rows - 1;
}

async function runImport(): Promise<{ rows: number; accepted: number; requests: number; bytesSent: number }> {
  let requests = 0;
  let bytesSent = 0;
  const sqs = {
    send: async (cmd: { input: { Entries?: { MessageBody?: string }[] } }) => {
      requests++;
      for (const e of cmd.input.Entries ?? []) bytesSent += Buffer.byteLength(e.MessageBody ?? '');
      return { Successful: [], Failed: [] };
    },
  } as unknown as SQSClient;
  const objects: ObjectStore = {
    async getStream(_b, _k, o = {}): Promise<ObjectHead> {
      return { body: createReadStream(file, { start: o.range ?? 0, highWaterMark: 256 * 1024 }), etag: `"${statSync(file).mtimeMs}"` };
    },
    getText: async () => undefined,
    put: async () => undefined,
  };
  const outcome = await importObject(
    {
      objects,
      queue: new SqsRecordQueue(sqs, 'bench'),
      continuations: new SqsContinuationQueue(sqs, 'bench'),
      rawBucket: 'raw',
      now: () => new Date(),
      remainingMs: () => Number.POSITIVE_INFINITY,
    },
    'landing',
    'imports/erp/export.csv',
  );
  if (!outcome.done) throw new Error('unexpected checkpoint');
  const r = outcome.report;
  if (r.rowsRead !== r.accepted + r.rejected + r.suppressed) throw new Error('import did not reconcile');
  return { rows: r.rowsRead, accepted: r.accepted, requests, bytesSent };
}

const started = performance.now();
const result = mode === 'baseline' ? { rows: await baseline() } : await runImport();
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  JSON.stringify({ ...result, seconds, rowsPerSecond: result.rows / seconds, peakRssMB: process.resourceUsage().maxRSS / 1024 }),
);

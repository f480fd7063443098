import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Target } from '../cli/target.ts';
import { type FunctionName, functions, LANDING_IMPORT_PREFIX, type QueueName, routes as apiRouteDefinitions } from '../lib/definitions.ts';
import { SALT_ENV } from '../lambdas/adapters/privacy-stores.ts';
import { S3LakeStore } from '../lambdas/adapters/s3-lake-store.ts';
import { ERASURE_REWRITE_MARKER, type FileEvent, importIdOf, importJobsOf, reportKey, uploadOf } from '../lambdas/usecases/import-keys.ts';
import { type ApiHandler, compileRoute, localToken, serveRoute } from './api.ts';
import { type ConfigChange, followConfig } from './config-watch.ts';
import { type QueryEngine, startDuckDb } from './engines/duckdb.ts';
import { type Engine, startDynamoDb } from './engines/dynamodb.ts';
import { type S3EventRecord, startS3 } from './engines/s3.ts';
import { startSqs } from './engines/sqs.ts';
import { dashboardRoutes } from './dashboard.ts';
import { type Route, sendJson, startHttp } from './http.ts';
import { publishLocally } from './kpi.ts';
import { QueuePoller, type SqsHandler } from './poller.ts';
import { createBuckets, createQueues, createTable, type LocalResources, type QueueOverrides, resourceEnvironment } from './resources.ts';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const LOCAL_REGION = 'eu-south-1';

export interface TwinOptions {
  /** State directory (DynamoDB Local's files, s3rver's files). */
  readonly home: string;
  /** HTTP API port; 0 picks a free one. */
  readonly port?: number;
  /** Concurrent invocations per function (bounded by each definition's maxConcurrency). */
  readonly concurrency?: Partial<Record<FunctionName, number>>;
  /** Told of every invocation's outcome (counts only). */
  readonly onInvocation?: (o: { name: string; received: number; failed: number; error?: Error }) => void;
  /**
   * Queue settings that differ from the definitions' (a fault-injection run shortens visibility timeouts so that
   * redeliveries happen within seconds, not the production minutes).
   */
  readonly queues?: QueueOverrides;
  /** Wraps every function handler the twin invokes (fault injection: crashes, per-invocation context). */
  readonly wrap?: HandlerWrapper;
  /** Where the webhook sources' files are (default the project's config/sources). */
  readonly sourcesDir?: string;
  /** Told when the secrets file or the source files change while the twin runs (counts and source names only). */
  readonly onConfigChange?: (change: ConfigChange) => void;
}

/** Wraps a handler of the named function; must keep its signature. */
export type HandlerWrapper = <H extends (...args: never[]) => Promise<unknown>>(name: FunctionName, handler: H) => H;

export interface TwinInfo {
  readonly pid: number;
  readonly url: string;
  readonly home: string;
  readonly region: string;
  readonly endpoints: { readonly dynamodb: string; readonly s3: string; readonly sqs: string };
  readonly resources: LocalResources;
  /** Engine processes, so a restart after a kill can stop orphans. */
  readonly enginePids: readonly number[];
  /**
   * Landing objects whose import had not finished when the twin last stopped and whose notification was not in the
   * queue, notified again on this start.
   */
  readonly resumedImports: readonly string[];
  /** Messages per queue that the twin's queues held when it last stopped (or was killed), queued again on this start. */
  readonly requeued: Readonly<Partial<Record<QueueName | `${QueueName}Dlq`, number>>>;
}

export interface Twin extends TwinInfo {
  readonly clients: { readonly s3: S3Client; readonly sqs: SQSClient; readonly dynamodb: DynamoDBClient };
  readonly query: QueryEngine;
  /** The twin as a command target (what `cdp` commands act on). */
  readonly target: Target;
  /** Resolves when every queue is empty and no function is running (or rejects after the timeout). */
  waitIdle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** The standard AWS SDK settings that point every client in this process at the twin's engines. */
export function twinSdkEnvironment(endpoints: TwinInfo['endpoints']): Record<string, string> {
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    // s3rver corrupts streamed uploads when the SDK adds its default checksums.
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
  };
}

export const twinInfoPath = (home: string): string => path.join(home, 'twin.json');

/**
 * Handlers keep their SDK clients across invocations, as in Lambda; a twin started again in the same process (tests)
 * has new engine ports, so each start loads its own instances of the handler modules.
 */
let starts = 0;
const handlerUrl = (entry: string, start: number): string => `${pathToFileURL(path.join(PROJECT_ROOT, entry)).href}?twin=${start}`;

/**
 * Starts the local twin: the real engines, the resources of the shared definitions, the unchanged handlers behind a
 * poller per event source, S3 notifications, and the HTTP API.
 */
export async function startTwin(options: TwinOptions): Promise<Twin> {
  const home = path.resolve(options.home);
  mkdirSync(home, { recursive: true });
  const start = ++starts;
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const [dynamo, s3, sqsEngine, query] = await Promise.all([
      startDynamoDb(path.join(home, 'dynamodb')),
      startS3(path.join(home, 's3')),
      startSqs(LOCAL_REGION, { journalDir: path.join(home, 'sqs') }),
      startDuckDb(),
    ]);
    stops.push(...([dynamo, s3, sqsEngine, query] as (Engine | QueryEngine)[]).map((e) => () => e.stop()));
    const endpoints = { dynamodb: dynamo.endpoint, s3: s3.endpoint, sqs: sqsEngine.endpoint };
    Object.assign(process.env, twinSdkEnvironment(endpoints));

    const clients = { s3: new S3Client({}), sqs: new SQSClient({}), dynamodb: new DynamoDBClient({}) };
    const [tableName, bucketNames, queueSet] = await Promise.all([
      createTable(clients.dynamodb),
      createBuckets(clients.s3),
      createQueues(clients.sqs, options.queues),
    ]);
    const resources: LocalResources = { tableName, buckets: bucketNames, ...queueSet };
    // What the queues held when the twin last stopped, or was killed, is queued again before any function polls.
    const requeued = sqsEngine.restore();
    Object.assign(process.env, resourceEnvironment(resources));

    // Source files and webhook secrets: read now, and followed while the twin runs (as the stack follows its own).
    // A changed source file is copied at once: the webhook function keeps it a second, not the stack's minute.
    process.env.SOURCE_FILE_CACHE_SECONDS ??= '1';
    const sourcesDir = options.sourcesDir ?? path.join(PROJECT_ROOT, 'config', 'sources');
    stops.push(await followConfig({ home, sourcesDir, s3: clients.s3, landing: resources.buckets.landing, onChange: options.onConfigChange }));
    // The privacy functions' salt (Secrets Manager in AWS) and where access bundles are handed over (presigned links
    // in AWS): both under CDP_HOME.
    process.env[SALT_ENV] = localPrivacySalt(home);
    process.env.CDP_BUNDLE_DIR = path.join(home, 'exports');

    // Bucket notifications: landing ObjectCreated under imports/ -> file-events queue, as the stack configures.
    const pendingNotifications = new Set<Promise<unknown>>();
    const notify = (record: S3EventRecord): void => {
      const encoded = {
        ...record,
        s3: { ...record.s3, object: { ...record.s3.object, key: encodeS3Key(record.s3.object.key) } },
      };
      const p = clients.sqs
        .send(
          new SendMessageCommand({
            QueueUrl: resources.queueUrls.fileEvents,
            MessageBody: JSON.stringify({ Records: [encoded] }),
          }),
        )
        .finally(() => pendingNotifications.delete(p));
      pendingNotifications.add(p);
    };
    s3.onEvent((record: S3EventRecord) => {
      if (record.s3.bucket.name !== resources.buckets.landing) return;
      if (!record.eventName.startsWith('ObjectCreated') || !record.s3.object.key.startsWith(LANDING_IMPORT_PREFIX))
        return;
      notify(record);
    });

    const wrap: HandlerWrapper = options.wrap ?? ((_name, h) => h);
    const pollers: QueuePoller[] = [];
    for (const [name, def] of Object.entries(functions) as [FunctionName, (typeof functions)[FunctionName]][]) {
      if (!def.source) continue;
      const mod = (await import(handlerUrl(def.entry, start))) as { handler: SqsHandler };
      const queueArn = await queueArnOf(clients.sqs, resources.queueUrls[def.source.queue]);
      const poller = new QueuePoller({
        name,
        sqs: clients.sqs,
        queueUrl: resources.queueUrls[def.source.queue],
        queueArn,
        region: LOCAL_REGION,
        handler: wrap(name, mod.handler),
        batchSize: def.source.batchSize,
        maxBatchingWindowSeconds: def.source.maxBatchingWindowSeconds,
        concurrency: Math.max(1, Math.min(def.source.maxConcurrency ?? 2, options.concurrency?.[name] ?? 2)),
        timeoutSeconds: def.timeoutSeconds,
        onInvocation: options.onInvocation,
      });
      poller.start();
      pollers.push(poller);
    }
    stops.push(async () => {
      await Promise.all(pollers.map((p) => p.stop()));
    });

    // An export whose import never finished and that no requeued message imports (the twin was killed between the
    // upload and the notification) is notified again.
    const queuedImports = new Set(
      requeued
        .filter((m) => m.queue === queueNameOf(resources.queueUrls.fileEvents))
        .flatMap((m) => queuedImportKeys(m.body, resources.buckets.landing)),
    );
    const resumedImports = (await unfinishedImports(clients.s3, resources.buckets.landing, resources.buckets.raw)).filter(
      (key) => !queuedImports.has(key),
    );
    for (const key of resumedImports) {
      notify({ eventName: 'ObjectCreated:Put', s3: { bucket: { name: resources.buckets.landing }, object: { key } } });
    }

    const routes: Record<string, Route> = {
      'GET /health': (_req, res) =>
        sendJson(res, 200, { status: 'ok', engines: { dynamodb: 'up', s3: 'up', sqs: 'up', duckdb: 'up' } }),
      ...dashboardRoutes(new S3LakeStore(clients.s3, resources.buckets.lake)),
    };
    // EventBridge's daily schedule of the KPI publisher.
    const daily = setInterval(() => {
      publishLocally({ ...clients, tableName, buckets: bucketNames }, home).catch(() => undefined);
    }, 24 * 3600 * 1000);
    daily.unref();
    stops.push(async () => clearInterval(daily));
    // The HTTP API's routes, from the same definitions as the stack, on the unchanged handlers.
    const token = localToken(home);
    const apiRoutes: ReturnType<typeof compileRoute>[] = [];
    for (const route of apiRouteDefinitions) {
      const mod = (await import(handlerUrl(functions[route.function].entry, start))) as { handler: ApiHandler };
      apiRoutes.push(compileRoute(route, wrap(route.function, mod.handler)));
    }
    const http = await startHttp(options.port ?? 0, routes, (req, res, url) => serveRoute(req, res, url, apiRoutes, token));
    stops.push(() => closeServer(http.server));

    const info: TwinInfo = {
      pid: process.pid,
      url: `http://127.0.0.1:${http.port}`,
      home,
      region: LOCAL_REGION,
      endpoints,
      resources,
      enginePids: [dynamo.pid, s3.pid].filter((p): p is number => typeof p === 'number'),
      resumedImports,
      requeued: countByQueue(requeued.map((m) => m.queue), resources),
    };
    writeFileSync(twinInfoPath(home), JSON.stringify(info, null, 2));
    stops.unshift(async () => rmSync(twinInfoPath(home), { force: true }));

    const queueDepth = async (q: QueueName): Promise<number> => {
      const res = await clients.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: resources.queueUrls[q],
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return (
        Number(res.Attributes?.ApproximateNumberOfMessages ?? 0) +
        Number(res.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
      );
    };

    return {
      ...info,
      clients,
      query,
      target: {
        kind: 'local',
        description: `local twin at ${info.url}`,
        ...clients,
        tableName,
        buckets: bucketNames,
        queueUrls: queueSet.queueUrls,
        dlqUrls: queueSet.dlqUrls,
        apiUrl: info.url,
        webhookSecrets: { home },
        privacySalt: { home },
      },
      async waitIdle(timeoutMs = 120_000) {
        const deadline = Date.now() + timeoutMs;
        let quietRounds = 0;
        while (quietRounds < 3) {
          if (Date.now() > deadline) throw new Error(`twin still busy after ${timeoutMs} ms`);
          await Promise.all(pendingNotifications);
          const depths = await Promise.all((Object.keys(resources.queueUrls) as QueueName[]).map(queueDepth));
          const busy = depths.some((d) => d > 0) || pollers.some((p) => !p.idle) || pendingNotifications.size > 0;
          quietRounds = busy ? 0 : quietRounds + 1;
          await new Promise((r) => setTimeout(r, 100));
        }
      },
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

/**
 * Exports under imports/ in the landing bucket that have no import report: their import was under way, or still
 * queued, when the twin stopped. An erasure's rewrite of an export is no new import (it is never reported).
 */
async function unfinishedImports(s3: S3Client, landing: string, raw: string): Promise<string[]> {
  const keys: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: landing, Prefix: LANDING_IMPORT_PREFIX, ContinuationToken }));
    for (const o of page.Contents ?? []) {
      if (!o.Key || (await exists(s3, raw, reportKey(importIdOf(landing, o.Key, uploadOf({ etag: o.ETag, lastModified: o.LastModified })))))) continue;
      // Twins before decision 66 named an import by the export's ETag alone: its report says that import finished.
      if (await exists(s3, raw, reportKey(importIdOf(landing, o.Key, o.ETag)))) continue;
      const head = await s3.send(new HeadObjectCommand({ Bucket: landing, Key: o.Key }));
      if (!head.Metadata?.[ERASURE_REWRITE_MARKER]) keys.push(o.Key);
    }
    ContinuationToken = page.NextContinuationToken;
  } while (ContinuationToken);
  return keys;
}

async function exists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (e) {
    if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw e;
  }
}

/** The twin's suppression salt: CDP_HOME/privacy.json, made on first start, readable by its owner only. */
export function localPrivacySalt(home: string): string {
  const file = path.join(home, 'privacy.json');
  if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { suppressionSalt: string }).suppressionSalt;
  const suppressionSalt = randomBytes(32).toString('base64url');
  writeFileSync(file, JSON.stringify({ suppressionSalt }, null, 2), { mode: 0o600 });
  return suppressionSalt;
}

/** The landing objects a file-events message would import (a notification's, or a long import's continuation). */
function queuedImportKeys(body: string, landing: string): string[] {
  try {
    return importJobsOf(JSON.parse(body) as FileEvent).filter((j) => j.bucket === landing).map((j) => j.key);
  } catch {
    return [];
  }
}

/** The physical name of the queue at a URL (its last path segment). */
const queueNameOf = (url: string): string => url.slice(url.lastIndexOf('/') + 1);

/** Counts physical queue names as the definitions' names (`records`, `recordsDlq`). */
function countByQueue(physical: readonly string[], resources: LocalResources): TwinInfo['requeued'] {
  const names = new Map<string, QueueName | `${QueueName}Dlq`>();
  for (const q of Object.keys(resources.queueUrls) as QueueName[]) {
    names.set(queueNameOf(resources.queueUrls[q]), q);
    names.set(queueNameOf(resources.dlqUrls[q]), `${q}Dlq`);
  }
  const out: Partial<Record<QueueName | `${QueueName}Dlq`, number>> = {};
  for (const p of physical) {
    const name = names.get(p);
    if (name) out[name] = (out[name] ?? 0) + 1;
  }
  return out;
}

/** S3 URL-encodes object keys in notifications (spaces as '+', slashes kept). */
function encodeS3Key(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
}

async function queueArnOf(sqs: SQSClient, url: string): Promise<string> {
  const res = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return res.Attributes?.QueueArn ?? url;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

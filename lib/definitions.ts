/**
 * The one source of truth for the product's resources: the CDK stack (lib/) and the local twin (local/) both read
 * this module, so names, keys, queue settings and event-source mappings cannot drift between AWS and the twin.
 *
 * Plain data only: no aws-cdk-lib import, so the twin can load it without the CDK.
 */

export type BucketName = 'landing' | 'raw' | 'lake' | 'exports' | 'athena';
export type QueueName = 'fileEvents' | 'records' | 'dsr';
export type FunctionName = 'ingestFile' | 'ingestWebhook' | 'resolveRecords' | 'getProfile' | 'privacyApi' | 'privacyWorker' | 'publishKpis';
export type SecretName = 'webhooks' | 'privacy';

export interface TableDefinition {
  /** Environment variable through which functions learn the table name. */
  readonly envVar: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly timeToLiveAttribute: string;
  readonly globalSecondaryIndexes: readonly {
    readonly indexName: string;
    readonly partitionKey: string;
    readonly sortKey: string;
  }[];
}

export interface BucketDefinition {
  readonly envVar: string;
  /** Versioned where erasure must also remove old versions (and where overwrites must be recoverable). */
  readonly versioned: boolean;
  /** Current objects expire after this many days; undefined keeps them. */
  readonly expireAfterDays?: number;
  /** Non-current versions expire after this many days (erasure reaches old versions at the latest then). */
  readonly noncurrentExpireAfterDays?: number;
  /** Objects under these prefixes expire after so many days (snapshots that a newer one replaces). */
  readonly expirePrefixes?: readonly { readonly prefix: string; readonly days: number }[];
  readonly purpose: string;
}

export interface QueueDefinition {
  readonly envVar: string;
  /**
   * `kms`: the data key (messages carry personal data). `sqs-managed`: SSE-SQS, for queues that S3 notifies
   * (notifications hold bucket and object keys only; a KMS key policy naming the bucket would be circular).
   */
  readonly encryption: 'kms' | 'sqs-managed';
  readonly visibilityTimeoutSeconds: number;
  readonly retentionSeconds: number;
  /** Receives before a message moves to the queue's dead-letter queue. */
  readonly maxReceiveCount: number;
  readonly dlqRetentionSeconds: number;
}

export type Grant =
  /**
   * `deliveries`: get and put items of the webhook delivery log only (IAM LeadingKeys `WEBHOOK#`). `suppression`:
   * point reads of the suppression list only (`SUPPRESS#`). `requests`: read and create privacy requests (`DSR#`).
   * `failures`: put notes in the failure log only (`FAILED#`, why a queue message failed).
   */
  | { readonly table: 'read' | 'readWrite' | 'deliveries' | 'suppression' | 'requests' | 'failures' | 'scan' }
  /**
   * `prefixes` narrows object access to those key prefixes. `manage` adds deleting objects (files a newer run
   * replaces); `erase` adds deleting objects and their old versions.
   */
  | { readonly bucket: BucketName; readonly access: 'read' | 'write' | 'readWrite' | 'manage' | 'erase'; readonly prefixes?: readonly string[] }
  /** Run queries in the stack's Athena workgroup over its Glue database (results in the athena bucket). */
  | { readonly athena: 'query' }
  /**
   * `send`: send to the queue. `scrubDeadLetters`: receive, delete and send again its dead-letter queue's messages (an
   * erasure takes the person's records out of them).
   */
  | { readonly queue: QueueName; readonly access: 'send' | 'scrubDeadLetters' }
  | { readonly secret: SecretName };

export interface FunctionDefinition {
  /** Entry file, relative to the project root. */
  readonly entry: string;
  readonly description: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** SQS event source; the twin's poller honours the same settings. */
  readonly source?: {
    readonly queue: QueueName;
    readonly batchSize: number;
    readonly maxBatchingWindowSeconds: number;
    readonly maxConcurrency?: number;
  };
  /** What the function may touch. Each grant also sets the environment variable naming the resource. */
  readonly grants: readonly Grant[];
  /** Files the function reads at run time, copied into its bundle (`from` relative to the project root). */
  readonly files?: readonly { readonly from: string; readonly to: string }[];
  /** Worker-thread scripts the function starts, each bundled beside the handler as `<name>.mjs` (see threadScript). */
  readonly threads?: readonly string[];
  /** Modules the handler imports on first use (importBeside), each bundled beside it as `<name>.mjs`. */
  readonly modules?: readonly string[];
  /** V8 flags the function runs with (its NODE_OPTIONS, after --enable-source-maps); the benchmarks use the same. */
  readonly nodeOptions?: readonly string[];
  /** Invoked on a schedule (EventBridge cron, UTC), besides on demand. */
  readonly schedule?: { readonly hour: number; readonly minute: number };
}

export const table: TableDefinition = {
  envVar: 'TABLE_NAME',
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'expiresAt',
  globalSecondaryIndexes: [{ indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
};

export const buckets: Record<BucketName, BucketDefinition> = {
  landing: {
    envVar: 'LANDING_BUCKET',
    versioned: true,
    expireAfterDays: 30,
    noncurrentExpireAfterDays: 1,
    purpose: 'uploaded exports (imports/<source>/...)',
  },
  raw: {
    envVar: 'RAW_BUCKET',
    versioned: true,
    expireAfterDays: 90,
    noncurrentExpireAfterDays: 1,
    purpose: 'raw webhook bodies, quarantine and import reports',
  },
  lake: {
    envVar: 'LAKE_BUCKET',
    versioned: true,
    noncurrentExpireAfterDays: 1,
    // Daily snapshots of profiles (and segment membership) are replaced by the next; a month of them is kept.
    expirePrefixes: [
      ...['profiles', 'consents', 'imports', 'requests', 'merges', 'duplicates'].map((t) => ({ prefix: `curated/${t}/`, days: 35 })),
      { prefix: 'segments/', days: 35 },
    ],
    purpose: 'pseudonymous curated tables and KPI tables (Parquet)',
  },
  exports: {
    envVar: 'EXPORTS_BUCKET',
    versioned: true,
    expireAfterDays: 7,
    noncurrentExpireAfterDays: 1,
    purpose: 'access bundles of data-subject requests',
  },
  athena: {
    envVar: 'ATHENA_RESULTS_BUCKET',
    versioned: false,
    expireAfterDays: 7,
    purpose: 'Athena query results',
  },
};

const FOURTEEN_DAYS = 14 * 24 * 3600;
const FOUR_DAYS = 4 * 24 * 3600;

export const functions: Record<FunctionName, FunctionDefinition> = {
  ingestFile: {
    entry: 'lambdas/handlers/ingest-file.ts',
    description: 'Parses an uploaded export into canonical records; quarantines what cannot be read',
    timeoutSeconds: 900,
    memoryMb: 1024,
    // Records stay alive from their row to their SQS request: with V8's default 16 MB semi-spaces most of them are
    // copied and promoted before they die. 32 MB lets them die young (the import ran 0.50x -> 0.60x of bare
    // csv-parse, with less peak RSS); the baseline is unchanged by it.
    nodeOptions: ['--max-semi-space-size=32'],
    source: { queue: 'fileEvents', batchSize: 1, maxBatchingWindowSeconds: 0, maxConcurrency: 5 },
    grants: [
      { bucket: 'landing', access: 'read' },
      { bucket: 'raw', access: 'readWrite' },
      { queue: 'records', access: 'send' },
      { queue: 'fileEvents', access: 'send' },
      { table: 'read' },
      { table: 'failures' },
      { secret: 'privacy' },
    ],
  },
  ingestWebhook: {
    entry: 'lambdas/handlers/ingest-webhook.ts',
    description: 'POST /webhooks/{source}: verifies, archives and queues vendor webhooks',
    timeoutSeconds: 10,
    memoryMb: 512,
    grants: [
      { bucket: 'landing', access: 'read', prefixes: ['mappings/'] },
      { bucket: 'raw', access: 'write', prefixes: ['webhooks/', 'quarantine/'] },
      { queue: 'records', access: 'send' },
      { queue: 'dsr', access: 'send' },
      { table: 'deliveries' },
      { table: 'suppression' },
      { secret: 'webhooks' },
      { secret: 'privacy' },
    ],
  },
  resolveRecords: {
    entry: 'lambdas/handlers/resolve-records.ts',
    description: 'Resolves canonical records into unified profiles',
    timeoutSeconds: 60,
    memoryMb: 512,
    source: { queue: 'records', batchSize: 10, maxBatchingWindowSeconds: 1, maxConcurrency: 10 },
    grants: [{ table: 'readWrite' }, { secret: 'privacy' }],
  },
  getProfile: {
    entry: 'lambdas/handlers/get-profile.ts',
    description: 'GET /profiles/{id}: one unified profile (IAM-authorised)',
    timeoutSeconds: 10,
    memoryMb: 256,
    grants: [{ table: 'read' }],
  },
  privacyApi: {
    entry: 'lambdas/handlers/privacy-api.ts',
    description: 'POST /privacy/requests, GET /privacy/requests[/{id}]: data-subject requests (IAM-authorised)',
    timeoutSeconds: 10,
    memoryMb: 256,
    grants: [{ table: 'requests' }, { queue: 'dsr', access: 'send' }, { secret: 'privacy' }],
  },
  privacyWorker: {
    entry: 'lambdas/handlers/privacy-worker.ts',
    description: 'Works data-subject requests: access bundles, erasure of every copy, rectification, restriction',
    timeoutSeconds: 900,
    memoryMb: 1024,
    source: { queue: 'dsr', batchSize: 1, maxBatchingWindowSeconds: 0, maxConcurrency: 2 },
    grants: [
      { table: 'readWrite' },
      { bucket: 'landing', access: 'erase' },
      { bucket: 'raw', access: 'erase' },
      { bucket: 'exports', access: 'erase' },
      { bucket: 'lake', access: 'erase', prefixes: ['curated/', 'segments/'] },
      { queue: 'dsr', access: 'send' },
      { queue: 'records', access: 'scrubDeadLetters' },
      { secret: 'privacy' },
    ],
    // The lake erasure's Parquet code: a quarter of the worker, needed only by an erasure of someone in the lake.
    modules: ['lambdas/handlers/privacy-lake.ts'],
  },
  publishKpis: {
    entry: 'lambdas/handlers/publish-kpis.ts',
    description: 'Daily and on demand: curated Parquet tables, every KPI through Athena, segment membership',
    timeoutSeconds: 900,
    // 3,538 MB is two full vCPUs: the snapshot runs one thread per vCPU.
    memoryMb: 3538,
    grants: [
      { table: 'scan' },
      { bucket: 'raw', access: 'read', prefixes: ['reports/imports/'] },
      { bucket: 'lake', access: 'manage' },
      { athena: 'query' },
    ],
    files: [
      { from: 'lambdas/domain/kpi/sql', to: 'kpi/sql' },
      { from: 'config/kpi.json', to: 'kpi/kpi.json' },
      { from: 'config/segments', to: 'kpi/segments' },
    ],
    threads: ['lambdas/handlers/publish-kpis-part.ts'],
    schedule: { hour: 3, minute: 15 },
  },
};

/** A route of the HTTP API (API Gateway in AWS, the twin's HTTP server locally). */
export interface RouteDefinition {
  readonly method: 'GET' | 'POST';
  /** API Gateway path template, e.g. `/profiles/{id}`. */
  readonly path: string;
  readonly function: FunctionName;
  /** `iam`: SigV4-signed callers with permission (locally: the twin's token in CDP_HOME). */
  readonly auth: 'iam' | 'none';
  /** Why a route is open to unsigned callers (required with `auth: 'none'`; the cdk-nag acknowledgement). */
  readonly openBecause?: string;
}

export const routes: readonly RouteDefinition[] = [
  { method: 'GET', path: '/profiles/{id}', function: 'getProfile', auth: 'iam' },
  { method: 'POST', path: '/privacy/requests', function: 'privacyApi', auth: 'iam' },
  { method: 'GET', path: '/privacy/requests', function: 'privacyApi', auth: 'iam' },
  { method: 'GET', path: '/privacy/requests/{id}', function: 'privacyApi', auth: 'iam' },
  {
    method: 'POST',
    path: '/webhooks/{source}',
    function: 'ingestWebhook',
    auth: 'none',
    openBecause: "Vendors (Shopify, Stripe, form plugins) cannot sign with IAM; the function verifies each vendor's HMAC signature or secret token on the raw body, constant-time, before storing anything.",
  },
  {
    method: 'GET',
    path: '/webhooks/{source}',
    function: 'ingestWebhook',
    auth: 'none',
    openBecause: 'Mailchimp validates a webhook URL with an unauthenticated GET; the function answers it with no data and stores nothing.',
  },
];

/** Stage throttling of the HTTP API (requests per second, burst). */
export const apiThrottle = { rateLimit: 50, burstLimit: 100 } as const;

/** Visibility must exceed the consumer's timeout (AWS recommends 6x), or a slow batch is delivered twice. */
function visibilityFor(queue: QueueName): number {
  const consumers = Object.values(functions).filter((f) => f.source?.queue === queue);
  const longest = Math.max(30, ...consumers.map((f) => f.timeoutSeconds));
  return Math.min(12 * 3600, longest * 6);
}

export const queues: Record<QueueName, QueueDefinition> = {
  fileEvents: {
    envVar: 'FILE_EVENTS_QUEUE_URL',
    encryption: 'sqs-managed',
    visibilityTimeoutSeconds: visibilityFor('fileEvents'),
    retentionSeconds: FOUR_DAYS,
    maxReceiveCount: 3,
    dlqRetentionSeconds: FOURTEEN_DAYS,
  },
  records: {
    envVar: 'RECORDS_QUEUE_URL',
    encryption: 'kms',
    visibilityTimeoutSeconds: visibilityFor('records'),
    retentionSeconds: FOUR_DAYS,
    maxReceiveCount: 5,
    dlqRetentionSeconds: FOURTEEN_DAYS,
  },
  dsr: {
    envVar: 'DSR_QUEUE_URL',
    encryption: 'kms',
    visibilityTimeoutSeconds: 900,
    retentionSeconds: FOURTEEN_DAYS,
    maxReceiveCount: 5,
    dlqRetentionSeconds: FOURTEEN_DAYS,
  },
};

/** Prefix under which exports must be uploaded to trigger an import. */
export const LANDING_IMPORT_PREFIX = 'imports/';

/** Secrets Manager secrets of the stack (a JSON object of name -> value each). */
export const secrets: Record<SecretName, { readonly envVar: string; readonly purpose: string }> = {
  webhooks: { envVar: 'WEBHOOK_SECRETS_ARN', purpose: 'webhook signing secrets and tokens, one key per source' },
  privacy: { envVar: 'PRIVACY_SECRET_ARN', purpose: 'the salt of suppression-list and request hashes (generated at deployment)' },
};

/** Environment variable naming the resource a grant refers to. */
/** Where the publisher learns its Athena workgroup and Glue database. */
export const ATHENA_ENV = { workGroup: 'ATHENA_WORKGROUP', database: 'GLUE_DATABASE' } as const;

export function envVarOf(grant: Grant): string {
  if ('athena' in grant) return ATHENA_ENV.workGroup;
  if ('table' in grant) return table.envVar;
  if ('secret' in grant) return secrets[grant.secret].envVar;
  if ('bucket' in grant) return buckets[grant.bucket].envVar;
  return grant.access === 'scrubDeadLetters' ? dlqEnvVar(grant.queue) : queues[grant.queue].envVar;
}

/** Environment variable naming a queue's dead-letter queue (`RECORDS_QUEUE_URL` -> `RECORDS_DLQ_URL`). */
export const dlqEnvVar = (queue: QueueName): string => queues[queue].envVar.replace(/QUEUE_URL$/, 'DLQ_URL');

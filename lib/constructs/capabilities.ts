import { Aws, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { CfnNamedQuery, CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { KPIS, type KpiConfig, kpiConfigSchema, monthOfSql, type Placeholder, renderSqlWith, VOID_STATUSES_SQL } from '../../lambdas/domain/kpi/definitions.ts';
import { curatedTables, kpiPrefix, type Column, type TableDefinition } from '../../lambdas/domain/lake/tables.ts';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { EventType, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Construct } from 'constructs';
import { buckets, functions, LANDING_IMPORT_PREFIX, queues, table } from '../definitions.ts';
import { CdpFunction } from './cdp-function.ts';
import type { Bindable } from './grants.ts';
import { SecureBucket } from './secure-bucket.ts';
import { SecureQueue } from './secure-queue.ts';

export interface CapabilityProps {
  /** Customer-managed key for personal data at rest. */
  readonly key: IKey;
  /** Destination of server access logs. */
  readonly accessLogs: IBucket;
  /** Project root, for bundling. */
  readonly projectRoot: string;
}

/** Exports and webhooks in: the landing and raw buckets, the file-events and records queues, the ingest function. */
export class Ingestion extends Construct {
  readonly landing: SecureBucket;
  readonly raw: SecureBucket;
  readonly fileEvents: SecureQueue;
  readonly records: SecureQueue;
  /** Webhook signing secrets and tokens: a JSON object, one key per source, filled in by the user. */
  readonly webhookSecrets: Secret;
  private readonly props: CapabilityProps;

  constructor(scope: Construct, id: string, props: CapabilityProps) {
    super(scope, id);
    this.props = props;
    const { key, accessLogs } = props;
    this.webhookSecrets = new Secret(this, 'WebhookSecrets', {
      description: 'Webhook signing secrets and tokens: {"<source>": "<secret>"}',
      encryptionKey: key,
      // Generated only when the secret is created: later deployments never overwrite the values users put in.
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'cdpPlaceholder', excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.webhookSecrets).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The values are issued by the vendors (Shopify, Stripe, ...) and must match what they sign with; AWS cannot rotate them.',
    });
    this.landing = new SecureBucket(this, 'Landing', { definition: buckets.landing, encryptionKey: key, accessLogs });
    this.raw = new SecureBucket(this, 'Raw', { definition: buckets.raw, encryptionKey: key, accessLogs });
    this.fileEvents = new SecureQueue(this, 'FileEvents', { definition: queues.fileEvents, encryptionKey: key });
    this.records = new SecureQueue(this, 'Records', { definition: queues.records, encryptionKey: key });
    this.landing.bucket.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(this.fileEvents.queue), {
      prefix: LANDING_IMPORT_PREFIX,
    });
  }

  wire(resources: Bindable): { ingestFile: CdpFunction; ingestWebhook: CdpFunction } {
    const common = { resources, encryptionKey: this.props.key, projectRoot: this.props.projectRoot };
    return {
      ingestFile: new CdpFunction(this, 'IngestFile', { ...common, definition: functions.ingestFile, sourceQueue: this.fileEvents.queue }),
      ingestWebhook: new CdpFunction(this, 'IngestWebhook', { ...common, definition: functions.ingestWebhook }),
    };
  }
}

/** Unified profiles: the single table and the resolver. */
export class Identity extends Construct {
  readonly table: Table;
  private readonly props: CapabilityProps;

  constructor(scope: Construct, id: string, props: CapabilityProps) {
    super(scope, id);
    this.props = props;
    this.table = new Table(this, 'Table', {
      partitionKey: { name: table.partitionKey, type: AttributeType.STRING },
      sortKey: { name: table.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: table.timeToLiveAttribute,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of table.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        // Keys only: profiles change on every record, and a full projection would pay each write twice.
        projectionType: ProjectionType.KEYS_ONLY,
      });
    }
  }

  wire(resources: Bindable, records: SecureQueue): { resolveRecords: CdpFunction; getProfile: CdpFunction } {
    const common = { resources, encryptionKey: this.props.key, projectRoot: this.props.projectRoot };
    return {
      resolveRecords: new CdpFunction(this, 'ResolveRecords', { ...common, definition: functions.resolveRecords, sourceQueue: records.queue }),
      getProfile: new CdpFunction(this, 'GetProfile', { ...common, definition: functions.getProfile }),
    };
  }
}

/** Data-subject requests: the exports bucket for access bundles, the request queue, the salt, the API and worker. */
export class Privacy extends Construct {
  readonly exports: SecureBucket;
  readonly dsr: SecureQueue;
  /** `{"suppressionSalt": ...}`: generated once at creation; suppression hashes depend on it, so it never rotates. */
  readonly salt: Secret;
  private readonly props: CapabilityProps;

  constructor(scope: Construct, id: string, props: CapabilityProps) {
    super(scope, id);
    this.props = props;
    const { key, accessLogs } = props;
    this.exports = new SecureBucket(this, 'Exports', { definition: buckets.exports, encryptionKey: key, accessLogs });
    this.dsr = new SecureQueue(this, 'Requests', { definition: queues.dsr, encryptionKey: key });
    this.salt = new Secret(this, 'Salt', {
      description: 'Salt of the suppression list and of privacy requests\' subject hashes',
      encryptionKey: key,
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'suppressionSalt', excludePunctuation: true, passwordLength: 48 },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.salt).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The suppression list holds hashes made with this salt; rotating it would let erased people back in.',
    });
  }

  wire(resources: Bindable): { privacyApi: CdpFunction; privacyWorker: CdpFunction } {
    const common = { resources, encryptionKey: this.props.key, projectRoot: this.props.projectRoot };
    return {
      privacyApi: new CdpFunction(this, 'PrivacyApi', { ...common, definition: functions.privacyApi }),
      privacyWorker: new CdpFunction(this, 'PrivacyWorker', { ...common, definition: functions.privacyWorker, sourceQueue: this.dsr.queue }),
    };
  }
}

/** KPI tables: the pseudonymous lake, the Glue database, and an Athena workgroup with enforced encrypted results. */
export class Analytics extends Construct {
  readonly lake: SecureBucket;
  readonly athenaResults: SecureBucket;
  readonly database: CfnDatabase;
  readonly workGroup: CfnWorkGroup;
  /** Plain names (not tokens), so grants and nag acknowledgements can name them. */
  readonly databaseName: string;
  readonly workGroupName: string;
  private readonly props: CapabilityProps;

  constructor(scope: Construct, id: string, props: CapabilityProps) {
    super(scope, id);
    this.props = props;
    const { key, accessLogs } = props;
    this.lake = new SecureBucket(this, 'Lake', { definition: buckets.lake, encryptionKey: key, accessLogs });
    this.athenaResults = new SecureBucket(this, 'AthenaResults', {
      definition: buckets.athena,
      encryptionKey: key,
      accessLogs,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stackName = Stack.of(this).stackName;
    this.databaseName = `${stackName.toLowerCase().replace(/[^a-z0-9_]/g, '_')}_kpi`;
    this.workGroupName = `${stackName}-kpi`;
    this.database = new CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: {
        name: this.databaseName,
        description: 'Pseudonymous curated tables and KPI tables',
      },
    });
    this.workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: 'KPI queries: results encrypted with the data key, scan limit per query',
      state: 'ENABLED',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.athenaResults.bucket.bucketName}/results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: key.keyArn },
        },
      },
    });

    // Glue tables over the lake with partition projection: no crawler, no MSCK REPAIR; a new partition is queryable
    // as soon as its files are written.
    const databaseName = this.database.ref;
    const location = (prefix: string) => `s3://${this.lake.bucket.bucketName}/${prefix}`;
    const addTable = (id: string, name: string, prefix: string, columns: readonly Column[], partition: TableDefinition['partition'], description: string) => {
      const projected = partition.format === 'yyyy-MM'
        ? { range: '1990-01,NOW', interval: '1', unit: 'MONTHS' }
        : { range: '2024-01-01,NOW', interval: '1', unit: 'DAYS' };
      const t = new CfnTable(this, id, {
        catalogId: Aws.ACCOUNT_ID,
        databaseName,
        tableInput: {
          name,
          description,
          tableType: 'EXTERNAL_TABLE',
          parameters: {
            classification: 'parquet',
            'projection.enabled': 'true',
            [`projection.${partition.name}.type`]: 'date',
            [`projection.${partition.name}.format`]: partition.format,
            [`projection.${partition.name}.range`]: projected.range,
            [`projection.${partition.name}.interval`]: projected.interval,
            [`projection.${partition.name}.interval.unit`]: projected.unit,
            'storage.location.template': `${location(prefix)}${partition.name}=\${${partition.name}}/`,
          },
          partitionKeys: [{ name: partition.name, type: 'string' }],
          storageDescriptor: {
            location: location(prefix),
            columns: columns.map((c) => ({ name: c.name, type: c.type, ...(c.comment ? { comment: c.comment } : {}) })),
            inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
            outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
            serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
          },
        },
      });
      t.addResourceDependency(this.database);
      return t;
    };
    const snapshot = { name: 'snapshot_date', format: 'yyyy-MM-dd' } as const;
    for (const [name, def] of Object.entries(curatedTables)) addTable(`Curated${pascal(name)}`, name, def.prefix, def.columns, def.partition, def.description);
    for (const kpi of KPIS) addTable(`Kpi${pascal(kpi.name)}`, `kpi_${kpi.name}`, kpiPrefix(kpi.name), kpi.columns, snapshot, kpi.title);

    // One named query per KPI: its definition, as the publisher runs it (with config/kpi.json), for today's snapshot.
    const kpiConfig = kpiConfigSchema.parse(JSON.parse(readFileSync(path.join(props.projectRoot, 'config', 'kpi.json'), 'utf8')));
    for (const kpi of KPIS) {
      const sql = readFileSync(path.join(props.projectRoot, 'lambdas', 'domain', 'kpi', 'sql', `${kpi.name}.sql`), 'utf8');
      const q = new CfnNamedQuery(this, `Query${pascal(kpi.name)}`, {
        name: `kpi ${kpi.name}`,
        description: kpi.title,
        database: databaseName,
        workGroup: this.workGroup.ref,
        queryString: renderSqlWith(sql, athenaToday(kpiConfig)),
      });
      q.addResourceDependency(this.workGroup);
    }
  }

  /** The KPI publisher, daily and on demand. */
  wire(resources: Bindable): { publishKpis: CdpFunction } {
    const publishKpis = new CdpFunction(this, 'PublishKpis', {
      resources,
      encryptionKey: this.props.key,
      projectRoot: this.props.projectRoot,
      definition: functions.publishKpis,
    });
    // Its grants name the workgroup and database by name: deploy them first.
    publishKpis.node.addDependency(this.workGroup, this.database);
    return { publishKpis };
  }
}

const pascal = (s: string) => s.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());

/** Placeholders of the named queries: today's snapshot, in Athena's own terms. */
const athenaToday = (config: KpiConfig): Record<string, Placeholder> => ({
  as_of: 'current_date',
  snapshot: "CAST(current_date AS varchar)",
  active_months: String(config.activeMonths),
  stale_months: String(config.staleMonths),
  activity_kinds: config.activityKinds.map((k) => `'${k}'`).join(', '),
  void_statuses: VOID_STATUSES_SQL,
  month_of: (column) => monthOfSql(column, config.timeZone),
});

import { Aws, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { CfnDatabase } from 'aws-cdk-lib/aws-glue';
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

  constructor(scope: Construct, id: string, props: CapabilityProps) {
    super(scope, id);
    const { key, accessLogs } = props;
    this.lake = new SecureBucket(this, 'Lake', { definition: buckets.lake, encryptionKey: key, accessLogs });
    this.athenaResults = new SecureBucket(this, 'AthenaResults', {
      definition: buckets.athena,
      encryptionKey: key,
      accessLogs,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stackName = Stack.of(this).stackName;
    this.database = new CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: {
        name: `${stackName.toLowerCase().replace(/[^a-z0-9_]/g, '_')}_kpi`,
        description: 'Pseudonymous curated tables and KPI tables',
      },
    });
    this.workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: `${stackName}-kpi`,
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
  }
}

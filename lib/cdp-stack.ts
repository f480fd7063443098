import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { Api } from './constructs/api.ts';
import { Analytics, Identity, Ingestion, Privacy } from './constructs/capabilities.ts';
import { Operations } from './constructs/operations.ts';
import type { Bindable } from './constructs/grants.ts';
import { buckets, type FunctionName, queues, secrets, table } from './definitions.ts';

export interface CdpStackProps extends StackProps {
  /** Project root, for bundling the functions. */
  readonly projectRoot: string;
}

/** Output naming the KPI publisher function (`cdp kpi refresh --target aws` invokes it). */
export const PUBLISHER_OUTPUT = 'PublishKpisFunction';

/** Output key of a queue's dead-letter queue (`RecordsQueueUrl` -> `RecordsDlqUrl`). */
export const dlqOutputKey = (envVar: string): string => outputKey(envVar).replace(/QueueUrl$/, 'DlqUrl');

/** Output key under which the CLI finds a resource: the environment variable's name in PascalCase. */
export function outputKey(envVar: string): string {
  return envVar
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/** The whole product: one construct per capability, sharing one customer-managed key. */
export class CdpStack extends Stack {
  constructor(scope: Construct, id: string, props: CdpStackProps) {
    super(scope, id, props);

    const key = new Key(this, 'DataKey', {
      description: 'Encrypts customer personal data at rest (table, buckets, queues, logs)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:*`,
          },
        },
      }),
    );

    const accessLogs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket; logging it into itself would loop.',
    });

    const common = { key, accessLogs, projectRoot: props.projectRoot };
    const identity = new Identity(this, 'Identity', common);
    const ingestion = new Ingestion(this, 'Ingestion', common);
    const privacy = new Privacy(this, 'Privacy', common);
    const analytics = new Analytics(this, 'Analytics', common);

    const resources: Bindable = {
      key,
      table: identity.table,
      buckets: {
        landing: ingestion.landing.bucket,
        raw: ingestion.raw.bucket,
        exports: privacy.exports.bucket,
        lake: analytics.lake.bucket,
        athena: analytics.athenaResults.bucket,
      },
      queues: { fileEvents: ingestion.fileEvents.queue, records: ingestion.records.queue, dsr: privacy.dsr.queue },
      deadLetterQueues: { fileEvents: ingestion.fileEvents.deadLetterQueue, records: ingestion.records.deadLetterQueue, dsr: privacy.dsr.deadLetterQueue },
      secrets: { webhooks: ingestion.webhookSecrets, privacy: privacy.salt },
      athena: { workGroup: analytics.workGroupName, database: analytics.databaseName },
    };
    const ingest = ingestion.wire(resources);
    const identityFunctions = identity.wire(resources, ingestion.records);
    const privacyFunctions = privacy.wire(resources);
    const analyticsFunctions = analytics.wire(resources);
    const functionsByName: Record<FunctionName, IFunction> = {
      ingestFile: ingest.ingestFile.fn,
      ingestWebhook: ingest.ingestWebhook.fn,
      resolveRecords: identityFunctions.resolveRecords.fn,
      getProfile: identityFunctions.getProfile.fn,
      privacyApi: privacyFunctions.privacyApi.fn,
      privacyWorker: privacyFunctions.privacyWorker.fn,
      publishKpis: analyticsFunctions.publishKpis.fn,
    };
    new Api(this, 'Api', { encryptionKey: key, functions: functionsByName });

    const notificationsHandler = this.node.tryFindChild('BucketNotificationsHandler050a0587b7544547bf325f094a3db834');
    if (notificationsHandler) {
      Validations.of(notificationsHandler).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "CDK's own deploy-time handler that configures the landing bucket's notifications; it only writes its logs " +
          'and runs during deployments, never with customer data.',
      });
    }

    // The CLI (`--target aws --stack <name>`) resolves resources from these outputs, keyed like the functions' env.
    new CfnOutput(this, outputKey(table.envVar), { value: identity.table.tableName });
    for (const [name, def] of Object.entries(buckets)) {
      new CfnOutput(this, outputKey(def.envVar), { value: resources.buckets[name as keyof typeof buckets].bucketName });
    }
    const dlqs = resources.deadLetterQueues;
    for (const [name, def] of Object.entries(queues)) {
      const q = resources.queues[name as keyof typeof queues];
      new CfnOutput(this, outputKey(def.envVar), { value: q.queueUrl });
      new CfnOutput(this, dlqOutputKey(def.envVar), { value: dlqs[name as keyof typeof queues].queueUrl });
    }
    new CfnOutput(this, outputKey(secrets.webhooks.envVar), { value: ingestion.webhookSecrets.secretArn });
    new CfnOutput(this, outputKey(secrets.privacy.envVar), { value: privacy.salt.secretArn });
    new CfnOutput(this, 'AthenaWorkGroup', { value: analytics.workGroup.ref });
    new CfnOutput(this, 'GlueDatabase', { value: analytics.database.ref });
    new CfnOutput(this, PUBLISHER_OUTPUT, { value: analyticsFunctions.publishKpis.fn.functionName });

    const operations = new Operations(this, 'Operations', { key, functions: functionsByName, queues: resources.queues, deadLetterQueues: dlqs });
    new CfnOutput(this, 'AlarmTopic', { value: operations.topic.topicArn, description: 'Subscribe (e-mail, chat) to receive the alarms' });
    new CfnOutput(this, 'Dashboard', { value: operations.dashboard.dashboardName });
  }
}

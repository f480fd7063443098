import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  type BucketName,
  buckets,
  dlqEnvVar,
  type QueueDefinition,
  type QueueName,
  queues,
  table,
} from '../lib/definitions.ts';

/** Physical names on the twin, derived from the shared definitions (CloudFormation names them in AWS). */
export const localNames = {
  table: 'cdp-data',
  bucket: (name: BucketName) => `cdp-${name.toLowerCase()}`,
  queue: (name: QueueName) => `cdp-${name}`,
};

export interface LocalResources {
  readonly tableName: string;
  readonly buckets: Record<BucketName, string>;
  readonly queueUrls: Record<QueueName, string>;
  readonly dlqUrls: Record<QueueName, string>;
}

export async function createTable(ddb: DynamoDBClient, TableName: string = localNames.table): Promise<string> {
  try {
    await ddb.send(new DescribeTableCommand({ TableName }));
    return TableName;
  } catch (e) {
    if (!(e instanceof ResourceNotFoundException)) throw e;
  }
  const attributes = new Set([
    table.partitionKey,
    table.sortKey,
    ...table.globalSecondaryIndexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ]);
  await ddb.send(
    new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attributes].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: table.partitionKey, KeyType: 'HASH' },
        { AttributeName: table.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: table.globalSecondaryIndexes.map((i) => ({
        IndexName: i.indexName,
        KeySchema: [
          { AttributeName: i.partitionKey, KeyType: 'HASH' },
          { AttributeName: i.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      })),
    }),
  );
  await ddb.send(
    new UpdateTimeToLiveCommand({
      TableName,
      TimeToLiveSpecification: { AttributeName: table.timeToLiveAttribute, Enabled: true },
    }),
  );
  return TableName;
}

export async function createBuckets(s3: S3Client): Promise<Record<BucketName, string>> {
  const out = {} as Record<BucketName, string>;
  for (const name of Object.keys(buckets) as BucketName[]) {
    const Bucket = localNames.bucket(name);
    try {
      await s3.send(new HeadBucketCommand({ Bucket }));
    } catch {
      await s3.send(new CreateBucketCommand({ Bucket }));
    }
    out[name] = Bucket;
  }
  return out;
}

/** A queue with its DLQ and redrive policy, as a definition describes them (CreateQueue is idempotent). */
export async function createQueueWithDlq(
  sqs: SQSClient,
  name: string,
  def: Pick<
    QueueDefinition,
    'visibilityTimeoutSeconds' | 'retentionSeconds' | 'maxReceiveCount' | 'dlqRetentionSeconds'
  >,
): Promise<{ queueUrl: string; dlqUrl: string }> {
  const dlq = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${name}-dlq`,
      Attributes: { MessageRetentionPeriod: String(def.dlqRetentionSeconds) },
    }),
  );
  const dlqArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes?.QueueArn;
  const q = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(def.visibilityTimeoutSeconds),
        MessageRetentionPeriod: String(def.retentionSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: def.maxReceiveCount }),
      },
    }),
  );
  return { queueUrl: q.QueueUrl!, dlqUrl: dlq.QueueUrl! };
}

/** Queue settings that a twin started for fault injection changes (see TwinOptions.queues). */
export type QueueOverrides = Partial<Record<QueueName, Partial<Pick<QueueDefinition, 'visibilityTimeoutSeconds' | 'maxReceiveCount'>>>>;

/** Every queue of the definitions, with its DLQ. */
export async function createQueues(
  sqs: SQSClient,
  overrides: QueueOverrides = {},
): Promise<{ queueUrls: Record<QueueName, string>; dlqUrls: Record<QueueName, string> }> {
  const queueUrls = {} as Record<QueueName, string>;
  const dlqUrls = {} as Record<QueueName, string>;
  for (const [name, def] of Object.entries(queues) as [QueueName, QueueDefinition][]) {
    const created = await createQueueWithDlq(sqs, localNames.queue(name), { ...def, ...overrides[name] });
    queueUrls[name] = created.queueUrl;
    dlqUrls[name] = created.dlqUrl;
  }
  return { queueUrls, dlqUrls };
}

/** The environment a function sees on the twin: the same variables its grants set in the stack. */
export function resourceEnvironment(resources: LocalResources): Record<string, string> {
  const env: Record<string, string> = { [table.envVar]: resources.tableName };
  for (const name of Object.keys(buckets) as BucketName[]) env[buckets[name].envVar] = resources.buckets[name];
  for (const name of Object.keys(queues) as QueueName[]) {
    env[queues[name].envVar] = resources.queueUrls[name];
    env[dlqEnvVar(name)] = resources.dlqUrls[name];
  }
  return env;
}


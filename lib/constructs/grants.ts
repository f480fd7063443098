import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { type BucketName, envVarOf, type Grant, type QueueName, queues, type SecretName, table as tableDefinition } from '../definitions.ts';

/** The resources a function's grants can name. */
export interface Bindable {
  readonly table: ITable;
  readonly buckets: Readonly<Record<BucketName, IBucket>>;
  readonly queues: Readonly<Record<QueueName, IQueue>>;
  readonly secrets: Readonly<Record<SecretName, ISecret>>;
  /** The customer-managed key that encrypts all of them. */
  readonly key: IKey;
}

/** Exact actions per grant: no wildcard actions on data, so a test can assert each role's reach. */
export const TABLE_ACTIONS = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:DescribeTable'],
  readWrite: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:DescribeTable',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:ConditionCheckItem',
  ],
  deliveries: ['dynamodb:GetItem', 'dynamodb:PutItem'],
  suppression: ['dynamodb:BatchGetItem'],
  requests: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem'],
} as const;

/** Partition keys the `deliveries` grant may touch (the webhook delivery log). */
export const DELIVERY_LEADING_KEYS = ['WEBHOOK#*'];

/** Partition keys of the narrow table grants (IAM `dynamodb:LeadingKeys`). */
export const LEADING_KEYS = { deliveries: DELIVERY_LEADING_KEYS, suppression: ['SUPPRESS#*'], requests: ['DSR#*'] } as const;

export const OBJECT_ACTIONS = {
  read: ['s3:GetObject'],
  write: ['s3:PutObject'],
  readWrite: ['s3:GetObject', 's3:PutObject'],
  erase: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
} as const;

export const KEY_ACTIONS = {
  decrypt: ['kms:Decrypt'],
  encrypt: ['kms:GenerateDataKey', 'kms:Decrypt'],
} as const;

function logicalIdOf(construct: { node: { defaultChild?: unknown } }): string {
  const element = construct.node.defaultChild as CfnElement;
  return Stack.of(element).resolve(element.logicalId) as string;
}

/**
 * Sets the environment variable naming the granted resource and adds exactly the statements it needs, in one call.
 */
export function bindGrant(fn: LambdaFunction, role: IRole, grant: Grant, resources: Bindable): void {
  if ('secret' in grant) {
    const secret = resources.secrets[grant.secret];
    fn.addEnvironment(envVarOf(grant), secret.secretArn);
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }));
    role.addToPrincipalPolicy(new PolicyStatement({ actions: [...KEY_ACTIONS.decrypt], resources: [resources.key.keyArn] }));
    return;
  }
  if ('table' in grant) {
    const t = resources.table;
    fn.addEnvironment(envVarOf(grant), t.tableName);
    const narrow = grant.table === 'deliveries' || grant.table === 'suppression' || grant.table === 'requests';
    if (grant.table === 'requests') {
      // Listing requests reads the keys-only index (request ids, dates), which has no DSR# partition key to match.
      role.addToPrincipalPolicy(new PolicyStatement({ actions: ['dynamodb:Query'], resources: tableDefinition.globalSecondaryIndexes.map((i) => `${t.tableArn}/index/${i.indexName}`) }));
    }
    role.addToPrincipalPolicy(
      narrow
        ? new PolicyStatement({
            actions: [...TABLE_ACTIONS[grant.table]],
            resources: [t.tableArn],
            conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...LEADING_KEYS[grant.table]] } },
          })
        : new PolicyStatement({
            actions: [...TABLE_ACTIONS[grant.table]],
            resources: [t.tableArn, ...tableDefinition.globalSecondaryIndexes.map((i) => `${t.tableArn}/index/${i.indexName}`)],
          }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [...KEY_ACTIONS[grant.table === 'read' || grant.table === 'suppression' ? 'decrypt' : 'encrypt']],
        resources: [resources.key.keyArn],
      }),
    );
    return;
  }
  if ('bucket' in grant) {
    const b = resources.buckets[grant.bucket];
    fn.addEnvironment(envVarOf(grant), b.bucketName);
    const objectArns = grant.prefixes ? grant.prefixes.map((p) => b.arnForObjects(`${p}*`)) : [b.arnForObjects('*')];
    role.addToPrincipalPolicy(new PolicyStatement({ actions: [...OBJECT_ACTIONS[grant.access]], resources: objectArns }));
    if (grant.access !== 'write' && !grant.prefixes) {
      role.addToPrincipalPolicy(
        new PolicyStatement({ actions: grant.access === 'erase' ? ['s3:ListBucket', 's3:ListBucketVersions'] : ['s3:ListBucket'], resources: [b.bucketArn] }),
      );
    }
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [...KEY_ACTIONS[grant.access === 'read' ? 'decrypt' : 'encrypt']],
        resources: [resources.key.keyArn],
      }),
    );
    for (const p of grant.prefixes ?? ['']) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(b)}.Arn>/${p}*]`,
        reason: `Object keys are not known in advance; access is limited to ${p ? `the ${p} prefix of ` : ''}the ${grant.bucket} bucket with the listed, non-wildcard actions.`,
      });
    }
    return;
  }
  const q = resources.queues[grant.queue];
  fn.addEnvironment(envVarOf(grant), q.queueUrl);
  role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [q.queueArn] }));
  if (queues[grant.queue].encryption === 'kms') {
    role.addToPrincipalPolicy(new PolicyStatement({ actions: [...KEY_ACTIONS.encrypt], resources: [resources.key.keyArn] }));
  }
}

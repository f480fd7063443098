import { type CfnElement, Stack, Token, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { ATHENA_ENV, type BucketName, envVarOf, type Grant, type QueueName, queues, type SecretName, table as tableDefinition } from '../definitions.ts';

/** The resources a function's grants can name. */
export interface Bindable {
  readonly table: ITable;
  readonly buckets: Readonly<Record<BucketName, IBucket>>;
  readonly queues: Readonly<Record<QueueName, IQueue>>;
  readonly deadLetterQueues: Readonly<Record<QueueName, IQueue>>;
  readonly secrets: Readonly<Record<SecretName, ISecret>>;
  /** The customer-managed key that encrypts all of them. */
  readonly key: IKey;
  /** The KPI workgroup and Glue database (names), and the bucket Athena writes results to. */
  readonly athena?: { readonly workGroup: string; readonly database: string };
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
  failures: ['dynamodb:PutItem'],
  scan: ['dynamodb:Scan', 'dynamodb:DescribeTable'],
} as const;

/** Running KPI queries: the workgroup's query calls, the catalogue reads Athena makes as the caller. */
export const ATHENA_ACTIONS = ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution'] as const;
export const GLUE_ACTIONS = ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions'] as const;
/** Athena writes results to the workgroup's location as the caller. */
export const RESULT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'] as const;

/** Partition keys the `deliveries` grant may touch (the webhook delivery log). */
export const DELIVERY_LEADING_KEYS = ['WEBHOOK#*'];

/** Partition keys of the narrow table grants (IAM `dynamodb:LeadingKeys`). */
export const LEADING_KEYS = { deliveries: DELIVERY_LEADING_KEYS, suppression: ['SUPPRESS#*'], requests: ['DSR#*'], failures: ['FAILED#*'] } as const;

export const OBJECT_ACTIONS = {
  read: ['s3:GetObject'],
  write: ['s3:PutObject'],
  readWrite: ['s3:GetObject', 's3:PutObject'],
  manage: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
  erase: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
} as const;

/** A queue grant's actions: sending, or scrubbing its dead-letter queue (each message received, then deleted or sent again). */
export const QUEUE_ACTIONS = {
  send: ['sqs:SendMessage'],
  scrubDeadLetters: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:SendMessage'],
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
  if ('athena' in grant) {
    const athena = resources.athena;
    if (!athena) throw new Error('An athena grant needs the Analytics workgroup and database');
    const stack = Stack.of(fn);
    fn.addEnvironment(ATHENA_ENV.workGroup, athena.workGroup);
    fn.addEnvironment(ATHENA_ENV.database, athena.database);
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: [...ATHENA_ACTIONS], resources: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: athena.workGroup })] }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [...GLUE_ACTIONS],
        resources: [
          stack.formatArn({ service: 'glue', resource: 'catalog' }),
          stack.formatArn({ service: 'glue', resource: 'database', resourceName: athena.database }),
          stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${athena.database}/*` }),
        ],
      }),
    );
    const results = resources.buckets.athena;
    role.addToPrincipalPolicy(new PolicyStatement({ actions: [...RESULT_ACTIONS], resources: [results.arnForObjects('results/*')] }));
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:GetBucketLocation', 's3:ListBucket'], resources: [results.bucketArn, resources.buckets.lake.bucketArn] }));
    role.addToPrincipalPolicy(new PolicyStatement({ actions: [...KEY_ACTIONS.encrypt], resources: [resources.key.keyArn] }));
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(results)}.Arn>/results/*]`,
      reason: 'Athena names each result object by query id; access is limited to the results/ prefix of the results bucket.',
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glue:${Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region}:${Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account}:table/${athena.database}/*]`,
      reason: "Read-only catalogue calls on the stack's own KPI database, whose tables the stack defines.",
    });
    return;
  }
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
    const narrow = grant.table === 'deliveries' || grant.table === 'suppression' || grant.table === 'requests' || grant.table === 'failures';
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
        actions: [...KEY_ACTIONS[grant.table === 'read' || grant.table === 'suppression' || grant.table === 'scan' ? 'decrypt' : 'encrypt']],
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
    if (grant.access !== 'write') {
      const listing = grant.access === 'erase' ? ['s3:ListBucket', 's3:ListBucketVersions'] : ['s3:ListBucket'];
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: listing,
          resources: [b.bucketArn],
          // With prefixes, listing is limited to them too.
          ...(grant.prefixes ? { conditions: { StringLike: { 's3:prefix': grant.prefixes.map((p) => `${p}*`) } } } : {}),
        }),
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
  const q = grant.access === 'scrubDeadLetters' ? resources.deadLetterQueues[grant.queue] : resources.queues[grant.queue];
  fn.addEnvironment(envVarOf(grant), q.queueUrl);
  role.addToPrincipalPolicy(new PolicyStatement({ actions: [...QUEUE_ACTIONS[grant.access]], resources: [q.queueArn] }));
  if (queues[grant.queue].encryption === 'kms') {
    role.addToPrincipalPolicy(new PolicyStatement({ actions: [...KEY_ACTIONS.encrypt], resources: [resources.key.keyArn] }));
  }
}

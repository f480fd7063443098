import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { dlqOutputKey, outputKey, PUBLISHER_OUTPUT } from '../lib/cdp-stack.ts';
import { type BucketName, buckets, type QueueName, queues, secrets, table } from '../lib/definitions.ts';
import { type TwinInfo, twinInfoPath, twinSdkEnvironment } from '../local/twin.ts';
import { UsageError } from './output.ts';

/** Where a command acts: the local twin (default) or a deployed stack. Same resource names either way. */
export interface Target {
  readonly kind: 'local' | 'aws';
  readonly description: string;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  readonly buckets: Record<BucketName, string>;
  readonly queueUrls: Record<QueueName, string>;
  readonly dlqUrls: Record<QueueName, string>;
  /** Base URL of the HTTP API (the twin's server, or API Gateway). */
  readonly apiUrl: string;
  /** Where webhook secrets are: the twin's CDP_HOME, or the stack's Secrets Manager secret. */
  readonly webhookSecrets: { readonly home: string } | { readonly secretArn: string };
  /** Where the privacy salt is: the twin's CDP_HOME, or the stack's privacy secret. */
  readonly privacySalt: { readonly home: string } | { readonly secretArn: string };
  /** The deployed KPI publisher function (the twin runs the publisher in process). */
  readonly kpiPublisher?: string;
}

export const defaultHome = (): string => path.resolve(process.env.CDP_HOME ?? '.cdp');

/** The running twin under CDP_HOME, as its twin.json describes it. */
export function localTarget(home = defaultHome()): Target {
  const file = twinInfoPath(home);
  if (!existsSync(file)) {
    throw new UsageError(`No local twin is running under ${home}. Start it with \`npm start\` (or \`npx cdp up\`).`);
  }
  const info = JSON.parse(readFileSync(file, 'utf8')) as TwinInfo;
  Object.assign(process.env, twinSdkEnvironment(info.endpoints));
  return {
    kind: 'local',
    description: `local twin at ${info.url}`,
    s3: new S3Client({}),
    sqs: new SQSClient({}),
    dynamodb: new DynamoDBClient({}),
    tableName: info.resources.tableName,
    buckets: info.resources.buckets,
    queueUrls: info.resources.queueUrls,
    dlqUrls: info.resources.dlqUrls,
    apiUrl: info.url,
    webhookSecrets: { home },
    privacySalt: { home },
  };
}

/** A deployed stack: resource names come from its CloudFormation outputs (credentials and region from the SDK chain). */
export async function awsTarget(stackName: string): Promise<Target> {
  const cfn = new CloudFormationClient({});
  const res = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = new Map((res.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  const need = (envVar: string): string => {
    const value = outputs.get(outputKey(envVar));
    if (!value) throw new UsageError(`Stack ${stackName} has no output ${outputKey(envVar)}; is it a cdp stack?`);
    return value;
  };
  return {
    kind: 'aws',
    description: `stack ${stackName}`,
    s3: new S3Client({}),
    sqs: new SQSClient({}),
    dynamodb: new DynamoDBClient({}),
    tableName: need(table.envVar),
    buckets: Object.fromEntries(
      (Object.keys(buckets) as BucketName[]).map((b) => [b, need(buckets[b].envVar)]),
    ) as Record<BucketName, string>,
    queueUrls: Object.fromEntries(
      (Object.keys(queues) as QueueName[]).map((q) => [q, need(queues[q].envVar)]),
    ) as Record<QueueName, string>,
    dlqUrls: Object.fromEntries(
      (Object.keys(queues) as QueueName[]).map((q) => {
        const value = outputs.get(dlqOutputKey(queues[q].envVar));
        if (!value) throw new UsageError(`Stack ${stackName} has no output ${dlqOutputKey(queues[q].envVar)}; is it a cdp stack?`);
        return [q, value];
      }),
    ) as Record<QueueName, string>,
    apiUrl: need('API_URL'),
    webhookSecrets: { secretArn: need(secrets.webhooks.envVar) },
    privacySalt: { secretArn: need(secrets.privacy.envVar) },
    ...(outputs.get(PUBLISHER_OUTPUT) ? { kpiPublisher: outputs.get(PUBLISHER_OUTPUT)! } : {}),
  };
}

export async function resolveTarget(flags: { target?: string; stack?: string }): Promise<Target> {
  const kind = flags.target ?? 'local';
  if (kind === 'local') return localTarget();
  if (kind === 'aws') {
    if (!flags.stack) throw new UsageError('--target aws needs --stack <name>');
    return awsTarget(flags.stack);
  }
  throw new UsageError(`Unknown --target ${kind}; use local or aws`);
}

import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../lib/app.ts';
import { importBeside, runThread, threadScript } from '../../lambdas/shared/threads.ts';
import { readParquet, toParquet } from '../../lambdas/formats/parquet.ts';
import type { LakeEraser, ObjectVault, StoredObject } from '../../lambdas/ports/privacy.ts';
import { ATHENA_ACTIONS, GLUE_ACTIONS, KEY_ACTIONS, OBJECT_ACTIONS, QUEUE_ACTIONS, RESULT_ACTIONS, TABLE_ACTIONS } from '../../lib/constructs/grants.ts';
import { KPIS } from '../../lambdas/domain/kpi/definitions.ts';
import { CURATED_TABLES } from '../../lambdas/domain/lake/tables.ts';
import { buckets, functions, queues, routes as routeDefinitions } from '../../lib/definitions.ts';

const projectRoot = path.resolve(import.meta.dirname, '../..');
let template: Template;

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

const ROLE_IDS: Record<string, string> = {
  IngestFile: 'ingestFile',
  IngestWebhook: 'ingestWebhook',
  ResolveRecords: 'resolveRecords',
  GetProfile: 'getProfile',
  PrivacyApi: 'privacyApi',
  PrivacyWorker: 'privacyWorker',
  PublishKpis: 'publishKpis',
};

/** Every statement attached to each Lambda role (inline policies), by function name. */
function statementsByFunction(): Map<string, (Statement & { Condition?: unknown })[]> {
  const json = template.toJSON() as { Resources: Resources };
  const out = new Map<string, (Statement & { Condition?: unknown })[]>();
  for (const [roleId, role] of Object.entries(json.Resources)) {
    const m = /(IngestFile|IngestWebhook|ResolveRecords|GetProfile|PrivacyApi|PrivacyWorker|PublishKpis)Role/.exec(roleId);
    if (role.Type !== 'AWS::IAM::Role' || !m) continue;
    const statements: (Statement & { Condition?: unknown })[] = [];
    for (const r of Object.values(json.Resources)) {
      if (r.Type !== 'AWS::IAM::Policy') continue;
      const attached = (r.Properties.Roles as { Ref: string }[]).some((x) => x.Ref === roleId);
      if (attached) statements.push(...(r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    }
    out.set(ROLE_IDS[m[1]!]!, statements);
  }
  return out;
}

/** Every action each Lambda role may perform, by function name. */
function actionsByFunction(): Map<string, Set<string>> {
  return new Map([...statementsByFunction()].map(([fn, statements]) => [fn, new Set(statements.flatMap((s) => [s.Action].flat()))]));
}

describe('CDK stack', () => {
  beforeAll(() => {
    const { app, stack } = buildApp({
      projectRoot,
      stackName: 'cdp-test',
      outdir: path.join(projectRoot, 'cdk.out', 'test'),
    });
    // Synthesis runs cdk-nag's AwsSolutions pack; any unacknowledged finding throws here.
    app.synth();
    template = Template.fromStack(stack);
  });

  it('blocks public access, enforces TLS and encrypts every data bucket with the customer key', () => {
    template.resourcePropertiesCountIs(
      'AWS::S3::Bucket',
      {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } },
          ],
        },
      },
      Object.keys(buckets).length,
    );
    const policies = template.findResources('AWS::S3::BucketPolicy');
    expect(Object.keys(policies)).toHaveLength(Object.keys(buckets).length + 1);
    for (const p of Object.values(policies)) {
      expect(JSON.stringify(p)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('versions the buckets that erasure must reach, and expires old versions', () => {
    const versioned = Object.values(buckets).filter((b) => b.versioned).length;
    template.resourcePropertiesCountIs(
      'AWS::S3::Bucket',
      { VersioningConfiguration: { Status: 'Enabled' } },
      versioned,
    );
    template.resourcePropertiesCountIs(
      'AWS::S3::Bucket',
      {
        LifecycleConfiguration: {
          Rules: Match.arrayWith([Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 1 } })]),
        },
      },
      versioned,
    );
  });

  it('gives every queue a DLQ with the defined redrive count, TLS only and encryption', () => {
    const all = template.findResources('AWS::SQS::Queue');
    expect(Object.keys(all)).toHaveLength(Object.keys(queues).length * 2);
    for (const def of Object.values(queues)) {
      template.hasResourceProperties('AWS::SQS::Queue', {
        VisibilityTimeout: def.visibilityTimeoutSeconds,
        RedrivePolicy: { maxReceiveCount: def.maxReceiveCount, deadLetterTargetArn: Match.anyValue() },
        ...(def.encryption === 'kms' ? { KmsMasterKeyId: Match.anyValue() } : { SqsManagedSseEnabled: true }),
      });
    }
    for (const q of Object.values(all)) {
      const p = q.Properties as Record<string, unknown>;
      expect(p.KmsMasterKeyId !== undefined || p.SqsManagedSseEnabled === true).toBe(true);
    }
    template.resourceCountIs('AWS::SQS::QueuePolicy', Object.keys(queues).length * 2);
  });

  it('keeps the table on demand, with PITR and the customer-managed key', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('runs functions on nodejs22.x/arm64 with explicit timeouts, encrypted logs and partial batch responses', () => {
    for (const def of Object.values(functions)) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Timeout: def.timeoutSeconds,
        MemorySize: def.memoryMb,
        KmsKeyArn: Match.anyValue(),
        Environment: { Variables: Match.objectLike({ NODE_OPTIONS: ['--enable-source-maps', ...(def.nodeOptions ?? [])].join(' ') }) },
      });
      if (def.source) {
        template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          BatchSize: def.source.batchSize,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
        });
      }
    }
    // The importer runs with the V8 flags its benchmark measured.
    expect(functions.ingestFile.nodeOptions).toContain('--max-semi-space-size=32');
    // One encrypted log group per function, and the API's access logs.
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30, KmsKeyId: Match.anyValue() }, Object.keys(functions).length + 1);
    template.resourceCountIs('AWS::Logs::LogGroup', Object.keys(functions).length + 1);
  });

  it('grants each function role exactly the actions its definition needs', () => {
    const roles = actionsByFunction();
    const consume = [
      'sqs:ReceiveMessage',
      'sqs:ChangeMessageVisibility',
      'sqs:GetQueueUrl',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
    ];
    const logs = ['logs:CreateLogStream', 'logs:PutLogEvents'];
    expect([...roles.get('ingestFile')!].sort()).toEqual(
      [
        ...logs,
        ...consume,
        'kms:Decrypt',
        ...KEY_ACTIONS.encrypt,
        ...OBJECT_ACTIONS.read,
        's3:ListBucket',
        ...OBJECT_ACTIONS.write,
        'sqs:SendMessage',
        ...TABLE_ACTIONS.read,
        ...TABLE_ACTIONS.failures,
        'secretsmanager:GetSecretValue',
      ]
        .filter((a, i, all) => all.indexOf(a) === i)
        .sort(),
    );
    // The importer writes to the table only its failure notes (FAILED# items: why a message failed).
    const writes = statementsByFunction()
      .get('ingestFile')!
      .filter((s) => [s.Action].flat().some((a) => a === 'dynamodb:PutItem'));
    expect(writes).toHaveLength(1);
    expect([writes[0]!.Action].flat()).toEqual(['dynamodb:PutItem']);
    expect(writes[0]!.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['FAILED#*'] } });
    expect([...roles.get('resolveRecords')!].sort()).toEqual(
      [...logs, ...consume, 'kms:Decrypt', ...KEY_ACTIONS.encrypt, ...TABLE_ACTIONS.readWrite, 'secretsmanager:GetSecretValue']
        .filter((a, i, all) => all.indexOf(a) === i)
        .sort(),
    );
  });

  it('lets the profile API read the table and nothing else', () => {
    const logs = ['logs:CreateLogStream', 'logs:PutLogEvents'];
    expect([...actionsByFunction().get('getProfile')!].sort()).toEqual([...logs, 'kms:Decrypt', ...TABLE_ACTIONS.read].sort());
  });

  it('lets the webhook receiver read source files, archive raw bodies, queue, and touch only the delivery log', () => {
    const logs = ['logs:CreateLogStream', 'logs:PutLogEvents'];
    const statements = statementsByFunction().get('ingestWebhook')!;
    expect([...new Set(statements.flatMap((s) => [s.Action].flat()))].sort()).toEqual(
      [...logs, 'kms:Decrypt', 'kms:GenerateDataKey', 's3:GetObject', 's3:ListBucket', 's3:PutObject', 'sqs:SendMessage', ...TABLE_ACTIONS.deliveries, ...TABLE_ACTIONS.suppression, 'secretsmanager:GetSecretValue']
        .filter((a, i, all) => all.indexOf(a) === i)
        .sort(),
    );
    const table = statements.find((s) => [s.Action].flat().includes('dynamodb:PutItem'))!;
    expect(table.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['WEBHOOK#*'] } });
    // The suppression list: point reads of SUPPRESS# items, nothing else of the table.
    const suppression = statements.find((s) => [s.Action].flat().includes('dynamodb:BatchGetItem'))!;
    expect([suppression.Action].flat()).toEqual(['dynamodb:BatchGetItem']);
    expect(suppression.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SUPPRESS#*'] } });
    const objects = JSON.stringify(statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:'))).map((s) => s.Resource));
    for (const prefix of ['mappings/*', 'webhooks/*', 'quarantine/*']) expect(objects).toContain(prefix);
    expect(objects).not.toMatch(/"\/\*"/);
    // Listing (so a missing source file is a 404, not an access error) only under mappings/.
    const listing = statements.find((s) => [s.Action].flat().includes('s3:ListBucket'))!;
    expect(listing.Condition).toEqual({ StringLike: { 's3:prefix': ['mappings/*'] } });
  });

  it('lets the privacy API create and read requests only (DSR# items), queue work and read the salt', () => {
    const logs = ['logs:CreateLogStream', 'logs:PutLogEvents'];
    const statements = statementsByFunction().get('privacyApi')!;
    expect([...new Set(statements.flatMap((s) => [s.Action].flat()))].sort()).toEqual(
      [...logs, 'kms:Decrypt', 'kms:GenerateDataKey', 'sqs:SendMessage', ...TABLE_ACTIONS.requests, 'secretsmanager:GetSecretValue'].filter((a, i, all) => all.indexOf(a) === i).sort(),
    );
    const table = statements.find((s) => [s.Action].flat().includes('dynamodb:PutItem'))!;
    expect(table.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['DSR#*'] } });
    const index = statements.find((s) => JSON.stringify(s.Resource).includes('/index/'))!;
    expect([index.Action].flat()).toEqual(['dynamodb:Query']);
  });

  it('lets the privacy worker erase objects and their old versions, in the lake only under curated/ and segments/', () => {
    const logs = ['logs:CreateLogStream', 'logs:PutLogEvents'];
    const consume = ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];
    const statements = statementsByFunction().get('privacyWorker')!;
    expect([...new Set(statements.flatMap((s) => [s.Action].flat()))].sort()).toEqual(
      [...logs, ...consume, 'kms:Decrypt', 'kms:GenerateDataKey', ...OBJECT_ACTIONS.erase, 's3:ListBucket', 's3:ListBucketVersions', 'sqs:SendMessage', ...TABLE_ACTIONS.readWrite, 'secretsmanager:GetSecretValue']
        .filter((a, i, all) => all.indexOf(a) === i)
        .sort(),
    );
    const buckets = JSON.stringify(statements.filter((s) => [s.Action].flat().includes('s3:DeleteObjectVersion')).map((s) => s.Resource));
    for (const b of ['Landing', 'Raw', 'Exports', 'Lake']) expect(buckets).toContain(b);
    const lake = statements.filter((s) => JSON.stringify(s.Resource).includes('Lake') && [s.Action].flat().includes('s3:DeleteObject'));
    expect(JSON.stringify(lake.map((s) => s.Resource))).toMatch(/curated\/\*.*segments\/\*/);
    expect(JSON.stringify(lake.map((s) => s.Resource))).not.toContain('kpi/');
    const listing = statements.find((s) => JSON.stringify(s.Resource).includes('Lake') && [s.Action].flat().includes('s3:ListBucket'))!;
    expect(listing.Condition).toEqual({ StringLike: { 's3:prefix': ['curated/*', 'segments/*'] } });
    // The records queue's dead letters, scrubbed by an erasure: that dead-letter queue only, named in its environment.
    const scrub = statements.filter((s) => [s.Action].flat().includes('sqs:DeleteMessage') && [s.Action].flat().includes('sqs:SendMessage'));
    expect(scrub.map((s) => [s.Action].flat().sort())).toEqual([[...QUEUE_ACTIONS.scrubDeadLetters].sort()]);
    expect(JSON.stringify(scrub[0]!.Resource)).toMatch(/IngestionRecordsDlq/);
    const json = template.toJSON() as { Resources: Resources };
    const [, fn] = Object.entries(json.Resources).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.includes('PrivacyWorkerFunction'))!;
    expect(JSON.stringify((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.RECORDS_DLQ_URL)).toMatch(/IngestionRecordsDlq/);
  });

  it('lets the KPI publisher scan the table, read import reports, manage the lake and query its own workgroup only', () => {
    const logs = ['logs:CreateLogStream', 'logs:PutLogEvents'];
    const statements = statementsByFunction().get('publishKpis')!;
    expect([...new Set(statements.flatMap((s) => [s.Action].flat()))].sort()).toEqual(
      [...logs, 'kms:Decrypt', 'kms:GenerateDataKey', ...TABLE_ACTIONS.scan, ...OBJECT_ACTIONS.manage, 's3:ListBucket', 's3:GetBucketLocation', ...ATHENA_ACTIONS, ...GLUE_ACTIONS, ...RESULT_ACTIONS]
        .filter((a, i, all) => all.indexOf(a) === i)
        .sort(),
    );
    const athena = statements.find((s) => [s.Action].flat().includes('athena:StartQueryExecution'))!;
    expect(JSON.stringify(athena.Resource)).toContain('workgroup/cdp-test-kpi');
    const raw = statements.find((s) => JSON.stringify(s.Resource).includes('Raw') && [s.Action].flat().includes('s3:GetObject'))!;
    expect(JSON.stringify(raw.Resource)).toContain('reports/imports/*');
    expect(statements.some((s) => [s.Action].flat().includes('dynamodb:PutItem'))).toBe(false);
  });

  it("bundles the KPI publisher's snapshot thread beside its handler, and the bundled thread runs", async () => {
    const json = template.toJSON() as { Resources: Resources };
    const [, fn] = Object.entries(json.Resources).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.includes('PublishKpisFunction'))!;
    expect(fn.Properties.MemorySize).toBe(3538);
    const key = (fn.Properties.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '');
    const bundle = path.join(projectRoot, 'cdk.out', 'test', `asset.${key}`);
    expect(existsSync(path.join(bundle, 'index.mjs'))).toBe(true);
    const script = threadScript('publish-kpis-part', pathToFileURL(path.join(bundle, 'index.mjs')).href);
    expect(script.pathname.endsWith('/publish-kpis-part.mjs')).toBe(true);
    // Started as the handler starts it: it loads, runs, and answers (here, that it has no table to read).
    await expect(runThread(script, { asOf: '2026-11-23', part: { index: 0, count: 2 } })).rejects.toThrow('Missing required environment variable TABLE_NAME');
  });

  it("bundles the privacy worker's lake erasure beside its handler, out of its cold start, and the bundled module erases", async () => {
    const json = template.toJSON() as { Resources: Resources };
    const [, fn] = Object.entries(json.Resources).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.includes('PrivacyWorkerFunction'))!;
    const bundle = path.join(projectRoot, 'cdk.out', 'test', `asset.${(fn.Properties.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '')}`);
    const handler = pathToFileURL(path.join(bundle, 'index.mjs')).href;
    expect(threadScript('privacy-lake', handler).pathname.endsWith('/privacy-lake.mjs')).toBe(true);
    // hyparquet's footer check ("parquet file invalid (footer != PAR1)") is in the module, not in the handler.
    expect(readFileSync(path.join(bundle, 'index.mjs'), 'utf8')).not.toContain('footer != PAR1');
    expect(readFileSync(path.join(bundle, 'privacy-lake.mjs'), 'utf8')).toContain('footer != PAR1');
    // Loaded as the handler loads it, it removes one person's rows from a segment file and keeps the other's.
    const { eraseFromLake } = await importBeside<{ eraseFromLake: LakeEraser }>('privacy-lake', handler);
    const key = 'segments/vip/part-0.parquet';
    const files = new Map<string, Uint8Array>([[key, toParquet([{ name: 'profile_id', type: 'string' }], [{ profile_id: 'p_a' }, { profile_id: 'p_b' }])]]);
    const vault = {
      async *list(_bucket: string, prefix: string) {
        for (const [k, bytes] of files) if (k.startsWith(prefix)) yield { key: k, size: bytes.length };
      },
      get: async (_bucket: string, k: string): Promise<StoredObject | undefined> => (files.has(k) ? { bytes: files.get(k)! } : undefined),
      replace: async (_bucket: string, k: string, bytes: Uint8Array) => (files.set(k, bytes), 'ok' as const),
      purgeOldVersions: async () => 0,
    } as unknown as ObjectVault;
    const done = await eraseFromLake(vault, 'lake', 'dsr_test', new Set(['p_a']));
    expect(done).toEqual({ filesScanned: 1, filesRewritten: [{ key, rowsRemoved: 1 }], oldVersionsDeleted: 0 });
    expect(await readParquet(files.get(key)!)).toEqual([{ profile_id: 'p_b' }]);
  });

  it('alarms to one encrypted topic on every DLQ holding a message, every function error and throttle, and overdue privacy requests', () => {
    const json = template.toJSON() as { Resources: Resources };
    const alarms = Object.values(json.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm').map((r) => r.Properties);
    const fnCount = Object.keys(functions).length;
    const queueCount = Object.keys(queues).length;
    expect(alarms).toHaveLength(queueCount + 2 * fnCount + 1);
    const [topicId] = Object.entries(json.Resources).find(([, r]) => r.Type === 'AWS::SNS::Topic')!;
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    for (const a of alarms) {
      expect(a.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(a).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
    }
    const byMetric = (name: string) => alarms.filter((a) => a.MetricName === name);
    expect(byMetric('ApproximateNumberOfMessagesVisible')).toHaveLength(queueCount);
    expect(byMetric('Errors')).toHaveLength(fnCount);
    expect(byMetric('Throttles')).toHaveLength(fnCount);
    expect(byMetric('overduePrivacyRequests')).toEqual([expect.objectContaining({ Namespace: 'cdp', Dimensions: [{ Name: 'service', Value: 'cdp-publish-kpis' }], Period: 86_400 })]);
    // Each DLQ alarm names the command that shows and replays it.
    expect(byMetric('ApproximateNumberOfMessagesVisible').every((a) => /cdp dlq redrive/.test(String(a.AlarmDescription)))).toBe(true);
    // CloudWatch may use the key only for this account's alarms.
    const key = Object.values(json.Resources).find((r) => r.Type === 'AWS::KMS::Key')!;
    const statements = (key.Properties.KeyPolicy as { Statement: { Principal?: { Service?: string }; Condition?: unknown }[] }).Statement;
    expect(statements.find((st) => st.Principal?.Service === 'cloudwatch.amazonaws.com')?.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
    const dashboard = Object.values(json.Resources).find((r) => r.Type === 'AWS::CloudWatch::Dashboard')!;
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const title of ['Queue depth', 'Dead-letter queues', 'Errors and throttles', 'Webhooks by outcome', 'Privacy requests past the deadline']) expect(body).toContain(title);
  });

  it('catalogues every curated and KPI table in Glue with partition projection, a named query per KPI, a daily schedule', () => {
    const tables = template.findResources('AWS::Glue::Table') as Record<string, { Properties: { TableInput: { Name: string; Parameters: Record<string, string> } } }>;
    const names = Object.values(tables).map((t) => t.Properties.TableInput.Name).sort();
    expect(names).toEqual([...CURATED_TABLES, ...KPIS.map((k) => `kpi_${k.name}`)].sort());
    for (const t of Object.values(tables)) {
      expect(t.Properties.TableInput.Parameters['projection.enabled']).toBe('true');
      expect(t.Properties.TableInput.Parameters['storage.location.template']).toBeDefined();
    }
    const queries = template.findResources('AWS::Athena::NamedQuery') as Record<string, { Properties: { QueryString: string } }>;
    expect(Object.keys(queries)).toHaveLength(KPIS.length);
    for (const q of Object.values(queries)) expect(q.Properties.QueryString).not.toMatch(/\{\{/);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(15 3 * * ? *)' });
    expect(template.findResources('AWS::Glue::Crawler')).toEqual({});
  });

  it('serves the API with IAM authorisation except the vendor webhook routes, with access logs and stage throttling', () => {
    const routes = template.findResources('AWS::ApiGatewayV2::Route') as Record<string, { Properties: { AuthorizationType: string; RouteKey: string } }>;
    expect(Object.keys(routes).length).toBe(routeDefinitions.length);
    for (const r of Object.values(routes)) {
      const open = /^(POST|GET) \/webhooks\/\{source\}$/.test(r.Properties.RouteKey);
      expect(r.Properties.AuthorizationType).toBe(open ? 'NONE' : 'AWS_IAM');
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() }),
    });
  });

  it('uses no wildcard action on data anywhere in the stack', () => {
    const json = template.toJSON() as { Resources: Resources };
    const actions = Object.values(json.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) =>
        (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement.flatMap((s) => [s.Action].flat()),
      );
    const wildcardOnData = actions.filter((a) => /^(s3|dynamodb|sqs):.*\*/.test(a) || a === '*');
    expect(wildcardOnData).toEqual([]);
  });

  it('enforces encrypted Athena results and a scan limit', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: Match.anyValue(),
        ResultConfiguration: Match.objectLike({
          EncryptionConfiguration: Match.objectLike({ EncryptionOption: 'SSE_KMS' }),
        }),
      }),
    });
  });

  it('fails synthesis on a cdk-nag finding that is not acknowledged with a reason', () => {
    const app = new App({ outdir: path.join(projectRoot, 'cdk.out', 'nag-negative') });
    const stack = new Stack(app, 'Bad');
    new Bucket(stack, 'Careless'); // no TLS policy, no access logs
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow();
  });
});

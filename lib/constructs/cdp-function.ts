import * as path from 'node:path';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { type IRole, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ESBUILD_TARGET, ESM_REQUIRE_BANNER, EXTERNAL_MODULES } from '../bundling.ts';
import type { FunctionDefinition } from '../definitions.ts';
import { type Bindable, bindGrant } from './grants.ts';

/** esbuild, as NodejsFunction runs it, for a worker-thread script or a module: `<name>.mjs` beside the handler's bundle. */
function besideBundleCommand(projectRoot: string, entry: string, outputDir: string): string {
  const out = path.join(outputDir, `${path.basename(entry, '.ts')}.mjs`);
  const externals = EXTERNAL_MODULES.map((m) => `"--external:${m}"`).join(' ');
  return `"${path.join(projectRoot, 'node_modules', '.bin', 'esbuild')}" "${entry}" --bundle --platform=node --format=esm --target=${ESBUILD_TARGET} --minify --main-fields=module,main ${externals} "--banner:js=${ESM_REQUIRE_BANNER}" --log-level=warning --outfile="${out}"`;
}

export interface CdpFunctionProps {
  readonly definition: FunctionDefinition;
  /** Resources the definition's grants refer to. */
  readonly resources: Bindable;
  /** The queue the definition's `source` names, when it has one. */
  readonly sourceQueue?: IQueue;
  /** Key encrypting the function's environment and log group. */
  readonly encryptionKey: IKey;
  /** Project root (where package-lock.json is). */
  readonly projectRoot: string;
  /**
   * Log retention.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
}

/**
 * A Lambda function on nodejs22.x / arm64, bundled by the local esbuild, with its own role (no managed policies),
 * its own encrypted log group, and exactly the permissions its definition grants. Each grant sets the environment
 * variable naming its resource, so names and permissions cannot drift.
 */
export class CdpFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: IRole;

  constructor(scope: Construct, id: string, props: CdpFunctionProps) {
    super(scope, id);
    const { definition } = props;
    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${id}`,
    });
    logGroup.grantWrite(role);
    this.role = role;

    this.fn = new NodejsFunction(this, 'Function', {
      entry: path.join(props.projectRoot, definition.entry),
      handler: 'handler',
      description: definition.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      timeout: Duration.seconds(definition.timeoutSeconds),
      memorySize: definition.memoryMb,
      role,
      logGroup,
      environmentEncryption: props.encryptionKey,
      projectRoot: props.projectRoot,
      depsLockFilePath: path.join(props.projectRoot, 'package-lock.json'),
      environment: {
        NODE_OPTIONS: ['--enable-source-maps', ...(definition.nodeOptions ?? [])].join(' '),
        POWERTOOLS_SERVICE_NAME: `cdp-${definition.entry.replace(/^.*\/|\.ts$/g, '')}`,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: ESBUILD_TARGET,
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        externalModules: EXTERNAL_MODULES,
        banner: ESM_REQUIRE_BANNER,
        ...(definition.files || definition.threads || definition.modules
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) => [
                  ...(definition.files ?? []).map((f) => `mkdir -p "${path.dirname(path.join(outputDir, f.to))}" && cp -R "${path.join(inputDir, f.from)}" "${path.join(outputDir, f.to)}"`),
                  ...[...(definition.threads ?? []), ...(definition.modules ?? [])].map((entry) => besideBundleCommand(props.projectRoot, path.join(inputDir, entry), outputDir)),
                ],
              },
            }
          : {}),
      },
    });
    if (definition.schedule) {
      new Rule(this, 'Schedule', {
        description: `Runs ${id} daily`,
        schedule: Schedule.cron({ hour: String(definition.schedule.hour), minute: String(definition.schedule.minute) }),
        targets: [new LambdaFunction(this.fn, { retryAttempts: 2 })],
      });
    }
    // The function's key was granted through the role's policy built above; the environment key needs decrypt too.
    props.encryptionKey.grantDecrypt(role);

    for (const grant of definition.grants) bindGrant(this.fn, role, grant, props.resources);

    if (definition.source) {
      if (!props.sourceQueue) throw new Error(`${id}: definition names a source queue but none was given`);
      this.fn.addEventSource(
        new SqsEventSource(props.sourceQueue, {
          batchSize: definition.source.batchSize,
          maxBatchingWindow:
            definition.source.maxBatchingWindowSeconds > 0
              ? Duration.seconds(definition.source.maxBatchingWindowSeconds)
              : undefined,
          maxConcurrency: definition.source.maxConcurrency,
          reportBatchItemFailures: true,
        }),
      );
    }

    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x on purpose: the design fixes the runtime the bundles are built and tested for; ' +
        'moving to a newer runtime is a deliberate, tested change.',
    });
  }
}

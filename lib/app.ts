import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CdpStack } from './cdp-stack.ts';

export interface BuildAppOptions {
  readonly stackName?: string;
  readonly projectRoot: string;
  readonly outdir?: string;
}

/** The CDK app with cdk-nag's AwsSolutions pack: any finding not acknowledged with a reason stops synthesis. */
export function buildApp(options: BuildAppOptions): { app: App; stack: CdpStack } {
  const app = new App(options.outdir ? { outdir: options.outdir } : {});
  const stack = new CdpStack(app, options.stackName ?? 'cdp', {
    projectRoot: options.projectRoot,
    description: 'Serverless customer data platform',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

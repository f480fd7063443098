import { CfnOutput, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, HttpNoneAuthorizer, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { apiThrottle, type FunctionName, routes } from '../definitions.ts';

export interface ApiProps {
  /** The functions routes name. */
  readonly functions: Readonly<Partial<Record<FunctionName, IFunction>>>;
  /** Key encrypting the access log group. */
  readonly encryptionKey: IKey;
}

/**
 * The HTTP API: the routes of the definitions, IAM-authorised where they say so (no route is open by default),
 * access-logged to an encrypted log group, throttled at the stage.
 */
export class Api extends Construct {
  readonly httpApi: HttpApi;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const logs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.ONE_MONTH,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Customer data platform API',
      createDefaultStage: false,
    });
    // A stage of its own (HttpApi.addStage('…', { stageName: '$default' }) collides with an internal id in this CDK).
    new HttpStage(this, 'Stage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: apiThrottle,
      accessLogSettings: { destination: new LogGroupLogDestination(logs) },
    });
    for (const route of routes) {
      const fn = props.functions[route.function];
      if (!fn) throw new Error(`route ${route.method} ${route.path} names function ${route.function}, which the stack does not have`);
      const added = this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${route.function}${route.method}${route.path.replace(/[^A-Za-z]/g, '')}Integration`, fn),
        authorizer: route.auth === 'iam' ? new HttpIamAuthorizer() : new HttpNoneAuthorizer(),
      });
      if (route.auth === 'none') {
        if (!route.openBecause) throw new Error(`route ${route.method} ${route.path} is open without a reason (openBecause)`);
        for (const r of added) Validations.of(r).acknowledge({ id: 'AwsSolutions-APIG4', reason: route.openBecause });
      }
    }
    new CfnOutput(this, 'Url', { key: 'ApiUrl', value: this.httpApi.apiEndpoint });
  }
}

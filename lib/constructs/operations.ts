import { Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC_NAMESPACE, OVERDUE_REQUESTS, WEBHOOKS } from '../../lambdas/shared/metrics.ts';
import type { FunctionName, QueueName } from '../definitions.ts';

export interface OperationsProps {
  readonly key: IKey;
  readonly functions: Record<FunctionName, IFunction>;
  readonly queues: Record<QueueName, IQueue>;
  readonly deadLetterQueues: Record<QueueName, IQueue>;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * What an operator watches in AWS: alarms (to one encrypted SNS topic, subscribe to it) on every dead-letter queue
 * that holds a message, every function error or throttle, and data-subject requests past their deadline; and one
 * CloudWatch dashboard of the flow (README: "Operations").
 */
export class Operations extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Alarms', { displayName: 'CDP alarms', masterKey: props.key, enforceSSL: true });
    // CloudWatch publishes to the encrypted topic only when it may use the key (for this account's alarms).
    props.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    const action = new SnsAction(this.topic);
    const alarm = (name: string, metric: IMetric, description: string, threshold = 1) => {
      const a = new Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(action);
      this.alarms.push(a);
    };

    for (const [name, dlq] of Object.entries(props.deadLetterQueues)) {
      alarm(
        `${pascal(name)}DlqDepth`,
        dlq.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
        `Messages in the ${name} dead-letter queue: see why with \`cdp dlq list ${name}\`, fix, then \`cdp dlq redrive ${name}\` (README: Operations).`,
      );
    }
    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(`${pascal(name)}Errors`, fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }), `${name} failed an invocation (its log group has the error, without personal data).`);
      alarm(`${pascal(name)}Throttles`, fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }), `${name} was throttled: its reserved or account concurrency is exhausted.`);
    }
    const overdue = new Metric({
      namespace: METRIC_NAMESPACE,
      metricName: OVERDUE_REQUESTS.name,
      dimensionsMap: { service: OVERDUE_REQUESTS.service },
      period: Duration.days(1),
      statistic: 'Maximum',
    });
    alarm('OverduePrivacyRequests', overdue, 'Data-subject requests are open past their GDPR deadline (counted by the daily KPI refresh): `cdp dsr list`.');

    const webhooks = new MathExpression({
      label: 'webhooks',
      expression: `SEARCH('{${METRIC_NAMESPACE},outcome,service} MetricName="${WEBHOOKS.name}" service="${WEBHOOKS.service}"', 'Sum', 300)`,
      period: FIVE_MINUTES,
    });
    const fns = Object.entries(props.functions);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-cdp`,
      defaultInterval: Duration.days(1),
      widgets: [
        [new TextWidget({ markdown: '# Customer data platform\nQueues, functions and privacy deadlines. Runbook: README, "Operations".', width: 24, height: 2 })],
        [
          new GraphWidget({
            title: 'Queue depth',
            width: 12,
            left: Object.entries(props.queues).map(([n, q]) => q.metricApproximateNumberOfMessagesVisible({ label: n, period: FIVE_MINUTES, statistic: 'Maximum' })),
          }),
          new GraphWidget({
            title: 'Dead-letter queues',
            width: 12,
            left: Object.entries(props.deadLetterQueues).map(([n, q]) => q.metricApproximateNumberOfMessagesVisible({ label: n, period: FIVE_MINUTES, statistic: 'Maximum' })),
          }),
        ],
        [
          new GraphWidget({ title: 'Invocations', width: 8, left: fns.map(([n, f]) => f.metricInvocations({ label: n, period: FIVE_MINUTES })) }),
          new GraphWidget({ title: 'Errors and throttles', width: 8, left: fns.flatMap(([n, f]) => [f.metricErrors({ label: `${n} errors`, period: FIVE_MINUTES }), f.metricThrottles({ label: `${n} throttles`, period: FIVE_MINUTES })]) }),
          new GraphWidget({ title: 'Duration p99', width: 8, left: fns.map(([n, f]) => f.metricDuration({ label: n, period: FIVE_MINUTES, statistic: 'p99' })) }),
        ],
        [
          new GraphWidget({ title: 'Webhooks by outcome', width: 16, left: [webhooks] }),
          new SingleValueWidget({ title: 'Privacy requests past the deadline', width: 8, metrics: [overdue] }),
        ],
      ],
    });
  }
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

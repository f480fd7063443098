/**
 * The product's own CloudWatch metrics (embedded metric format, Powertools Metrics): what handlers emit and what the
 * stack's alarms and dashboard watch, named once.
 */
export const METRIC_NAMESPACE = 'cdp';

/** Data-subject requests open past their deadline, emitted by the KPI publisher after each refresh. */
export const OVERDUE_REQUESTS = { service: 'cdp-publish-kpis', name: 'overduePrivacyRequests' } as const;

/** Webhook deliveries by outcome (`webhook.accepted`, `webhook.unauthorized`, ...), emitted by the receiver. */
export const WEBHOOKS = { service: 'cdp-ingest-webhook', name: 'webhooks', outcomes: ['webhook.accepted', 'webhook.duplicate', 'webhook.rejectedRecords', 'webhook.quarantined', 'webhook.suppressed', 'webhook.validation', 'webhook.unauthorized', 'webhook.refused', 'webhook.ping'] } as const;

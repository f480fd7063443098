import { type CanonicalRecord, identifierKey } from '../domain/canonical.ts';
import { stableHash } from '../domain/hash.ts';
import {
  authenticate,
  buildRecord,
  deliveryIdOf,
  vendorDeliveryId,
  eventHash,
  interpret,
  isUnsignedPing,
  parseBody,
  precheck,
  type Refusal,
  SOURCE_NAME,
  type SourceSettings,
  sourceSettings,
} from '../domain/webhooks/receive.ts';
import type { VendorPrivacyRequest, WebhookRequest } from '../domain/webhooks/types.ts';
import type { ObjectStore, RecordQueue } from '../ports/index.ts';
import type { SuppressionCheck } from '../ports/privacy.ts';
import { suppressionCheckKeys } from '../domain/privacy/suppression.ts';

/** A source's file that exists but is not JSON: the operator's mistake, answered like an unknown source. */
export class InvalidSourceFileError extends Error {
  override name = 'InvalidSourceFileError';
}

/**
 * Where a source's file (`config/sources/<name>.json`) is read from; undefined when it has none. Throws
 * InvalidSourceFileError for a file that is not JSON; any other failure (the store unreachable) propagates, so the
 * sender gets a 5xx and retries instead of a 404 that some vendors (Typeform) take as "disable this webhook".
 */
export interface SourceFiles {
  get(source: string): Promise<unknown>;
}

/** Webhook secrets by name (Secrets Manager in AWS, the environment locally). */
export interface SecretStore {
  get(name: string): Promise<string | undefined>;
}

/** Events already taken, by hashed event key: a redelivery is acknowledged and not processed again. */
export interface DeliveryLog {
  seen(source: string, eventHash: string): Promise<boolean>;
  remember(source: string, eventHash: string, deliveryId: string, expiresAt: Date): Promise<void>;
}

/** A data-subject request handed to the privacy capability. */
export interface PrivacyRequestMessage extends VendorPrivacyRequest {
  readonly source: string;
  readonly receivedAt: string;
  readonly origin: { readonly channel: 'webhook'; readonly deliveryId: string; readonly rawKey: string; readonly topic: string };
}

export interface PrivacyQueue {
  send(requests: readonly PrivacyRequestMessage[]): Promise<void>;
}

export interface WebhookDeps {
  readonly sources: SourceFiles;
  readonly secrets: SecretStore;
  readonly deliveries: DeliveryLog;
  readonly objects: ObjectStore;
  readonly rawBucket: string;
  readonly records: RecordQueue;
  readonly privacy: PrivacyQueue;
  readonly now: () => Date;
  /** Erased people's identifiers: their records are dropped and counted. */
  readonly suppression?: SuppressionCheck;
}

/** Redeliveries are recognised for this long (Stripe retries for 3 days, Shopify for 4 hours; margin for manual resends). */
export const DELIVERY_MEMORY_DAYS = 30;

/** What happened, for the response, the log and the metrics. No personal data. */
export interface WebhookOutcome {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** Metric to count (`webhook.accepted`, `webhook.unauthorized`, ...). */
  readonly metric: string;
  readonly vendor?: string;
  readonly topic?: string;
  readonly reason?: string;
  /** How many answers no field took (their labels are in the body, for the sender; not in logs). */
  readonly unmapped?: number;
}

const MESSAGES: Record<string, string> = {
  'source.unknown': 'No webhook source of that name: name a vendor (shopify, woocommerce, stripe, typeform, tally, mailchimp, elementor, cf7) or add config/sources/<name>.json',
  'source.invalidConfig': "The source's configuration file is invalid; see the function's log",
  'method.notAllowed': 'Webhooks are delivered with POST',
  'body.tooLarge': 'The body is larger than 1 MiB',
  'contentType.unsupported': "This source's vendor does not send that content type",
  'auth.missing': 'Unauthorized: the signature or token is missing',
  'auth.mismatch': 'Unauthorized: the signature or token does not match',
  'auth.stale': 'Unauthorized: the signature timestamp is outside the 300 s tolerance',
  'auth.noSecret': 'Unauthorized: no secret is configured for this source',
  'body.notUtf8': 'The body is not valid UTF-8',
  'json.malformed': 'The body is not valid JSON',
  'json.notAnObject': 'The JSON body is not an object',
  'form.empty': 'The form body is empty',
  'form.malformed': 'The form body has no fields',
};

const refuse = (status: number, reason: string, extra: Partial<WebhookOutcome> = {}): WebhookOutcome => ({
  status,
  body: { message: MESSAGES[reason] ?? reason, reason },
  metric: status === 401 ? 'webhook.unauthorized' : 'webhook.refused',
  reason,
  ...extra,
});

const datePart = (d: Date): string => d.toISOString().slice(0, 10);

/**
 * Receives one webhook delivery: authenticate on the raw bytes, read, archive the raw body, put its records on the
 * records queue (and any data-subject request on the privacy queue), remember the event, answer. A redelivered event
 * is answered 200 and not processed again. The sender's mistakes get 4xx with a reason; a malformed body from an
 * authentic sender is kept in quarantine.
 */
export async function receiveWebhook(deps: WebhookDeps, source: string, req: WebhookRequest): Promise<WebhookOutcome> {
  if (!SOURCE_NAME.test(source)) return refuse(404, 'source.unknown');
  let file: unknown;
  try {
    file = await deps.sources.get(source);
  } catch (e) {
    if (e instanceof InvalidSourceFileError) return refuse(404, 'source.invalidConfig');
    throw e;
  }
  const settings = sourceSettings(source, file);
  if ('error' in settings) return refuse(404, settings.error === 'unknown source' ? 'source.unknown' : 'source.invalidConfig', { reason: settings.error });
  const base = { vendor: settings.vendor };

  const pre = precheck(settings, req);
  if (pre === 'validation') return { status: 200, body: { ok: true }, metric: 'webhook.validation', ...base };
  if (pre) return refuse(pre.status, pre.reason, base);
  if (isUnsignedPing(settings, req)) return { status: 200, body: { received: true, ignored: 'ping' }, metric: 'webhook.ping', ...base };

  const now = deps.now();
  const auth = authenticate(settings, req, await deps.secrets.get(settings.secretName), now.getTime());
  if (auth !== 'ok') return refuse(401, `auth.${auth}`, base);

  const payload = parseBody(req);
  if ('status' in payload) return quarantine(deps, settings, req, payload, now);
  const meaning = interpret(settings, req, payload);
  const hash = eventHash(source, meaning.eventKey);
  const topic = meaning.topic;
  if (await deps.deliveries.seen(source, hash)) {
    return { status: 200, body: { received: true, duplicate: true }, metric: 'webhook.duplicate', ...base, topic };
  }

  const deliveryId = deliveryIdOf(req, meaning.eventKey, now.getTime());
  const rawKey = `webhooks/${source}/dt=${datePart(now)}/${deliveryId}.${payload.type === 'json' ? 'json' : 'txt'}`;
  const receivedAt = now.toISOString();
  const ctx = { source, deliveryId, rawKey, receivedAt };
  let records: CanonicalRecord[] = [];
  /** The records that could not be built: what the quarantine and the answer say, and the keys they are checked by. */
  let rejected: { recordKey: string; reasons: readonly string[]; keys: readonly string[] }[] = [];
  const unmapped = new Set<string>();
  for (const x of meaning.records) {
    const built = buildRecord(x, settings, ctx);
    if (built.ok) records.push(built.record);
    else rejected.push({ recordKey: built.recordKey, reasons: built.reasons, keys: built.identifierKeys });
    for (const label of built.unmapped) unmapped.add(label);
  }
  // An erased person's record is dropped, and so is one of theirs that would be rejected: kept in quarantine, it would
  // be a new copy of them.
  let suppressed = 0;
  if (deps.suppression && records.length + rejected.length > 0) {
    const isSuppressed = (keys: readonly string[]) => (keys.length > 0 ? deps.suppression!.isSuppressed(keys) : Promise.resolve(false));
    const [taken, refused] = await Promise.all([Promise.all(records.map((r) => isSuppressed(suppressionCheckKeys(r.identifiers.map(identifierKey), r.person)))), Promise.all(rejected.map((r) => isSuppressed(suppressionCheckKeys(r.keys))))]);
    suppressed = taken.filter(Boolean).length + refused.filter(Boolean).length;
    records = records.filter((_r, i) => !taken[i]);
    rejected = rejected.filter((_r, i) => !refused[i]);
  }
  const reasonsOf = () => rejected.map((r) => ({ recordKey: r.recordKey, reasons: r.reasons }));
  // A delivery about an erased person and no one else is not archived: the archive would be a new copy of them.
  const archive = !(suppressed > 0 && records.length === 0 && rejected.length === 0 && meaning.privacy.length === 0);
  const privacy: PrivacyRequestMessage[] = meaning.privacy.map((p) => ({ ...p, source, receivedAt, origin: { channel: 'webhook', deliveryId, rawKey, topic } }));

  // Durable before the answer, all at once: the raw body and what it says. If any write fails the sender gets a 5xx
  // and retries; the records' ids are deterministic, so the resolver takes each once. Only then is the event
  // remembered, so a failed delivery is never mistaken for a done one.
  const writes: Promise<void>[] = archive ? [deps.objects.put(deps.rawBucket, rawKey, req.body, payload.type === 'json' ? 'application/json' : 'application/x-www-form-urlencoded')] : [];
  if (rejected.length > 0) {
    const report = { deliveryId, source, vendor: settings.vendor, topic, rawKey, receivedAt, rejected: reasonsOf(), ...(unmapped.size > 0 ? { unmapped: [...unmapped] } : {}) };
    writes.push(deps.objects.put(deps.rawBucket, `quarantine/${source}/webhooks/dt=${datePart(now)}/${deliveryId}.json`, JSON.stringify(report), 'application/json'));
  }
  if (records.length > 0) writes.push(deps.records.send(records));
  if (privacy.length > 0) writes.push(deps.privacy.send(privacy));
  await Promise.all(writes);
  await deps.deliveries.remember(source, hash, deliveryId, new Date(now.getTime() + DELIVERY_MEMORY_DAYS * 86_400_000));

  return {
    status: 200,
    body: {
      received: true,
      deliveryId,
      records: records.length,
      ...(suppressed > 0 ? { suppressed } : {}),
      ...(rejected.length > 0 ? { rejected: reasonsOf() } : {}),
      // Answers no field took: kept only in the raw body until the source's mapping names them.
      ...(unmapped.size > 0 ? { unmapped: [...unmapped] } : {}),
      ...(privacy.length > 0 ? { privacyRequests: privacy.length } : {}),
      ...(meaning.ignored ? { ignored: meaning.ignored } : {}),
    },
    metric: rejected.length > 0 ? 'webhook.rejectedRecords' : suppressed > 0 ? 'webhook.suppressed' : 'webhook.accepted',
    ...base,
    topic,
    ...(unmapped.size > 0 ? { unmapped: unmapped.size } : {}),
  };
}

/** An authentic sender's unreadable body: kept in quarantine with its reason, answered 400. */
async function quarantine(deps: WebhookDeps, settings: SourceSettings, req: WebhookRequest, refusal: Refusal, now: Date): Promise<WebhookOutcome> {
  // Named by the vendor's delivery id, else by the body: a sender retrying after a 5xx quarantines it once.
  const deliveryId = vendorDeliveryId(req) ?? `q-${stableHash('malformed', settings.source, Buffer.from(req.body).toString('latin1')).slice(0, 20)}`;
  const prefix = `quarantine/${settings.source}/webhooks/dt=${datePart(now)}/${deliveryId}`;
  await deps.objects.put(deps.rawBucket, `${prefix}.body`, req.body, 'application/octet-stream');
  await deps.objects.put(
    deps.rawBucket,
    `${prefix}.json`,
    JSON.stringify({ deliveryId, source: settings.source, vendor: settings.vendor, reason: refusal.reason, receivedAt: now.toISOString(), bytes: req.body.length }),
    'application/json',
  );
  return { ...refuse(refusal.status, refusal.reason, { vendor: settings.vendor }), metric: 'webhook.quarantined', body: { message: MESSAGES[refusal.reason] ?? refusal.reason, reason: refusal.reason, deliveryId } };
}

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { signFor } from '../../lambdas/domain/webhooks/signatures.ts';
import type { WebhookRequest } from '../../lambdas/domain/webhooks/types.ts';
import type { DeliveryLog, PrivacyQueue, PrivacyRequestMessage, SecretStore, SourceFiles, WebhookDeps } from '../../lambdas/usecases/ingest-webhook.ts';
import { MemoryObjects, MemoryRecordQueue } from './memory-ports.ts';

export const FIXTURES = path.resolve(import.meta.dirname, '../../../shared/fixtures/webhooks');
export const fixture = (file: string): Buffer => readFileSync(path.join(FIXTURES, file));

export const SECRETS: Record<string, string> = {
  shopify: 'test_secret',
  woocommerce: 'test_secret',
  stripe: 'whsec_test_secret',
  typeform: 'test_secret',
  tally: 'tally_secret',
  mailchimp: 'mc-token-123',
  elementor: 'el-token-123',
  cf7: 'cf7-token-123',
  moduli: 'moduli-token',
};

export class MemoryDeliveries implements DeliveryLog {
  readonly seenKeys = new Map<string, string>();
  async seen(source: string, hash: string): Promise<boolean> {
    return this.seenKeys.has(`${source}#${hash}`);
  }
  async remember(source: string, hash: string, deliveryId: string): Promise<void> {
    this.seenKeys.set(`${source}#${hash}`, deliveryId);
  }
}

export class MemoryPrivacy implements PrivacyQueue {
  readonly requests: PrivacyRequestMessage[] = [];
  async send(requests: readonly PrivacyRequestMessage[]): Promise<void> {
    this.requests.push(...(JSON.parse(JSON.stringify(requests)) as PrivacyRequestMessage[]));
  }
}

export function memoryWebhookDeps(files: Record<string, unknown> = {}, now = new Date('2026-11-23T10:00:00Z')) {
  const objects = new MemoryObjects();
  const records = new MemoryRecordQueue();
  const privacy = new MemoryPrivacy();
  const deliveries = new MemoryDeliveries();
  const sources: SourceFiles = { get: async (s) => files[s] };
  const secrets: SecretStore = { get: async (n) => SECRETS[n] };
  const deps: WebhookDeps = { sources, secrets, deliveries, objects, rawBucket: 'raw', records, privacy, now: () => now };
  return { deps, objects, records, privacy, deliveries, now };
}

/** A delivery as each vendor signs it (with the test secrets above). */
export function signed(vendor: string, body: Buffer | string, extra: Record<string, string> = {}, nowMs = Date.parse('2026-11-23T10:00:00Z')): WebhookRequest {
  const bytes = Buffer.from(body);
  const secret = SECRETS[vendor]!;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...extra };
  const query: Record<string, string> = {};
  if (vendor === 'shopify') headers['x-shopify-hmac-sha256'] = signFor('base64', bytes, secret);
  else if (vendor === 'woocommerce') headers['x-wc-webhook-signature'] = signFor('base64', bytes, secret);
  else if (vendor === 'tally') headers['tally-signature'] = signFor('base64', bytes, secret);
  else if (vendor === 'typeform') headers['typeform-signature'] = signFor('typeform', bytes, secret);
  else if (vendor === 'stripe') headers['stripe-signature'] = signFor('stripe', bytes, secret, nowMs);
  else query.token = secret;
  return { method: 'POST', headers, query, body: bytes };
}

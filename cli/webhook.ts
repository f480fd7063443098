import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { stableHash } from '../lambdas/domain/hash.ts';
import { secretEnvVar, sourceSettings } from '../lambdas/domain/webhooks/receive.ts';
import { signFor } from '../lambdas/domain/webhooks/signatures.ts';
import type { VendorName } from '../lambdas/domain/webhooks/types.ts';
import { readSecretsFile, secretsFileOf } from '../local/config-watch.ts';
import { type Output, UsageError } from './output.ts';
import type { Target } from './target.ts';

const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');

/** The secret `cdp webhook send` signs with: the environment, else the twin's secrets file or the stack's secret. */
async function secretFor(target: Target, name: string): Promise<string | undefined> {
  const fromEnv = process.env[secretEnvVar(name)];
  if (fromEnv) return fromEnv;
  if ('home' in target.webhookSecrets) {
    const secrets = readSecretsFile(target.webhookSecrets.home);
    if (!secrets) throw new UsageError(`${secretsFileOf(target.webhookSecrets.home)} is not a JSON object of source names to secrets.`);
    return secrets[name];
  }
  const res = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: target.webhookSecrets.secretArn }));
  const values = JSON.parse(res.SecretString ?? '{}') as Record<string, unknown>;
  return typeof values[name] === 'string' ? values[name] : undefined;
}

/** Headers and URL of a delivery signed the way the vendor signs it. */
export function signedDelivery(
  vendor: VendorName,
  body: Buffer,
  secret: string,
  options: { topic?: string; nowMs?: number } = {},
): { headers: Record<string, string>; query: Record<string, string> } {
  const text = body.toString('utf8').trimStart();
  const json = text.startsWith('{') || text.startsWith('[');
  const headers: Record<string, string> = { 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded' };
  const query: Record<string, string> = {};
  // The same payload sent twice is the same event (a redelivery), as when a vendor retries.
  const eventId = stableHash(options.topic ?? '', body.toString('latin1'));
  switch (vendor) {
    case 'shopify':
      Object.assign(headers, {
        'x-shopify-hmac-sha256': signFor('base64', body, secret),
        'x-shopify-topic': options.topic ?? 'orders/create',
        'x-shopify-event-id': eventId,
        'x-shopify-webhook-id': `cdp-${Date.now().toString(36)}`,
      });
      break;
    case 'woocommerce':
      headers['x-wc-webhook-signature'] = signFor('base64', body, secret);
      // WooCommerce names each delivery anew (an order binned twice is two deliveries of one body).
      headers['x-wc-webhook-delivery-id'] = `cdp-${Date.now().toString(36)}-${stableHash(String(Math.random())).slice(0, 8)}`;
      if (options.topic) headers['x-wc-webhook-topic'] = options.topic;
      break;
    case 'tally':
      headers['tally-signature'] = signFor('base64', body, secret);
      break;
    case 'typeform':
      headers['typeform-signature'] = signFor('typeform', body, secret);
      break;
    case 'stripe':
      headers['stripe-signature'] = signFor('stripe', body, secret, options.nowMs);
      break;
    default:
      query.token = secret;
  }
  return { headers, query };
}

/** `cdp webhook send <source> <payload-file> [--topic T]`: sign with the source's secret and POST (a testing aid). */
export async function runWebhookSend(out: Output, target: Target, args: readonly string[], flags: { topic?: string }): Promise<number> {
  const [source, file] = args;
  if (!source || !file) throw new UsageError('Usage: cdp webhook send <source> <payload-file> [--topic T]');
  if (!existsSync(file)) throw new UsageError(`No such file: ${file}`);
  const configFile = path.join(PROJECT_ROOT, 'config', 'sources', `${source}.json`);
  const settings = sourceSettings(source, existsSync(configFile) ? JSON.parse(readFileSync(configFile, 'utf8')) : undefined);
  if ('error' in settings) throw new UsageError(`Source ${source}: ${settings.error}. Name a vendor or add config/sources/${source}.json with {"webhook": {"vendor": ...}}.`);
  const secret = await secretFor(target, settings.secretName);
  if (!secret) {
    throw new UsageError(
      `No secret for source ${source}: set ${secretEnvVar(settings.secretName)}, or add "${settings.secretName}" to ${'home' in target.webhookSecrets ? path.join(target.webhookSecrets.home, 'secrets.json') : 'the stack secret WebhookSecretsArn'}.`,
    );
  }
  const body = readFileSync(file);
  const { headers, query } = signedDelivery(settings.vendor, body, secret, flags.topic ? { topic: flags.topic } : {});
  const url = new URL(`/webhooks/${encodeURIComponent(source)}`, target.apiUrl.endsWith('/') ? target.apiUrl : `${target.apiUrl}/`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  let answer: unknown = text;
  try {
    answer = JSON.parse(text);
  } catch {
    // not JSON: shown as it is
  }
  out.result({ status: res.status, response: answer }, () => `${res.status} ${typeof answer === 'string' ? answer : JSON.stringify(answer)}`);
  return res.ok ? 0 : 1;
}

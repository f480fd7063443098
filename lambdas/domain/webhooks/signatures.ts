import { createHmac, timingSafeEqual } from 'node:crypto';

/** Constant-time comparison of two strings (different lengths are unequal without a timing hint about content). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  if (x.length !== y.length) {
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

const hmac = (secret: string, ...parts: (string | Uint8Array)[]): Buffer => {
  const h = createHmac('sha256', secret);
  for (const p of parts) h.update(p);
  return h.digest();
};

/** Shopify (X-Shopify-Hmac-Sha256), WooCommerce (X-WC-Webhook-Signature), Tally (Tally-Signature): base64 HMAC of the body. */
export function verifyBase64Hmac(body: Uint8Array, secret: string, header: string | undefined): boolean {
  if (!header) return false;
  return safeEqual(hmac(secret, body).toString('base64'), header.trim());
}

/** Typeform-Signature: `sha256=` + base64 HMAC of the body. */
export function verifyTypeform(body: Uint8Array, secret: string, header: string | undefined): boolean {
  if (!header) return false;
  return safeEqual(`sha256=${hmac(secret, body).toString('base64')}`, header.trim());
}

export type StripeVerdict = 'ok' | 'missing' | 'malformed' | 'mismatch' | 'stale';

/** Stripe's replay window, as in Stripe's own SDKs. */
export const STRIPE_TOLERANCE_SECONDS = 300;

/**
 * Stripe-Signature `t=…,v1=…[,v1=…]`: hex HMAC of `t.body`; any v1 may match (secret rolling); the timestamp must be
 * within the tolerance of now (Stripe re-signs retries, so a stale one is a replay).
 */
export function verifyStripe(body: Uint8Array, secret: string, header: string | undefined, nowMs: number): StripeVerdict {
  if (!header) return 'missing';
  let t: string | undefined;
  const v1: string[] = [];
  for (const item of header.split(',')) {
    const eq = item.indexOf('=');
    if (eq < 0) continue;
    const k = item.slice(0, eq).trim();
    const v = item.slice(eq + 1).trim();
    if (k === 't') t = v;
    else if (k === 'v1') v1.push(v);
  }
  if (!t || !/^\d{1,12}$/.test(t) || v1.length === 0) return 'malformed';
  const expected = hmac(secret, `${t}.`, body).toString('hex');
  let match = false;
  for (const s of v1) match = safeEqual(expected, s) || match;
  if (!match) return 'mismatch';
  return Math.abs(nowMs / 1000 - Number(t)) > STRIPE_TOLERANCE_SECONDS ? 'stale' : 'ok';
}

/** Signs the way each vendor does (tests and `cdp webhook send`). */
export function signFor(scheme: 'base64' | 'typeform' | 'stripe', body: Uint8Array, secret: string, nowMs = Date.now()): string {
  if (scheme === 'base64') return hmac(secret, body).toString('base64');
  if (scheme === 'typeform') return `sha256=${hmac(secret, body).toString('base64')}`;
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${hmac(secret, `${t}.`, body).toString('hex')}`;
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonExact } from '../../lambdas/domain/webhooks/json.ts';
import { recogniseAnswer, secretEnvVar, sourceSettings } from '../../lambdas/domain/webhooks/receive.ts';
import type { AnswerKind } from '../../lambdas/domain/webhooks/types.ts';
import { verifyStripe } from '../../lambdas/domain/webhooks/signatures.ts';
import { VENDORS } from '../../lambdas/domain/webhooks/types.ts';
import { receiveWebhook } from '../../lambdas/usecases/ingest-webhook.ts';
import { fixture, memoryWebhookDeps, signed } from '../support/webhooks.ts';

describe('parseJsonExact', () => {
  it('keeps integers beyond 2^53 exact, as strings, and parses the rest like JSON.parse', () => {
    expect(parseJsonExact('{"id": 706405506930370084, "n": 12, "f": 1.5e3, "s": "x 1234567890123456789, y", "neg": -9007199254740993}')).toEqual({
      id: '706405506930370084',
      n: 12,
      f: 1500,
      s: 'x 1234567890123456789, y',
      neg: '-9007199254740993',
    });
    expect(parseJsonExact('{"safe": 9007199254740991}')).toEqual({ safe: 9007199254740991 });
    expect(() => parseJsonExact('{"a": 12345678901234567890')).toThrow(SyntaxError);
  });

  it('agrees with JSON.parse on any JSON without 16-digit numbers', () => {
    fc.assert(
      fc.property(fc.jsonValue().filter((v) => !/\d{16}/.test(JSON.stringify(v))), (v) => {
        const text = JSON.stringify(v);
        expect(parseJsonExact(text)).toEqual(JSON.parse(text));
      }),
    );
  });
});

/** One answer known by its label alone. */
const recogniseLabel = (label: string, mapping: ReadonlyMap<string, string>, kind?: AnswerKind) => recogniseAnswer({ label, ...(kind ? { kind } : {}) }, mapping);

describe('webhook sources and labels', () => {
  it('knows vendors by name, needs a file for any other source, and validates that file', () => {
    expect(sourceSettings('shopify', undefined)).toMatchObject({ vendor: 'shopify', secretName: 'shopify' });
    expect(sourceSettings('negozio', undefined)).toEqual({ error: 'unknown source' });
    expect(sourceSettings('negozio', { webhook: { vendor: 'shopify', secret: 'shop_it' } })).toMatchObject({ vendor: 'shopify', secretName: 'shop_it' });
    expect(sourceSettings('negozio', { webhook: { vendor: 'magento' } })).toHaveProperty('error');
    expect(secretEnvVar('shopify-it')).toBe('CDP_WEBHOOK_SECRET_SHOPIFY_IT');
  });

  it('recognises Italian and English form labels, form-builder prefixes and questions', () => {
    const none = new Map<string, string>();
    expect(recogniseLabel('your-email', none)).toBe('identifiers.email');
    expect(recogniseLabel('Cellulare', none)).toBe('identifiers.phone');
    expect(recogniseLabel('Consenso marketing', none)).toBe('consents.marketing_email');
    expect(recogniseLabel('acceptance-privacy', none)).toBe('consents.privacy_notice');
    expect(recogniseLabel('What is your first name?', none)).toBe('person.firstName');
    expect(recogniseLabel('Which of these cities is your favorite?', none)).toBeUndefined();
    expect(recogniseLabel('prodotto', new Map([['prodotto', 'attributes.interesse']]))).toBe('attributes.interesse');
  });

  it('gives a synonym only a path that takes the kind of value the form says an answer is', () => {
    const none = new Map<string, string>();
    // A yes/no is only ever a consent; a number or a date is never a name, a town or a street.
    expect(recogniseLabel("Do you have a favorite city we haven't listed?", none)).toBe('address.city');
    expect(recogniseLabel("Do you have a favorite city we haven't listed?", none, 'boolean')).toBeUndefined();
    expect(recogniseLabel('Vuoi ricevere la newsletter?', none, 'boolean')).toBe('consents.marketing_email');
    expect(recogniseLabel('Città', none, 'number')).toBeUndefined();
    expect(recogniseLabel('CAP', none, 'number')).toBe('address.postalCode');
    expect(recogniseLabel('Cellulare', none, 'number')).toBe('identifiers.phone');
    expect(recogniseLabel('Data di nascita', none, 'date')).toBe('person.birthDate');
    expect(recogniseLabel('Nome', none, 'date')).toBeUndefined();
    // The source's mapping is the user's word, whatever the kind; by any of the answer's names, before any synonym.
    const mapping = new Map([['first name', 'attributes.nomeFiglio']]);
    expect(recogniseAnswer({ label: 'Nome', aliases: ['first_name'] }, mapping)).toBe('attributes.nomeFiglio');
    expect(recogniseAnswer({ label: 'Quanti figli hai?', aliases: ['figli'], kind: 'number' }, new Map([['figli', 'attributes.figli']]))).toBe('attributes.figli');
    // Exact names before questions: a ref that is a field's name wins over a question that mentions another.
    expect(recogniseAnswer({ label: 'What name should we put on the certificate?', aliases: ['cognome'] }, none)).toBe('person.lastName');
  });

  it('verifies Stripe signatures with any v1, a tolerance, and rejects malformed headers', () => {
    const body = Buffer.from('{}');
    const header = signed('stripe', body, {}, 1_700_000_000_000).headers['stripe-signature']!;
    expect(verifyStripe(body, 'whsec_test_secret', header, 1_700_000_000_000)).toBe('ok');
    expect(verifyStripe(body, 'whsec_test_secret', header, 1_700_000_301_000)).toBe('stale');
    expect(verifyStripe(body, 'whsec_test_secret', 't=abc,v1=00', 0)).toBe('malformed');
    expect(verifyStripe(body, 'whsec_test_secret', header.replace(/v1=../, 'v1=ff'), 1_700_000_000_000)).toBe('mismatch');
  });
});

describe('fuzzed deliveries', () => {
  const contentTypes = ['application/json', 'application/x-www-form-urlencoded', 'text/plain', '', 'multipart/form-data', 'application/json; charset=utf-8'];
  const bodies = fc.oneof(
    fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
    fc.string({ maxLength: 300 }).map((s) => Buffer.from(s)),
    fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v))),
    fc.dictionary(fc.string({ maxLength: 12 }), fc.oneof(fc.string({ maxLength: 20 }), fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }))).map((d) => Buffer.from(JSON.stringify(d))),
    fc.constantFrom(...['shopify/orders_create.json', 'typeform/form_response.json', 'mailchimp/subscribe.txt', 'stripe/charge.succeeded.json'].map((f) => fixture(f))).chain((b) =>
      fc.nat({ max: b.length }).map((cut) => b.subarray(0, cut)),
    ),
  );

  it('never crashes and never answers 5xx, signed or not', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...VENDORS.filter((v) => v !== 'generic')),
        bodies,
        fc.constantFrom(...contentTypes),
        fc.boolean(),
        fc.dictionary(fc.constantFrom('x-shopify-topic', 'x-wc-webhook-topic', 'stripe-signature', 'x-shopify-event-id', 'typeform-signature'), fc.string({ maxLength: 40 })),
        async (vendor, body, contentType, sign, headers) => {
          const { deps } = memoryWebhookDeps();
          const base = sign ? signed(vendor, body) : { method: 'POST', headers: {}, query: {}, body };
          const req = { ...base, headers: { ...headers, ...base.headers, 'content-type': contentType } };
          const out = await receiveWebhook(deps, vendor, req);
          expect(out.status).toBeLessThan(500);
          expect([200, 400, 401, 413, 415]).toContain(out.status);
        },
      ),
      { numRuns: 400 },
    );
  });
});

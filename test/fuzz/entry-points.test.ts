import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { parseMapping } from '../../lambdas/domain/mapping.ts';
import { applyEvent, type RequestState } from '../../lambdas/domain/privacy/request.ts';
import { makeHandler as privacyApi } from '../../lambdas/handlers/privacy-api.ts';
import type { RequestLog } from '../../lambdas/ports/privacy.ts';
import { receiveWebhook } from '../../lambdas/usecases/ingest-webhook.ts';
import { importObject } from '../../lambdas/usecases/import-file.ts';
import { mappingKeys } from '../../lambdas/usecases/import-keys.ts';
import { MemoryContinuations, MemoryObjects, MemoryRecordQueue } from '../support/memory-ports.ts';
import { memoryWebhookDeps, SECRETS, signed } from '../support/webhooks.ts';
import { buildXlsx } from '../support/xlsx.ts';

/**
 * Fuzzing every entry point that takes outside input (issue 8): 10,000 generated inputs each. Nothing may throw, hang
 * or answer 5xx for the sender's mistake; every refusal and every rejected row has a reason; every row is accounted
 * for. Inputs lean towards what breaks parsers: the delimiters, quotes, line ends, encodings and header words that
 * real exports use, mixed with arbitrary bytes and JSON.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const VENDORS = ['shopify', 'woocommerce', 'stripe', 'typeform', 'tally', 'mailchimp', 'elementor', 'cf7'] as const;
const HEADER_WORDS = ['email', 'E-mail', 'Nome', 'Cognome', 'Telefono', 'Cellulare', 'CAP', 'Provincia', 'Data di nascita', 'Codice fiscale', 'P.IVA', 'Totale', 'Consenso', 'id', 'Customer ID', 'Email Address', ''];
const CELL = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('mario.rossi@example.it', 'x@', '+39 333 1234567', '0039 02 1234567', '31/02/1990', '01/01/1980', '1.234,56', 'Sì', 'RSSMRA80A01H501U', '01234567897', 'MI', 'Forlì', '"', '""', '\r\n', ';', ',', '\t', '\u0000', '\ufeff'),
  fc.integer().map(String),
);

/** CSV-like text: a header of known and random words, rows of cells, any delimiter and line end, ragged at times. */
const csvText = fc
  .record({
    delimiter: fc.constantFrom(',', ';', '\t', '|'),
    eol: fc.constantFrom('\n', '\r\n', '\r'),
    header: fc.array(fc.oneof(fc.constantFrom(...HEADER_WORDS), fc.string({ maxLength: 8 })), { minLength: 0, maxLength: 8 }),
    rows: fc.array(fc.array(CELL, { maxLength: 9 }), { maxLength: 8 }),
    quote: fc.boolean(),
  })
  .map(({ delimiter, eol, header, rows, quote }) =>
    [header, ...rows].map((r) => r.map((c) => (quote ? `"${c.replace(/"/g, '""')}"` : c)).join(delimiter)).join(eol),
  );

const encodings: ((s: string) => Uint8Array)[] = [
  (s) => Buffer.from(s, 'utf8'),
  (s) => Buffer.from(s, 'latin1'),
  (s) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]),
  (s) => Buffer.from(`\ufeff${s}`, 'utf8'),
];

/** An upload: CSV text in some encoding, maybe gzipped; NDJSON or JSON; an XLSX of random cells; or raw bytes. */
const upload = fc.oneof(
  fc.tuple(csvText, fc.nat(encodings.length - 1), fc.boolean()).map(([text, e, gz]) => {
    const bytes = encodings[e]!(text);
    return { name: gz ? 'export.csv.gz' : 'export.csv', bytes: gz ? new Uint8Array(gzipSync(bytes)) : bytes };
  }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 6 }).map((values) => ({ name: 'export.ndjson', bytes: Buffer.from(values.map((v) => JSON.stringify(v)).join('\n')) })),
  fc.jsonValue({ maxDepth: 3 }).map((v) => ({ name: 'export.json', bytes: Buffer.from(JSON.stringify(v)) })),
  fc
    .tuple(fc.uniqueArray(fc.constantFrom(...HEADER_WORDS), { maxLength: 6 }), fc.array(fc.array(fc.oneof(CELL, fc.integer(), fc.constant(null)), { maxLength: 6 }), { maxLength: 6 }))
    .map(([header, rows]) => ({ name: 'export.xlsx', bytes: buildXlsx({ Foglio1: [header, ...rows] }) })),
  fc.tuple(fc.uint8Array({ maxLength: 300 }), fc.constantFrom('export.csv', 'export.xlsx', 'export.json', 'export.csv.gz', 'export.ndjson')).map(([bytes, name]) => ({ name, bytes })),
);

/** A mapping file next to the data: a valid one, or arbitrary JSON shaped a bit like one. */
const mapping = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 8 },
  fc.constant({ kind: 'contact', recordKey: ['id'], fields: { 'person.email': 'email' } }),
  fc.record({ kind: fc.constantFrom('contact', 'order', 'nope'), recordKey: fc.array(fc.string({ maxLength: 6 }), { maxLength: 2 }), fields: fc.dictionary(fc.constantFrom('person.email', 'person.firstName', 'phone', 'x'), fc.jsonValue({ maxDepth: 1 })) }, { requiredKeys: [] }),
  fc.jsonValue({ maxDepth: 2 }),
);

describe(`fuzzing, ${RUNS.toLocaleString('en')} inputs per entry point`, () => {
  it('file imports: every upload either imports with every row accounted for (each reject with a reason) or fails with a reason', async () => {
    let n = 0;
    const seen = { completed: 0, failed: new Set<string>(), accepted: 0, rejected: 0, formats: new Set<string>() };
    await fc.assert(
      fc.asyncProperty(upload, mapping, async (file, map) => {
        const objects = new MemoryObjects();
        const queue = new MemoryRecordQueue();
        const key = `imports/fuzz/${n++}-${file.name}`;
        await objects.put('landing', key, file.bytes);
        if (map !== undefined) await objects.put('landing', mappingKeys('fuzz', key)[0], JSON.stringify(map));
        const deps = { objects, queue, continuations: new MemoryContinuations(), rawBucket: 'raw', now: () => new Date('2026-11-23T10:00:00Z'), remainingMs: () => 600_000 };
        const outcome = await importObject(deps, 'landing', key);
        expect(outcome.done).toBe(true);
        if (!outcome.done) return;
        const r = outcome.report;
        if (r.status === 'failed') {
          expect(r.error, JSON.stringify(r)).toMatch(/^[a-z]+\.[A-Za-z]+/);
          seen.failed.add(r.error!);
          return;
        }
        seen.completed++;
        seen.accepted += r.accepted;
        seen.rejected += r.rejected;
        if (r.format) seen.formats.add(r.format);
        expect(r.rowsRead).toBe(r.accepted + r.rejected + r.suppressed);
        expect(queue.records.length).toBe(r.accepted);
        const reasons = Object.values(r.reasons ?? {}).reduce((a, b) => a + b, 0);
        expect(reasons).toBeGreaterThanOrEqual(r.rejected);
        // Rejected rows are kept, with their reasons, in quarantine.
        if (r.rejected > 0) {
          const kept = r.quarantineKeys.map((k) => objects.text('raw', k) ?? '').join('\n');
          expect(kept.trim().split('\n').length).toBeGreaterThanOrEqual(r.rejected);
          expect(kept).toContain('reasons');
        }
      }),
      { numRuns: RUNS },
    );
    // The inputs reached every path: imports that completed with accepted and rejected rows, in every format, and
    // files refused for different reasons.
    expect(seen.completed).toBeGreaterThan(RUNS / 5);
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.rejected).toBeGreaterThan(0);
    expect([...seen.formats].sort()).toEqual(expect.arrayContaining(['csv', 'json', 'ndjson', 'xlsx']));
    expect(seen.failed.size).toBeGreaterThan(1);
  }, 600_000);

  it('mapping files: any JSON is either a mapping or a list of errors naming key paths', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 4 }), mapping), (json) => {
        const parsed = parseMapping(json);
        if (!parsed.ok) {
          expect(parsed.errors.length).toBeGreaterThan(0);
          for (const e of parsed.errors) expect(e).toMatch(/^[^:]*: /);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('webhooks: any body, headers and query, signed or not, on any source, is answered below 500, a refusal with a reason', async () => {
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((v) => ({ type: 'application/json', bytes: Buffer.from(JSON.stringify(v)) })),
      fc.dictionary(fc.oneof(fc.constantFrom('email', 'your-email', 'Nome', 'phone', 'form_fields[email]', 'consenso'), fc.string({ maxLength: 6 })), fc.oneof(CELL, fc.string())).map((f) => ({ type: 'application/x-www-form-urlencoded', bytes: Buffer.from(new URLSearchParams(f).toString()) })),
      fc.uint8Array({ maxLength: 200 }).map((b) => ({ type: 'application/octet-stream', bytes: Buffer.from(b) })),
      fc.string({ maxLength: 200 }).map((s) => ({ type: 'text/plain', bytes: Buffer.from(s) })),
    );
    const headers = fc.dictionary(
      fc.oneof(fc.constantFrom('x-shopify-topic', 'x-shopify-webhook-id', 'x-wc-webhook-topic', 'x-wc-webhook-delivery-id', 'stripe-signature', 'typeform-signature', 'content-type', 'x-form-token'), fc.string({ maxLength: 10 }).map((s) => s.toLowerCase().replace(/[^a-z-]/g, '') || 'x')),
      fc.string({ maxLength: 40 }),
      { maxKeys: 4 },
    );
    const statuses = new Map<number, number>();
    const query = fc.dictionary(fc.constantFrom('token', 'secret', 'source', 'type', ''), fc.string({ maxLength: 20 }), { maxKeys: 3 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...VENDORS, 'moduli', 'sconosciuto'), body, headers, query, fc.boolean(), fc.constantFrom('POST', 'POST', 'GET', 'PUT'), async (source, b, h, q, sign, method) => {
        const { deps } = memoryWebhookDeps({ moduli: { webhook: { vendor: 'generic' } } });
        const base = sign && source in SECRETS && source !== 'moduli' ? signed(source, b.bytes, { 'content-type': b.type, ...h }) : { method, headers: { 'content-type': b.type, ...h }, query: q, body: b.bytes };
        const req = { ...base, method, query: { ...base.query, ...q } };
        const outcome = await receiveWebhook(deps, source, req);
        expect(outcome.status, JSON.stringify(outcome)).toBeLessThan(500);
        statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
        if (outcome.status >= 400) expect(outcome.reason ?? outcome.body.reason, JSON.stringify(outcome)).toBeTruthy();
        const rejected = (outcome.body.rejected ?? []) as { reasons?: unknown[] }[];
        for (const r of rejected) expect(r.reasons?.length).toBeGreaterThan(0);
      }),
      { numRuns: RUNS },
    );
    // Accepted, malformed, unauthenticated, unknown source and wrong method all happened.
    expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([200, 400, 401, 404, 405]));
  }, 600_000);

  it('privacy API: any body is a 400 with what is wrong, or a recorded request (202, or 200 when resubmitted)', async () => {
    const states = new Map<string, RequestState>();
    const log: RequestLog = {
      async create(id, event) {
        if (states.has(id)) return 'exists';
        states.set(id, applyEvent(undefined, event, id));
        return 'created';
      },
      read: async (id) => states.get(id),
      append: async (state, event) => {
        const next = applyEvent(state, event, state.requestId);
        states.set(state.requestId, next);
        return next;
      },
      list: async () => [...states.values()],
    };
    const work: unknown[] = [];
    const handler = privacyApi(() => ({ log, salt: { get: async () => 'salt' }, work: { send: async (m) => void work.push(m) }, now: () => new Date('2026-11-23T10:00:00Z') }));
    const statuses = new Map<number, number>();
    const field = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('mario.rossi@example.it', '+39 333 1234567', 'p_0123456789abcdef0123', ''), fc.integer(), fc.constant(null));
    const submission = fc.oneof(
      fc.record({ type: fc.constantFrom('access', 'erasure', 'restriction'), email: fc.constantFrom('mario.rossi@example.it', 'anna.verdi@example.it'), reference: fc.constantFrom('ticket-1', 'ticket-2') }).map((b) => JSON.stringify(b)),
      fc.record({ type: fc.constantFrom('access', 'erasure', 'rectification', 'restriction', 'objection', 'portability', 'delete'), email: field, phone: field, profileId: field, reference: field, changes: fc.dictionary(fc.string({ maxLength: 12 }), field) }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
      fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 80 }),
    );
    await fc.assert(
      fc.asyncProperty(submission, fc.boolean(), async (text, base64) => {
        const event = {
          requestContext: { http: { method: 'POST' }, requestId: 'r' },
          body: base64 ? Buffer.from(text).toString('base64') : text,
          isBase64Encoded: base64,
        } as unknown as APIGatewayProxyEventV2;
        const res = await handler(event);
        const status = res.statusCode ?? 0;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        expect([200, 202, 400], String(res.body)).toContain(status);
        const answer = JSON.parse(String(res.body)) as { message?: string; requestId?: string };
        if (status === 400) expect(answer.message).toBeTruthy();
        else expect(answer.requestId).toMatch(/^dsr_[0-9a-f]{20}$/);
      }),
      { numRuns: RUNS },
    );
    expect([...statuses.keys()].sort()).toEqual([200, 202, 400]);
  }, 600_000);
});

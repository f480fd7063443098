import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SqsRecordQueue } from '../lambdas/adapters/sqs-record-queue.ts';
import { signFor } from '../lambdas/domain/webhooks/signatures.ts';
import type { WebhookRequest } from '../lambdas/domain/webhooks/types.ts';
import { receiveWebhook, type WebhookDeps } from '../lambdas/usecases/ingest-webhook.ts';
import { makeHandler } from '../lambdas/handlers/ingest-webhook.ts';
import { compileRoute, serveRoute } from '../local/api.ts';
import { startHttp } from '../local/http.ts';
import { startTwin } from '../local/twin.ts';
import { routes } from '../lib/definitions.ts';
import type { Benchmark, Figure } from './types.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../shared/fixtures/webhooks');
const fixture = (f: string): Buffer => readFileSync(path.join(FIXTURES, f));
const SECRET = 'bench_secret';
const ITERATIONS = Number(process.env.BENCH_WEBHOOK_ITERATIONS ?? 5000);
const HTTP_SECONDS = Number(process.env.BENCH_WEBHOOK_SECONDS ?? 5);
const CONCURRENCY = 16;

/** A mix of deliveries as vendors send them, each signed; `i` makes every event new (no duplicate short-cut). */
function delivery(i: number): { source: string; req: WebhookRequest } {
  const json = { 'content-type': 'application/json' };
  switch (i % 5) {
    case 0: {
      const body = fixture('shopify/orders_create.json');
      return { source: 'shopify', req: { method: 'POST', headers: { ...json, 'x-shopify-topic': 'orders/create', 'x-shopify-event-id': `e${i}`, 'x-shopify-hmac-sha256': signFor('base64', body, SECRET) }, query: {}, body } };
    }
    case 1: {
      const body = fixture('typeform/form_response.json');
      return { source: 'typeform', req: { method: 'POST', headers: { ...json, 'typeform-signature': signFor('typeform', body, SECRET) }, query: {}, body } };
    }
    case 2: {
      const body = fixture('stripe/checkout.session.completed.json');
      return { source: 'stripe', req: { method: 'POST', headers: { ...json, 'stripe-signature': signFor('stripe', body, SECRET) }, query: {}, body } };
    }
    case 3:
      return { source: 'mailchimp', req: { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, query: { token: SECRET }, body: fixture('mailchimp/subscribe.txt') } };
    default:
      return { source: 'cf7', req: { method: 'POST', headers: json, query: { token: SECRET }, body: fixture('contact-form-7/contact_it.SYNTHETIC.json') } };
  }
}

/** The use case with its I/O replaced by no-ops (records still packed into real SQS messages). */
function inProcessDeps(): WebhookDeps {
  const sqs = { send: async () => ({ Successful: [], Failed: [] }) } as unknown as SQSClient;
  return {
    sources: { get: async () => undefined },
    secrets: { get: async () => SECRET },
    deliveries: { seen: async () => false, remember: async () => undefined },
    objects: { put: async () => undefined, getText: async () => undefined, getStream: async () => Promise.reject(new Error('unused')) },
    rawBucket: 'raw',
    records: new SqsRecordQueue(sqs, 'records'),
    privacy: { send: async () => undefined },
    now: () => new Date(),
  };
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

async function latency(): Promise<{ p50: number; p99: number; max: number }> {
  const deps = inProcessDeps();
  for (let i = 0; i < 500; i++) await receiveWebhook(deps, delivery(i).source, delivery(i).req);
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const { source, req } = delivery(i);
    const t = performance.now();
    const out = await receiveWebhook(deps, source, req);
    times.push(performance.now() - t);
    if (out.status !== 200) throw new Error(`bench delivery ${i % 5} answered ${out.status}`);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), max: times.at(-1)! };
}

/** Requests per second from CONCURRENCY keep-alive clients for HTTP_SECONDS. */
async function load(url: string, body: (i: number) => Buffer, headers: Record<string, string>, seconds = HTTP_SECONDS): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const target = new URL(url);
  let done = 0;
  let failed = 0;
  let seq = 0;
  const deadline = performance.now() + seconds * 1000;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const payload = body(seq++);
      const req = request({ agent, method: 'POST', hostname: target.hostname, port: target.port, path: target.pathname + target.search, headers: { ...headers, 'content-length': payload.length } }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) done++;
          else failed++;
          resolve();
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) await one();
    }),
  );
  agent.destroy();
  if (failed > 0) throw new Error(`${failed} requests failed`);
  return done / ((performance.now() - started) / 1000);
}

async function throughput(): Promise<{ twin: number; twinStubbed: number; bare: number }> {
  const cf7 = JSON.parse(fixture('contact-form-7/contact_it.SYNTHETIC.json').toString()) as Record<string, unknown>;
  // Each submission differs (a new event), as real form posts do.
  const body = (i: number): Buffer => Buffer.from(JSON.stringify({ ...cf7, 'your-email': `bench${i}@example.it`, _seq: i }));
  const headers = { 'content-type': 'application/json' };

  const bare = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"received":true}');
    });
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', () => r()));
  const address = bare.address();
  const bareRps = await load(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/webhooks/cf7`, body, headers);
  await new Promise<void>((r) => bare.close(() => r()));

  // The twin's HTTP server and the real handler, with the engines' I/O stubbed: what the server layer itself costs.
  const handler = makeHandler(inProcessDeps);
  const apiRoutes = routes.filter((r) => r.function === 'ingestWebhook').map((r) => compileRoute(r, handler));
  const stubbed = await startHttp(0, {}, (req, res, url) => serveRoute(req, res, url, apiRoutes, 'unused'));
  await load(`http://127.0.0.1:${stubbed.port}/webhooks/cf7?token=${SECRET}`, (i) => body(1e9 + i), headers, 1);
  const stubbedRps = await load(`http://127.0.0.1:${stubbed.port}/webhooks/cf7?token=${SECRET}`, body, headers);
  stubbed.server.closeAllConnections();
  await new Promise<void>((r) => stubbed.server.close(() => r()));

  const home = mkdtempSync(path.join(tmpdir(), 'cdp-bench-webhook-'));
  writeFileSync(path.join(home, 'secrets.json'), JSON.stringify({ cf7: SECRET }));
  const twin = await startTwin({ home, port: 0 });
  try {
    const url = `${twin.url}/webhooks/cf7?token=${SECRET}`;
    // Warm-up (the engines' JITs, the handler's clients), not measured; then let the resolver drain.
    await load(url, (i) => body(1e9 + i), headers, 3);
    await twin.waitIdle();
    const twinRps = await load(url, body, headers);
    return { twin: twinRps, twinStubbed: stubbedRps, bare: bareRps };
  } finally {
    await twin.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

export const webhookBench: Benchmark = {
  name: 'webhook',
  description: `in-process handler latency over ${ITERATIONS} signed deliveries (Shopify, Typeform, Stripe, Mailchimp, CF7; AWS I/O stubbed), and requests/s through the twin's HTTP server and the real handler, I/O stubbed and then on the real engines (S3 archive, SQS, DynamoDB delivery log, the resolver draining), vs a bare Node server answering 200; ${CONCURRENCY} keep-alive clients, ${HTTP_SECONDS} s each`,
  async run(): Promise<Figure[]> {
    const l = await latency();
    const t = await throughput();
    return [
      { name: 'handler.p50', value: round(l.p50, 3), unit: 'ms' },
      { name: 'handler.p99', value: round(l.p99, 3), unit: 'ms', target: '≤ 5 ms', ok: l.p99 <= 5 },
      { name: 'handler.max', value: round(l.max, 3), unit: 'ms' },
      { name: 'http.twinServerHandler', value: Math.round(t.twinStubbed), baseline: Math.round(t.bare), unit: 'req/s', ratio: round(t.twinStubbed / t.bare) },
      { name: 'http.twinWithEngines', value: Math.round(t.twin), baseline: Math.round(t.bare), unit: 'req/s', ratio: round(t.twin / t.bare) },
    ];
  },
};

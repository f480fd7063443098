import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoProfileStore } from '../../lambdas/adapters/dynamo-profile-store.ts';
import { DynamoFailureLog } from '../../lambdas/adapters/failure-log.ts';
import { DynamoRequestLog, DynamoSuppressionList, SuppressionLookup } from '../../lambdas/adapters/privacy-stores.ts';
import { decodeRecords, encodeRecords } from '../../lambdas/adapters/records-codec.ts';
import { S3Vault } from '../../lambdas/adapters/s3-vault.ts';
import { SqsDeadLetterRecords } from '../../lambdas/adapters/sqs-dead-letters.ts';
import { MAX_MESSAGE_BYTES } from '../../lambdas/adapters/sqs-record-queue.ts';
import type { CanonicalRecord, Identifier } from '../../lambdas/domain/canonical.ts';
import { DEFAULT_IDENTITY_CONFIG } from '../../lambdas/domain/identity-config.ts';
import { readXlsx } from '../../lambdas/formats/xlsx.ts';
import type { ObjectVault, PrivacyWork } from '../../lambdas/ports/privacy.ts';
import { type PrivacyDeps, processWork, submitRequest } from '../../lambdas/usecases/privacy.ts';
import { activeProfile, resolveRecord } from '../../lambdas/usecases/resolve-record.ts';
import { unmergeProfile } from '../../lambdas/usecases/unmerge.ts';
import { startTwin, type Twin } from '../../local/twin.ts';
import { buildXlsx } from '../support/xlsx.ts';

/**
 * Erasure's hard cases, on the twin's real DynamoDB and S3: a person merged from many records, an import racing the
 * erasure, and an export that changes while it is being rewritten.
 */
const home = mkdtempSync(path.join(tmpdir(), 'cdp-erasure-'));
let twin: Twin;
let store: DynamoProfileStore;
const config = DEFAULT_IDENTITY_CONFIG;
const salt = { get: async () => 'test-salt' };

function deps(vault?: ObjectVault): PrivacyDeps & { sent: PrivacyWork[]; delays: (number | undefined)[] } {
  const sent: PrivacyWork[] = [];
  const delays: (number | undefined)[] = [];
  return {
    sent,
    delays,
    log: new DynamoRequestLog(twin.clients.dynamodb, twin.resources.tableName),
    suppression: new DynamoSuppressionList(twin.clients.dynamodb, twin.resources.tableName),
    salt,
    work: { send: async (m, o) => void (sent.push(m), delays.push(o?.delaySeconds)) },
    profiles: store,
    config,
    vault: vault ?? new S3Vault(twin.clients.s3),
    buckets: { landing: twin.resources.buckets.landing, raw: twin.resources.buckets.raw, exports: twin.resources.buckets.exports },
    now: () => new Date(),
  };
}

let n = 0;
const rec = (identifiers: Identifier[], extra: Partial<CanonicalRecord> = {}, objectKey = 'imports/shop/none.csv', line?: number): CanonicalRecord => ({
  recordId: `r${++n}-${Math.random().toString(36).slice(2)}`,
  source: 'shop',
  channel: 'file',
  kind: 'contact',
  occurredAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
  receivedAt: '2026-02-01T00:00:00.000Z',
  lineage: { objectKey, recordKey: `k${n}`, ...(line !== undefined ? { line } : {}) },
  identifiers,
  person: { firstName: 'Marta', lastName: 'Conti' },
  ...extra,
});
const email = (v: string): Identifier => ({ type: 'email', value: v });

/** The bodies of the messages a queue holds, each received and deleted until none is left. */
async function drainBodies(queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const { Messages = [] } = await twin.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    if (Messages.length === 0) return bodies;
    for (const m of Messages) {
      bodies.push(m.Body!);
      await twin.clients.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
  }
}

/** The ids of the records a queue holds, the same way. */
async function drainRecordIds(queueUrl: string): Promise<string[]> {
  return (await drainBodies(queueUrl)).flatMap((b) => decodeRecords(b).map((r) => r.recordId));
}

const phone = (v: string): Identifier => ({ type: 'phone', value: v });

async function erase(d: PrivacyDeps & { sent: PrivacyWork[] }, who: { email?: string; phone?: string }) {
  const { requestId } = await submitRequest(d, { type: 'erasure', ...who, requester: 'test', origin: 'test' });
  return (await processWork(d, d.sent.find((w) => w.requestId === requestId)!))!;
}

async function tableMentions(...needles: string[]): Promise<number> {
  const res = await twin.clients.dynamodb.send(new ScanCommand({ TableName: twin.resources.tableName }));
  return (res.Items ?? []).filter((item) => {
    const texts = [JSON.stringify(item)];
    for (const v of Object.values(item)) {
      if (v.B) {
        try {
          texts.push(inflateRawSync(v.B).toString());
        } catch {
          /* not packed */
        }
      }
    }
    return texts.some((t) => needles.some((x) => t.includes(x)));
  }).length;
}

beforeAll(async () => {
  twin = await startTwin({ home, port: 0 });
  store = new DynamoProfileStore(DynamoDBDocumentClient.from(twin.clients.dynamodb, { marshallOptions: { removeUndefinedValues: true } }), twin.resources.tableName);
});
afterAll(async () => {
  await twin?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('erasure', () => {
  it('erases a person merged from many records: every item, claim and marker, nothing of the merged-away profiles', async () => {
    const d = deps();
    const a = 'marta.conti@example.it';
    const p = '+393331112222';
    // Two profiles (one per identifier) merged by a record with both, then orders and consents on the survivor.
    await resolveRecord(store, rec([email(a)]), config);
    await resolveRecord(store, rec([phone(p)]), config);
    const merged = await resolveRecord(store, rec([email(a), phone(p)]), config);
    expect(merged.merged).toHaveLength(1);
    for (let i = 0; i < 5; i++) await resolveRecord(store, rec([email(a)], { kind: 'order', order: { orderId: `o${i}`, total: 10 + i } }), config);
    await resolveRecord(store, rec([phone(p)], { consents: [{ purpose: 'marketing_sms', granted: true, at: '2026-01-02T00:00:00.000Z' }] }), config);
    // Someone else, untouched.
    await resolveRecord(store, rec([email('other@example.it')], { person: { firstName: 'Ugo' } }), config);
    expect(await tableMentions(a, p)).toBeGreaterThan(3);

    const done = await erase(d, { phone: '333 111 2222' });
    expect(done.status).toBe('completed');
    expect(done.evidence).toMatchObject({ profiles: 1, suppressedIdentifiers: 2, dynamodb: { appliedRecordMarkers: 9, identifiers: 2 } });
    // Match snapshots hold names folded to lower case: none is left either.
    expect(await tableMentions(a, p, 'Marta', 'marta')).toBe(0);
    expect(await tableMentions('other@example.it')).toBeGreaterThan(0);
    // The person comes back through any identifier: dropped.
    expect((await resolveRecord(store, rec([email(a)]), config, new SuppressionLookup(d.suppression, salt))).result).toBe('suppressed');
    expect((await resolveRecord(store, rec([phone(p), email('new@example.it')]), config, new SuppressionLookup(d.suppression, salt))).result).toBe('suppressed');
    expect(await tableMentions(a, p)).toBe(0);
  });

  it('meets a merge into the person half-moved (found with the person, or begun just before the erasure): erases what it brought too', async () => {
    for (const when of ['before', 'during'] as const) {
      const a = `ilaria.fontana.${when}@example.it`;
      const p = when === 'before' ? '+393337770001' : '+393337770002';
      const person = { firstName: 'Ilaria', lastName: 'Fontana' };
      const t = (await resolveRecord(store, rec([email(a)], { person }), config)).profileId;
      // Her other profile: a phone, an order and a consent (three items to move).
      const o = (await resolveRecord(store, rec([phone(p)], { person, kind: 'order', order: { orderId: `o-${when}`, total: 12 }, consents: [{ purpose: 'marketing_sms', granted: true, at: '2026-01-02T00:00:00.000Z' }] }), config)).profileId;
      // A resolver merging the two dies after moving one item: the merge is begun, not finished.
      const halfMerge = async () => {
        const other = (await store.getProfiles([o])).get(o)!;
        expect(await store.markMerging(o, t, other.version)).toBe('ok');
        expect(await store.moveItem(o, t, (await store.listItems(o))[0]!)).toBe('ok');
      };
      if (when === 'before') await halfMerge();
      const plain = deps();
      let ran = false;
      // 'during': the merge begins after the erasure found her, just before it marks her profile.
      const d = when === 'before' ? plain : { ...plain, profiles: new Proxy(store, {
          get(target, prop, receiver) {
            const value = Reflect.get(target, prop, receiver);
            if (typeof value !== 'function') return value;
            if (prop !== 'beginErasure') return value.bind(target);
            return async (id: string) => {
              if (!ran && id === t) {
                ran = true;
                await halfMerge();
              }
              return value.call(target, id);
            };
          },
        }) };
      const done = await erase(d, { email: a });
      expect(done.status, when).toBe('completed');
      expect(ran, when).toBe(when === 'during');
      expect(done.evidence, when).toMatchObject({ profiles: when === 'before' ? 1 : 2, suppressedIdentifiers: 2 });
      expect(await tableMentions(a, p, 'Ilaria', 'ilaria', 'Fontana', 'fontana'), when).toBe(0);
      // Her phone came with the merge, and is on the list too.
      expect((await resolveRecord(store, rec([phone(p)], { person }), config, new SuppressionLookup(d.suppression, salt))).result, when).toBe('suppressed');
    }
  });

  it('meets an unmerge left half-done: finishes it, then erases only the group that is the person', async () => {
    const d = deps();
    // Marta's profile wrongly took in a namesake's record through a row with both their identifiers.
    const first = rec([email('marta.c@example.it')]);
    await resolveRecord(store, first, config);
    await resolveRecord(store, rec([email('m.conti2@example.it'), phone('+393335550000')]), config);
    const joined = await resolveRecord(store, rec([email('marta.c@example.it'), phone('+393335550000')]), config);
    expect(joined.merged).toHaveLength(1);
    // The unmerge dies after its third write (groups' profiles created, items partly moved).
    let writes = 0;
    const dying = new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        if (!['createSplitProfile', 'moveSplitItem', 'repointRecord', 'splitIdentity', 'putConsent', 'completeSplit'].includes(String(prop))) return value.bind(target);
        return async (...args: unknown[]) => {
          if (++writes === 3) throw new Error('died');
          return value.apply(target, args);
        };
      },
    });
    await expect(unmergeProfile(dying, config, joined.profileId, 'phone:+393335550000')).rejects.toThrow('died');
    expect((await store.getProfiles([joined.profileId])).get(joined.profileId)!.status).toBe('splitting');

    // The namesake asks to be erased, by the e-mail that still points at the splitting profile.
    const done = await erase(d, { email: 'm.conti2@example.it' });
    expect(done.status).toBe('completed');
    expect(done.evidence).toMatchObject({ profiles: 1 });
    expect(await tableMentions('m.conti2@example.it')).toBe(0);
    // Marta keeps her profile, with the row that carried both (it holds her e-mail) and the shared phone.
    const marta = await activeProfile(store, config, (await store.appliedProfiles([first.recordId])).get(first.recordId)!);
    expect(marta.profile?.state.recordCount).toBe(2);
    expect(marta.profile?.state.identifiers).toContain('email:marta.c@example.it');
    expect(await tableMentions('marta.c@example.it')).toBeGreaterThan(0);
  });

  it('wins a race with an import of the same person: afterwards no profile holds them, and later records are dropped', async () => {
    const d = deps();
    const a = 'gara@example.it';
    const suppression = new SuppressionLookup(d.suppression, salt);
    await resolveRecord(store, rec([email(a)]), config, suppression);
    // 40 records of the person resolved by 4 concurrent "resolvers" while the erasure runs.
    const stream = Array.from({ length: 40 }, (_, i) => rec([email(a), ...(i % 3 === 0 ? [phone(`+39333000${String(i).padStart(4, '0')}`)] : [])]));
    const workers = Array.from({ length: 4 }, async (_, w) => {
      const outcomes: string[] = [];
      for (let i = w; i < stream.length; i += 4) outcomes.push((await resolveRecord(store, stream[i]!, config, suppression)).result);
      return outcomes;
    });
    const [done, ...outcomes] = await Promise.all([erase(d, { email: a }), ...workers]);
    expect(done.status).toBe('completed');
    expect(outcomes.flat().length).toBe(40);
    // Whatever got in before the list was written was erased with the profile, or swept after it.
    expect(await tableMentions(a)).toBe(0);
    expect((await resolveRecord(store, rec([email(a)]), config, suppression)).result).toBe('suppressed');
    expect(await tableMentions(a)).toBe(0);
  });

  it('re-reads an export that changed while it was being rewritten, keeping the concurrent change', async () => {
    // Outside imports/, so the twin does not import it as well.
    const key = 'archive/crm/contatti.csv';
    const original = 'Email;Nome\r\nlia@example.it;Lia\r\nteo@example.it;Teo\r\n';
    await twin.clients.s3.send(new PutObjectCommand({ Bucket: twin.resources.buckets.landing, Key: key, Body: original }));
    await twin.waitIdle();
    await resolveRecord(store, rec([email('lia@example.it')], { source: 'crm' }, key, 2), config);
    const real = new S3Vault(twin.clients.s3);
    let interfered = false;
    // Someone uploads a new version between the erasure's read and its write.
    const racing: ObjectVault = Object.assign(Object.create(real) as ObjectVault, {
      async replace(bucket: string, k: string, bytes: Uint8Array, read: Parameters<ObjectVault['replace']>[3], marker: Record<string, string>) {
        if (!interfered && k === key) {
          interfered = true;
          await twin.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: `${original}eva@example.it;Eva\r\n` }));
        }
        return real.replace(bucket, k, bytes, read, marker);
      },
    });
    const done = await erase(deps(racing), { email: 'lia@example.it' });
    expect(done.status).toBe('completed');
    expect(done.evidence).toMatchObject({ rewriteConflictsRetried: 1, filesRewritten: [{ bucket: 'landing', key, rowsRemoved: 1 }] });
    const now = await (await twin.clients.s3.send(new GetObjectCommand({ Bucket: twin.resources.buckets.landing, Key: key }))).Body!.transformToString();
    expect(now).toBe('Email;Nome\r\nteo@example.it;Teo\r\neva@example.it;Eva\r\n');
  });

  it("erases everything from one shop (Shopify's shop/redact): its raw objects and the people known only from it", async () => {
    const d = deps();
    const only = rec([email('solo.negozio@example.it')], { source: 'negozio' });
    const both = rec([email('anche.erp@example.it')], { source: 'negozio' });
    await resolveRecord(store, only, config);
    await resolveRecord(store, both, config);
    await resolveRecord(store, rec([email('anche.erp@example.it')], { source: 'erp' }), config);
    for (const key of ['webhooks/negozio/dt=2026-11-01/d1.json', 'quarantine/negozio/webhooks/dt=2026-11-01/d2.json']) {
      await twin.clients.s3.send(new PutObjectCommand({ Bucket: twin.resources.buckets.raw, Key: key, Body: '{"email":"solo.negozio@example.it"}' }));
    }
    const { requestId } = await submitRequest(d, { type: 'erasure', scope: 'source', scopeSource: 'negozio', reference: 'shopify:shop/redact:954889', requester: 'webhook:negozio', origin: 'webhook:negozio:shop/redact' });
    const done = await processWork(d, d.sent.find((w) => w.requestId === requestId)!);
    expect(done).toMatchObject({ status: 'completed', evidence: { source: 'negozio', profiles: 1, objectsDeleted: 2, profilesAlsoFromOtherSourcesKept: 1 } });
    expect(await tableMentions('solo.negozio@example.it')).toBe(0);
    expect(await tableMentions('anche.erp@example.it')).toBeGreaterThan(0);
  });

  it('gives a webhook body no format could read in the access bundle, under its quarantine key, and erases it', async () => {
    const d = deps();
    await resolveRecord(store, rec([email('giada.neri@example.it')], { source: 'moduli' }), config);
    // A form's delivery cut short (not JSON): kept in quarantine as it came, with a note of why.
    const prefix = 'quarantine/moduli/webhooks/dt=2026-11-02/q-troncato';
    const body = '{"event_id":"ev_7","form_response":{"answers":[{"type":"email","email":"Giada.Neri@example.it"}';
    await twin.clients.s3.send(new PutObjectCommand({ Bucket: twin.resources.buckets.raw, Key: `${prefix}.body`, Body: body }));
    const note = { deliveryId: 'q-troncato', source: 'moduli', vendor: 'typeform', reason: 'json.malformed', receivedAt: '2026-11-02T10:00:00.000Z', bytes: body.length };
    await twin.clients.s3.send(new PutObjectCommand({ Bucket: twin.resources.buckets.raw, Key: `${prefix}.json`, Body: JSON.stringify(note) }));
    const { requestId } = await submitRequest(d, { type: 'access', email: 'giada.neri@example.it', requester: 'test', origin: 'test' });
    const done = await processWork(d, d.sent.find((w) => w.requestId === requestId)!);
    expect(done).toMatchObject({ status: 'completed', evidence: { profiles: 1, rawRows: 1 } });
    const zip = await (await twin.clients.s3.send(new GetObjectCommand({ Bucket: twin.resources.buckets.exports, Key: String(done!.evidence!.bundleKey) }))).Body!.transformToByteArray();
    const bundle = JSON.parse(strFromU8(unzipSync(zip)['bundle.json']!)) as { rawRows: unknown[] };
    expect(bundle.rawRows).toEqual([{ source: 'moduli', channel: 'webhook', objectKey: `${prefix}.body`, deliveryId: 'q-troncato', values: body, rejected: ['json.malformed'] }]);
    // The erasure deletes it (the note beside it names no one and stays).
    const erased = await erase(d, { email: 'giada.neri@example.it' });
    expect(erased.status).toBe('completed');
    expect(erased.evidence?.objectsDeleted).toContainEqual({ bucket: 'raw', key: `${prefix}.body` });
    expect(erased.evidence?.objectsDeleted).not.toContainEqual({ bucket: 'raw', key: `${prefix}.json` });
  });

  it("gives a delivery whose records were rejected in the access bundle, and erases its archived body", async () => {
    const d = deps();
    await resolveRecord(store, rec([email('piero.galli@example.it')], { source: 'moduli' }), config);
    // An order form's delivery without the order's number: its record rejected, its body archived under `webhooks/`
    // as every delivery's is, and a note in quarantine naming it. No record's lineage reaches the body.
    const rawKey = 'webhooks/moduli/dt=2026-11-03/d-senza-numero.json';
    const body = { event_id: 'ev_8', order: { email: 'Piero.Galli@example.it', total: '49.90' } };
    const noteKey = 'quarantine/moduli/webhooks/dt=2026-11-03/d-senza-numero.json';
    const note = { deliveryId: 'd-senza-numero', source: 'moduli', vendor: 'generic', topic: 'order', rawKey, receivedAt: '2026-11-03T10:00:00.000Z', rejected: [{ recordKey: 'order:ev_8', reasons: ['order.noOrderId'] }] };
    await twin.clients.s3.send(new PutObjectCommand({ Bucket: twin.resources.buckets.raw, Key: rawKey, Body: JSON.stringify(body) }));
    await twin.clients.s3.send(new PutObjectCommand({ Bucket: twin.resources.buckets.raw, Key: noteKey, Body: JSON.stringify(note) }));
    const { requestId } = await submitRequest(d, { type: 'access', email: 'piero.galli@example.it', requester: 'test', origin: 'test' });
    const done = await processWork(d, d.sent.find((w) => w.requestId === requestId)!);
    expect(done).toMatchObject({ status: 'completed', evidence: { profiles: 1, rawRows: 1 } });
    const zip = await (await twin.clients.s3.send(new GetObjectCommand({ Bucket: twin.resources.buckets.exports, Key: String(done!.evidence!.bundleKey) }))).Body!.transformToByteArray();
    const bundle = JSON.parse(strFromU8(unzipSync(zip)['bundle.json']!)) as { rawRows: unknown[] };
    expect(bundle.rawRows).toEqual([{ source: 'moduli', channel: 'webhook', objectKey: rawKey, deliveryId: 'd-senza-numero', values: body, rejected: ['order.noOrderId'] }]);
    const erased = await erase(d, { email: 'piero.galli@example.it' });
    expect(erased.status).toBe('completed');
    expect(erased.evidence?.objectsDeleted).toContainEqual({ bucket: 'raw', key: rawKey });
    expect(erased.evidence?.objectsDeleted).not.toContainEqual({ bucket: 'raw', key: noteKey });
    await expect(twin.clients.s3.send(new GetObjectCommand({ Bucket: twin.resources.buckets.raw, Key: rawKey }))).rejects.toThrow();
  });

  it("shows and erases the person's rows in a workbook's sheets the import never read", async () => {
    const d = deps();
    // The import read the first sheet; the second (orders kept beside the list) was never imported.
    const key = 'imports/negozio-fogli/clienti.xlsx';
    const book = buildXlsx({ Clienti: [['Email', 'Nome'], ['elena.riva@example.it', 'Elena'], ['altro@example.it', 'Aldo']], Ordini: [['Cliente', 'Totale'], ['elena.riva@example.it', '120'], ['altro@example.it', '80']] });
    await twin.clients.s3.send(new PutObjectCommand({ Bucket: twin.resources.buckets.landing, Key: key, Body: book }));
    await resolveRecord(store, rec([email('elena.riva@example.it')], { source: 'negozio-fogli' }, key, 2), config);
    const { requestId } = await submitRequest(d, { type: 'access', email: 'elena.riva@example.it', requester: 'test', origin: 'test' });
    const done = await processWork(d, d.sent.find((w) => w.requestId === requestId)!);
    const zip = await (await twin.clients.s3.send(new GetObjectCommand({ Bucket: twin.resources.buckets.exports, Key: String(done!.evidence!.bundleKey) }))).Body!.transformToByteArray();
    const bundle = JSON.parse(strFromU8(unzipSync(zip)['bundle.json']!)) as { rawRows: unknown[] };
    expect(bundle.rawRows).toEqual([
      { source: 'negozio-fogli', channel: 'file', objectKey: key, line: 2, values: { Email: 'elena.riva@example.it', Nome: 'Elena' } },
      { source: 'negozio-fogli', channel: 'file', objectKey: key, sheet: 'Ordini', line: 2, values: { '1': 'elena.riva@example.it', '2': '120' } },
    ]);
    const erased = await erase(d, { email: 'elena.riva@example.it' });
    expect(erased.evidence?.filesRewritten).toContainEqual({ bucket: 'landing', key, rowsRemoved: 2 });
    const after = await (await twin.clients.s3.send(new GetObjectCommand({ Bucket: twin.resources.buckets.landing, Key: key }))).Body!.transformToByteArray();
    expect([...readXlsx(after, 'Clienti')].map((r) => r.cells)).toEqual([['Email', 'Nome'], ['altro@example.it', 'Aldo']]);
    expect([...readXlsx(after, 'Ordini')].map((r) => r.cells)).toEqual([['Cliente', 'Totale'], ['altro@example.it', '80']]);
  });

  it("takes the person's records out of the records dead-letter queue, and sends the others' back with their failure note", async () => {
    const dlq = twin.resources.dlqUrls.records;
    const failures = new DynamoFailureLog(twin.clients.dynamodb, twin.resources.tableName);
    const d = { ...deps(), deadLetters: new SqsDeadLetterRecords(twin.clients.sqs, dlq, 30, failures) };
    await resolveRecord(store, rec([email('bruno.sala@example.it')]), config);
    // Records the resolver failed: one message with his record and someone else's, one with his only, one without him.
    const his = rec([email('bruno.sala@example.it')], {}, 'imports/shop/dlq.csv', 2);
    const hisAgain = rec([email('bruno.sala@example.it'), phone('+393331234567')], {}, 'imports/shop/dlq.csv', 4);
    const other = rec([email('altra.persona@example.it')], {}, 'imports/shop/dlq.csv', 3);
    const third = rec([email('terza.persona@example.it')], {}, 'imports/shop/dlq2.csv', 2);
    // Why the resolver failed the first message, as it noted it (`cdp dlq list` shows it).
    const note = { error: 'ConditionalCheckFailedException', detail: 'the profile kept changing', fn: 'resolveRecords', receiveCount: 5, at: '2026-11-23T10:00:00.000Z' };
    for (const batch of [[his, other], [hisAgain], [third]]) {
      for (const body of encodeRecords(batch, MAX_MESSAGE_BYTES)) {
        await twin.clients.sqs.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: body }));
        if (batch.includes(other)) await failures.note('records', body, note);
      }
    }
    const erased = await erase(d, { email: 'bruno.sala@example.it' });
    expect(erased.status).toBe('completed');
    expect(erased.evidence?.deadLetterRecords).toEqual({ messagesScanned: 3, removed: 2 });
    // What is left waits as before, visible at once, for a redrive; the message sent in the first's place keeps its note.
    const left = await drainBodies(dlq);
    expect(left.flatMap((b) => decodeRecords(b).map((r) => r.recordId)).sort()).toEqual([other.recordId, third.recordId].sort());
    const notes = await failures.read('records', left);
    expect([...notes.values()]).toEqual([note]);
    expect(decodeRecords([...notes.keys()][0]!).map((r) => r.recordId)).toEqual([other.recordId]);
  });

  it("leaves in the dead-letter queue a colleague's record from the erased person's role address", async () => {
    const dlq = twin.resources.dlqUrls.records;
    const d = { ...deps(), deadLetters: new SqsDeadLetterRecords(twin.clients.sqs, dlq, 30) };
    const bruno = { firstName: 'Bruno', lastName: 'Sala' };
    await resolveRecord(store, rec([email('bruno@salastudio.it'), email('info@salastudio.it')], { person: bruno }), config);
    // From the studio's address: his record, one that names no one, and his colleague's.
    const his = rec([email('info@salastudio.it')], { person: { firstName: 'BRUNO', lastName: 'SALA' } }, 'imports/shop/dlq3.csv', 2);
    const nameless = rec([email('info@salastudio.it')], { person: { firstName: 'Bruno' } }, 'imports/shop/dlq3.csv', 3);
    const colleague = rec([email('info@salastudio.it')], { person: { firstName: 'Carla', lastName: 'Neri' } }, 'imports/shop/dlq3.csv', 4);
    for (const body of encodeRecords([his, nameless, colleague], MAX_MESSAGE_BYTES)) await twin.clients.sqs.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: body }));
    const erased = await erase(d, { email: 'bruno@salastudio.it' });
    expect(erased.status).toBe('completed');
    expect(erased.evidence?.deadLetterRecords).toEqual({ messagesScanned: 1, removed: 2 });
    expect(await drainRecordIds(dlq)).toEqual([colleague.recordId]);
  });

  it('takes a request once when its work order arrives twice at once (a resubmission, an SQS redelivery)', async () => {
    const d = deps();
    await resolveRecord(store, rec([email('doppio@example.it')]), config);
    const { requestId } = await submitRequest(d, { type: 'access', email: 'doppio@example.it', requester: 'test', origin: 'test' });
    const work = d.sent.find((w) => w.requestId === requestId)!;
    const [a, b] = await Promise.all([processWork(d, work), processWork(d, work)]);
    const final = await d.log.read(requestId);
    expect(final).toMatchObject({ status: 'completed', attempts: 1 });
    expect([a?.status, b?.status]).toContain('completed');
    // A worker that died half-way: its redelivered work order is not dropped while the lease holds (the request
    // would stay in progress for ever) but posted again for when the lease ends; then the request is resumed.
    const { requestId: second } = await submitRequest(d, { type: 'access', email: 'doppio@example.it', requester: 'test', origin: 'test' });
    const state = (await d.log.read(second))!;
    const died = (await d.log.append(state, { type: 'started', at: new Date(Date.now() - 60_000).toISOString() })) as typeof state;
    const order = d.sent.find((w) => w.requestId === second)!;
    const posted = d.sent.length;
    expect(await processWork(d, order)).toMatchObject({ status: 'in_progress' });
    expect(d.sent.slice(posted)).toEqual([order]);
    expect(d.delays.at(-1)).toBeGreaterThanOrEqual(14 * 60);
    expect(d.delays.at(-1)).toBeLessThanOrEqual(900);
    await d.log.append(died, { type: 'started', at: new Date(Date.now() - 16 * 60_000).toISOString() });
    expect(await processWork(d, order)).toMatchObject({ status: 'completed', attempts: 3 });
  });

  it("lists an erased person's role address with their name, on a retry after their profile is gone too", async () => {
    const d = deps();
    const lookup = new SuppressionLookup(d.suppression, salt);
    await resolveRecord(store, rec([email('info@studiomarta.it'), phone('+393339990001')]), config);
    // Asked for by the studio's address (hers alone when she asks).
    const { requestId } = await submitRequest(d, { type: 'erasure', email: 'info@studiomarta.it', requester: 'test', origin: 'test' });
    const order = d.sent.find((w) => w.requestId === requestId)!;
    // The worker dies once everything is erased, before the request is closed; its retry finds no profile left.
    const dying: PrivacyDeps = {
      ...d,
      log: new Proxy(d.log, {
        get: (target, prop, receiver) =>
          prop === 'append'
            ? async (state: Parameters<typeof target.append>[0], event: Parameters<typeof target.append>[1]) => {
                if (event.type === 'completed') throw new Error('worker died');
                return target.append(state, event);
              }
            : Reflect.get(target, prop, receiver),
      }),
    };
    await expect(processWork(dying, order)).rejects.toThrow('worker died');
    const state = (await d.log.read(requestId))!;
    expect(state.located).toBeDefined();
    await d.log.append(state, { type: 'started', at: new Date(Date.now() - 16 * 60_000).toISOString() });
    expect(await processWork(d, order)).toMatchObject({ status: 'completed' });
    // Marta's own phone, and the studio's address with her name or none, are suppressed; her colleague's is not.
    const later = (person?: { firstName: string; lastName: string }, ids: Identifier[] = [email('info@studiomarta.it')]) =>
      resolveRecord(store, rec(ids, person ? { person } : { person: undefined }), config, lookup);
    expect((await later({ firstName: 'Marta', lastName: 'Conti' })).result).toBe('suppressed');
    expect((await later()).result).toBe('suppressed');
    expect((await later({ firstName: 'Luca', lastName: 'Conti' }, [email('info@studiomarta.it'), phone('+393339990001')])).result).toBe('suppressed');
    expect((await later({ firstName: 'Luca', lastName: 'Conti' })).result).toBe('applied');
  });

  it('hands an open request to the worker again when it is submitted again, as when its work order was lost', async () => {
    const d = deps();
    await resolveRecord(store, rec([email('perso@example.it')]), config);
    const submit = () => submitRequest(d, { type: 'access', email: 'perso@example.it', reference: 'ticket-4711', requester: 'test', origin: 'test' });
    const { requestId } = await submit();
    // Its worker took it and died with its order (a local twin killed: the queue was in memory).
    const state = (await d.log.read(requestId))!;
    await d.log.append(state, { type: 'started', at: new Date(Date.now() - 16 * 60_000).toISOString() });
    d.sent.length = 0;
    expect(await submit()).toMatchObject({ requestId, status: 'in_progress', created: false });
    expect(d.sent.map((w) => w.requestId)).toEqual([requestId]);
    expect(await processWork(d, d.sent[0]!)).toMatchObject({ status: 'completed', attempts: 2 });
    // A closed request is not worked again.
    d.sent.length = 0;
    expect(await submit()).toMatchObject({ requestId, status: 'completed', created: false });
    expect(d.sent).toEqual([]);
  });
});

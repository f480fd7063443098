import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3Engine, startS3 } from '../../local/engines/s3.ts';

/** What a GET saw: nothing yet, or the body's length and the distinct bytes in it. */
type Seen = 'missing' | { length: number; bytes: string };

describe("the twin's S3 shows an object whole or not at all, as S3 does", () => {
  let dir: string;
  let engine: S3Engine;
  let s3: S3Client;
  const Bucket = 'atomic';
  const MB = 1 << 20;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cdp-s3-'));
    engine = await startS3(dir);
    s3 = new S3Client({
      endpoint: engine.endpoint,
      region: 'eu-south-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    await s3.send(new CreateBucketCommand({ Bucket }));
  });
  afterAll(async () => {
    s3?.destroy();
    await engine?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (Key: string): Promise<Seen> => {
    try {
      const body = await (await s3.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToByteArray();
      return { length: body.length, bytes: [...new Set(body)].map((b) => String.fromCharCode(b)).join('') };
    } catch (e) {
      if ((e as Error).name === 'NoSuchKey') return 'missing';
      throw e;
    }
  };

  /** GETs `Key` over and over while `write` runs, and once more after: everything each GET saw. */
  async function readWhile(Key: string, write: () => Promise<unknown>): Promise<Seen[]> {
    const seen: Seen[] = [];
    let writing = true;
    const reader = (async () => {
      while (writing) seen.push(await get(Key));
    })();
    await write();
    writing = false;
    await reader;
    seen.push(await get(Key));
    return seen;
  }

  it('never answers a GET with a new object half-written', async () => {
    const seen: Seen[] = [];
    for (let i = 0; i < 8; i++) {
      const Key = `reports/new-${i}.json`;
      seen.push(...(await readWhile(Key, () => s3.send(new PutObjectCommand({ Bucket, Key, Body: Buffer.alloc(4 * MB, 'n') })))));
    }
    const whole = seen.filter((s) => s !== 'missing');
    expect(whole.length).toBeGreaterThanOrEqual(8); // each object read at least once after its PUT
    for (const s of whole) expect(s).toEqual({ length: 4 * MB, bytes: 'n' });
  }, 60_000);

  it('answers a GET during an overwrite with the old object or the new one, whole', async () => {
    const Key = 'config/mapping.json';
    const seen: Seen[] = [];
    for (let i = 0; i < 8; i++) {
      const [from, to] = i % 2 ? ['b', 'a'] : ['a', 'b'];
      await s3.send(new PutObjectCommand({ Bucket, Key, Body: Buffer.alloc(4 * MB, from) }));
      seen.push(...(await readWhile(Key, () => s3.send(new PutObjectCommand({ Bucket, Key, Body: Buffer.alloc(4 * MB, to) })))));
    }
    for (const s of seen) expect(s === 'missing' ? s : s.length).toBe(4 * MB);
    expect(new Set(seen.map((s) => (s === 'missing' ? s : s.bytes)))).toEqual(new Set(['a', 'b']));
  }, 60_000);

  it('has an object whole by the time its PUT is answered and its event sent', async () => {
    const seenAtEvent: Promise<Seen>[] = [];
    engine.onEvent((r) => {
      if (r.s3.object.key.startsWith('events/')) seenAtEvent.push(get(r.s3.object.key));
    });
    for (let i = 0; i < 8; i++) {
      const Key = `events/${i}.csv`;
      await s3.send(new PutObjectCommand({ Bucket, Key, Body: Buffer.alloc(2 * MB, 'e') }));
      expect(await get(Key)).toEqual({ length: 2 * MB, bytes: 'e' });
    }
    await expect.poll(() => seenAtEvent.length).toBe(8);
    for (const s of await Promise.all(seenAtEvent)) expect(s).toEqual({ length: 2 * MB, bytes: 'e' });
  }, 60_000);
});

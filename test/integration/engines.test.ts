import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineExited, startDynamoDb, startOnFreePort } from '../../local/engines/dynamodb.ts';

describe('the twin starts its engines on ports no other program holds', () => {
  let dir: string;
  let squatter: Server;
  let taken: number;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cdp-engines-'));
    // Another program on the port, answering every request (as a dev server would).
    squatter = createServer((_req, res) => res.end('hello'));
    await new Promise<void>((resolve) => squatter.listen(0, '0.0.0.0', resolve));
    taken = (squatter.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => squatter.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('does not take another program listening on the port for DynamoDB Local', async () => {
    const err = await startDynamoDb(path.join(dir, 'a'), taken).then(
      async (engine) => {
        await engine.stop();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EngineExited);
    expect(String((err as Error).message)).toContain(`could not bind port ${taken}`);
  }, 60_000);

  it('moves to another port when the engine finds its port taken, and answers there', async () => {
    const tried: number[] = [];
    const engine = await startOnFreePort(undefined, async (port) => {
      tried.push(port);
      return startDynamoDb(path.join(dir, 'b'), tried.length === 1 ? taken : port);
    });
    try {
      expect(tried).toHaveLength(2);
      expect(engine.endpoint).not.toContain(`:${taken}`);
      const res = await fetch(engine.endpoint, { method: 'POST', headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0' }, body: '{}' });
      expect(await res.text()).toContain('com.amazonaws.dynamodb');
    } finally {
      await engine.stop();
    }
  }, 90_000);
});

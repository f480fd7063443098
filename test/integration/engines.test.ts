import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineExited, startDynamoDb, startOnFreePort } from '../../local/engines/dynamodb.ts';

/** Whether a process runs (a zombie, dead and not yet reaped, does not). */
const running = (pid: number): boolean => {
  const status = `/proc/${pid}/status`;
  return existsSync(status) && !/^State:\s+Z/m.test(readFileSync(status, 'utf8'));
};

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

describe('the JVM dies with the twin', () => {
  // A twin killed outright (kill -9, a crashed test worker) cannot stop its engines: on Linux the kernel ends the JVM.
  it.runIf(process.platform === 'linux')('a twin process killed with SIGKILL takes its DynamoDB Local with it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cdp-orphan-'));
    const script = path.join(dir, 'twin.mts');
    writeFileSync(script, `import { startDynamoDb } from ${JSON.stringify(path.resolve('local/engines/dynamodb.ts'))};\nconst e = await startDynamoDb(${JSON.stringify(path.join(dir, 'data'))});\nconsole.log(e.pid);\nsetInterval(() => {}, 1000);\n`);
    const twin = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let pid = 0;
    try {
      pid = await new Promise<number>((resolve, reject) => {
        twin.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
        twin.once('exit', (code) => reject(new Error(`exited with ${code}`)));
      });
      expect(running(pid)).toBe(true);
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain('DynamoDBLocal.jar');
      twin.kill('SIGKILL');
      const until = Date.now() + 15_000;
      while (running(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      expect(running(pid)).toBe(false);
    } finally {
      twin.kill('SIGKILL');
      if (pid > 0 && running(pid)) process.kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

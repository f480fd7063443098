import { fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Engine, EngineExited, startOnFreePort } from './dynamodb.ts';

/** One S3 event record as S3 sends it in a bucket notification. */
export interface S3EventRecord {
  readonly eventName: string;
  readonly s3: { readonly bucket: { readonly name: string }; readonly object: { readonly key: string } };
}

export interface S3Engine extends Engine {
  /** Called for every object event (created, copied, deleted). */
  onEvent(listener: (record: S3EventRecord) => void): void;
}

/** s3rver, files on disk under `dataDir` (on a free port unless given one: see startDynamoDb). */
export async function startS3(dataDir: string, port?: number): Promise<S3Engine> {
  return startOnFreePort(port, (chosen) => launchS3(dataDir, chosen));
}

async function launchS3(dataDir: string, chosen: number): Promise<S3Engine> {
  mkdirSync(dataDir, { recursive: true });
  const child = fork(
    fileURLToPath(new URL('./s3rver-child.mjs', import.meta.url)),
    [JSON.stringify({ port: chosen, directory: dataDir })],
    { execArgv: ['--openssl-legacy-provider'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] },
  );
  const listeners: ((r: S3EventRecord) => void)[] = [];
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`s3rver did not start: ${stderr}`)), 20_000);
    child.on('message', (m: { type: string; event?: { Records: S3EventRecord[] } }) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve();
      } else if (m.type === 'event' && m.event) {
        for (const r of m.event.Records) for (const l of listeners) l(r);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      const message = `s3rver exited (${code}): ${stderr}`;
      reject(/EADDRINUSE/.test(stderr) ? new EngineExited(message) : new Error(message));
    });
  });
  return {
    endpoint: `http://127.0.0.1:${chosen}`,
    pid: child.pid,
    onEvent: (l) => listeners.push(l),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

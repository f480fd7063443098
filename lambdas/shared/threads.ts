import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parentPort, Worker, workerData } from 'node:worker_threads';

/**
 * One job on a worker thread: `runThread` starts the script with its input and resolves with what the script's
 * `serveThread` answers. A script is a bundled `.mjs` beside a Lambda bundle, or TypeScript source run through tsx's
 * API (a worker does not inherit the loader hooks of `--import tsx`).
 */
export function runThread<T>(script: URL, input: unknown): Promise<T> {
  const worker = script.pathname.endsWith('.ts')
    ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => tsx.tsImport(${JSON.stringify(script.href)}, ${JSON.stringify(script.href)}))`, {
        eval: true,
        workerData: input,
      })
    : new Worker(script, { workerData: input });
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    worker.once('message', (m: { result?: T; error?: string }) => {
      settled = true;
      if (m.error !== undefined) reject(new Error(m.error));
      else resolve(m.result as T);
      // The answer is all there is: idle keep-alive sockets must not hold the thread (or a Lambda container) open.
      void worker.terminate();
    });
    worker.once('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`Thread ${script.pathname.split('/').pop()} exited (${code}) without an answer`));
    });
  });
}

/** The thread's side: runs `job` on the input `runThread` gave and answers with its result or its error's message. */
export function serveThread<I, O>(job: (input: I) => Promise<O>): void {
  if (!parentPort) return;
  const port = parentPort;
  job(workerData as I).then(
    (result) => port.postMessage({ result }),
    (e: unknown) => port.postMessage({ error: e instanceof Error ? e.message : String(e) }),
  );
}

/** A script beside the calling module: `<name>.mjs` in a bundle, else `<name>.ts` in the repository. */
export function threadScript(name: string, besides: string): URL {
  const bundled = new URL(`./${name}.mjs`, besides);
  return existsSync(fileURLToPath(bundled)) ? bundled : new URL(`./${name}.ts`, besides);
}

/**
 * A module beside the calling one, imported on first use: code only some invocations need stays out of the handler's
 * bundle (and its cold start). Bundled as `<name>.mjs` by the function definition's `modules`.
 */
export async function importBeside<T>(name: string, besides: string): Promise<T> {
  return (await import(threadScript(name, besides).href)) as T;
}

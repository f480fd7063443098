import { createServer } from 'node:net';

/**
 * A free TCP port on 127.0.0.1 for an engine that binds it later, in its own process. Picked at random below the
 * range the OS gives out for `listen(0)` (32768 and up on Linux), so that between this check and the engine's bind no
 * other server of this machine that asks the OS for a port is handed it; tried free by binding it here first.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await bindable(port)) return port;
  }
  return bindable(0);
}

/** Binds `port` (0: any) and lets it go: the port bound, or 0 when it was taken. */
function bindable(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' || e.code === 'EACCES' ? resolve(0) : reject(e)));
    srv.listen(port, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Resolves once the engine on the port answers an HTTP request with a body `speaks` recognises: something listening is
 * not enough, since another program may hold the port (the engine, unable to bind it, then fails). Rejects when
 * `isAlive` says the engine failed, or after the timeout.
 */
export async function waitForEngine(
  port: number,
  timeoutMs: number,
  request: RequestInit,
  speaks: (body: string) => boolean,
  isAlive: () => boolean = () => true,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A refused connection, or an answer cut off mid-body, is an engine not ready yet.
    const body = await fetch(`http://127.0.0.1:${port}/`, { ...request, signal: AbortSignal.timeout(2_000) })
      .then((r) => r.text())
      .catch(() => undefined);
    if (body !== undefined && speaks(body)) return;
    if (!isAlive()) throw new Error(`engine on port ${port} exited before it was ready`);
    if (Date.now() > deadline) throw new Error(`port ${port} did not answer as the engine within ${timeoutMs} ms (another program may hold it)`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

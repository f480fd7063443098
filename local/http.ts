import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * The API Gateway stand-in: the same routes as the stack's HTTP API, on 127.0.0.1. Unknown routes answer 404; an
 * error inside a route answers 500 with a request id, never the error's text.
 */
export async function startHttp(
  port: number,
  routes: Record<string, Route>,
  /** Tried when no fixed route matches; answers false when it has no route either. */
  fallback?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>,
): Promise<{ server: Server; port: number }> {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const fixed = routes[`${req.method} ${url.pathname}`];
    const route: Route | undefined =
      fixed ??
      (fallback
        ? async (rq, rs, u) => {
            if (!(await fallback(rq, rs, u))) sendJson(rs, 404, { message: 'Not found' });
          }
        : undefined);
    if (!route) return sendJson(res, 404, { message: 'Not found' });
    try {
      await route(req, res, url);
    } catch {
      if (!res.headersSent) sendJson(res, 500, { message: 'Internal error' });
      else res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : port };
}

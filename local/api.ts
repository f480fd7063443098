import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { RouteDefinition } from '../lib/definitions.ts';
import { sendJson } from './http.ts';

export type ApiHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2 | string>;

/** API Gateway's payload limit for HTTP APIs is 10 MB; the twin refuses more the same way. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * The twin's stand-in for IAM on `iam` routes: a bearer token kept in CDP_HOME (created on first start, readable by
 * its owner only). In AWS those routes take SigV4-signed requests from principals allowed to invoke them.
 */
export function localToken(home: string): string {
  const file = path.join(home, 'credentials.json');
  if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { token: string }).token;
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, JSON.stringify({ token }, null, 2), { mode: 0o600 });
  return token;
}

interface CompiledRoute {
  readonly route: RouteDefinition;
  readonly pattern: RegExp;
  readonly params: readonly string[];
  readonly handler: ApiHandler;
}

export function compileRoute(route: RouteDefinition, handler: ApiHandler): CompiledRoute {
  const params: string[] = [];
  const source = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
    params.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), params, handler };
}

async function readBody(req: IncomingMessage): Promise<Buffer | 'tooLarge'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return 'tooLarge';
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Serves a request on the routes of the definitions the way API Gateway does: the same route keys, the same
 * payload-v2 event to the unchanged handler, the same auth decision (locally, the token), 500 without details when
 * the handler fails. Returns false when no route matches.
 */
export async function serveRoute(req: IncomingMessage, res: ServerResponse, url: URL, routes: readonly CompiledRoute[], token: string): Promise<boolean> {
  const method = req.method ?? 'GET';
  for (const r of routes) {
    if (r.route.method !== method) continue;
    const m = r.pattern.exec(url.pathname);
    if (!m) continue;
    if (r.route.auth === 'iam') {
      const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!given) {
        sendJson(res, 401, { message: 'Unauthorized' });
        return true;
      }
      const a = Buffer.from(given);
      const b = Buffer.from(token);
      if (a.length !== b.length || !timingSafeEqual(a, b)) {
        sendJson(res, 403, { message: 'Forbidden' });
        return true;
      }
    }
    const body = await readBody(req);
    if (body === 'tooLarge') {
      sendJson(res, 413, { message: 'Request Entity Too Large' });
      return true;
    }
    const now = new Date();
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
    const event: APIGatewayProxyEventV2 = {
      version: '2.0',
      routeKey: `${r.route.method} ${r.route.path}`,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      ...(url.search ? { queryStringParameters: Object.fromEntries(url.searchParams) } : {}),
      ...(r.params.length > 0 ? { pathParameters: Object.fromEntries(r.params.map((p, i) => [p, decodeURIComponent(m[i + 1]!)])) } : {}),
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: url.host,
        domainPrefix: 'local',
        http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
        requestId: randomUUID(),
        routeKey: `${r.route.method} ${r.route.path}`,
        ...(r.route.auth === 'iam' ? { authorizer: { iam: { userArn: 'local:cdp-home-token' } } } : {}),
        stage: '$default',
        time: now.toISOString(),
        timeEpoch: now.getTime(),
      },
      ...(body.length > 0 ? { body: body.toString('base64'), isBase64Encoded: true } : { isBase64Encoded: false }),
    };
    let result: APIGatewayProxyStructuredResultV2 | string;
    try {
      result = await r.handler(event);
    } catch {
      sendJson(res, 500, { message: 'Internal Server Error' });
      return true;
    }
    const structured = typeof result === 'string' ? { statusCode: 200, body: result } : result;
    const out = structured.body === undefined ? Buffer.alloc(0) : Buffer.from(structured.body, structured.isBase64Encoded ? 'base64' : 'utf8');
    res.writeHead(structured.statusCode ?? 200, { ...(structured.headers as Record<string, string>), 'content-length': out.length });
    res.end(out);
    return true;
  }
  return false;
}

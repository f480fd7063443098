import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../lambdas/handlers/privacy-api.ts';
import type { RequestLog } from '../../lambdas/ports/privacy.ts';

const post = (body: unknown) => ({ requestContext: { http: { method: 'POST' }, requestId: 'r' }, body: JSON.stringify(body), isBase64Encoded: false }) as unknown as APIGatewayProxyEventV2;

describe('the privacy API', () => {
  it("answers a request it cannot take with what is wrong in words, not `Invalid input`", async () => {
    const handler = makeHandler(() => ({ log: {} as RequestLog, salt: { get: async () => 'salt' }, work: { send: async () => {} }, now: () => new Date('2026-11-23T10:00:00Z') }));
    const res = await handler(post({ type: 'delete', email: 'mario.rossi@example.it', reference: 7, extra: true }));
    expect(res.statusCode).toBe(400);
    const answer = JSON.parse(String(res.body)) as { message: string; issues: string[] };
    expect(answer.message).toBe('Invalid request');
    expect(answer.issues).toEqual([
      expect.stringMatching(/^type: Invalid option: expected one of "access"\|"erasure"\|/),
      'reference: Invalid input: expected string, received number',
      expect.stringMatching(/^\(body\): Unrecognized key: "extra"/),
    ]);
    // No value of the request is echoed back.
    expect(String(res.body)).not.toContain('mario.rossi');
  });
});

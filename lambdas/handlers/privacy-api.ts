import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import { listOrder, REQUEST_TYPES } from '../domain/privacy/request.ts';
import '../domain/zod-english.ts';
import { lazy } from '../shared/env.ts';
import { logger, withContext } from '../shared/logger.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoRequestLog, PrivacySalt } from '../adapters/privacy-stores.ts';
import { SqsWorkQueue } from '../adapters/sqs-work-queue.ts';
import { requireEnv } from '../shared/env.ts';
import { InvalidRequestError, type RequestDeps, submitRequest } from '../usecases/privacy-requests.ts';

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

const REQUEST_ID = /^dsr_[0-9a-f]{20}$/;

// zod/mini: the same checks at a tenth of the bundle.
const text = (max: number) => z.optional(z.string().check(z.maxLength(max)));
const body = z.strictObject({
  type: z.enum(REQUEST_TYPES),
  email: text(320),
  phone: text(40),
  profileId: text(40),
  reference: text(128),
  changes: z.optional(z.record(z.string(), z.string().check(z.maxLength(500)))),
});

/** The caller as IAM authenticated it (its ARN), kept as the request's requester. */
function requesterOf(event: APIGatewayProxyEventV2): string {
  const iam = (event.requestContext as { authorizer?: { iam?: { userArn?: string } } }).authorizer?.iam;
  return iam?.userArn ?? 'iam:unknown';
}

/**
 * POST /privacy/requests, GET /privacy/requests and GET /privacy/requests/{id}: IAM-authorised (privacy officers'
 * roles). Bodies and answers name the subject only as the caller gave it; logs carry request ids and types.
 */
export const makeHandler =
  (deps: () => RequestDeps) =>
  async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const d = deps();
    if (event.requestContext.http.method === 'POST') {
      let parsed: z.infer<typeof body>;
      try {
        const text = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
        const result = body.safeParse(JSON.parse(text));
        if (!result.success) return json(400, { message: 'Invalid request', issues: result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`) });
        parsed = result.data;
      } catch {
        return json(400, { message: 'The body must be a JSON object' });
      }
      try {
        const submitted = await submitRequest(d, { ...parsed, requester: requesterOf(event), origin: 'api' });
        logger.info('privacy request received', { requestId: submitted.requestId, type: parsed.type, created: submitted.created });
        return json(submitted.created ? 202 : 200, submitted);
      } catch (e) {
        if (e instanceof InvalidRequestError) return json(400, { message: e.message });
        throw e;
      }
    }
    const id = event.pathParameters?.id;
    if (id === undefined) {
      const now = new Date();
      return json(200, { requests: (await d.log.list()).sort(listOrder(now)) });
    }
    if (!REQUEST_ID.test(id)) return json(400, { message: 'A request id looks like dsr_ followed by 20 hexadecimal digits' });
    const state = await d.log.read(id);
    return state ? json(200, state) : json(404, { message: 'No such request' });
  };

export const handler = withContext(
  makeHandler(
    lazy(() => ({
      log: new DynamoRequestLog(new DynamoDBClient({}), requireEnv('TABLE_NAME')),
      salt: new PrivacySalt(() => new SecretsManagerClient({}), process.env.PRIVACY_SECRET_ARN),
      work: new SqsWorkQueue(new SQSClient({}), requireEnv('DSR_QUEUE_URL')),
      now: () => new Date(),
    })),
  ),
);

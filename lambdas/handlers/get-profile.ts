import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import identityJson from '../../config/identity.json' with { type: 'json' };
import { DynamoProfileStore, documentClient } from '../adapters/dynamo-profile-store.ts';
import { parseIdentityConfig } from '../domain/identity-config.ts';
import { lazy, requireEnv } from '../shared/env.ts';
import { logger, withContext } from '../shared/logger.ts';
import { readProfileById } from '../usecases/read-profiles.ts';

const deps = lazy(() => ({
  store: new DynamoProfileStore(documentClient(), requireEnv('TABLE_NAME')),
  config: parseIdentityConfig(identityJson),
}));

const PROFILE_ID = /^p_[0-9a-f]{20}$/;

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

/**
 * GET /profiles/{id}: the unified profile (a merged-away id answers with the survivor). IAM-authorised. The role reads
 * only: a merge or unmerge met half-done is shown, not finished (the resolvers finish it).
 */
export const handler = withContext(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const id = event.pathParameters?.id ?? '';
  if (!PROFILE_ID.test(id)) return json(400, { message: 'A profile id looks like p_ followed by 20 hexadecimal digits' });
  const { store, config } = deps();
  const profile = await readProfileById(store, config, id);
  logger.info('profile read', { profileId: id, found: profile !== undefined, requestId: event.requestContext?.requestId });
  return profile ? json(200, profile) : json(404, { message: 'No such profile' });
});

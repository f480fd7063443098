import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import identityJson from '../../config/identity.json' with { type: 'json' };
import { DynamoProfileStore, documentClient } from '../adapters/dynamo-profile-store.ts';
import { parseIdentityConfig } from '../domain/identity-config.ts';
import { lazy, requireEnv } from '../shared/env.ts';
import { logger, withContext } from '../shared/logger.ts';
import { historyCount, MAX_HISTORY_EVENTS, profileHistory, readProfileById } from '../usecases/read-profiles.ts';

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

/** `?history=true[&events=N]`: how many records the history shows (20 by default); undefined without it; a string says what is wrong. */
function historyEvents(query: Readonly<Record<string, string | undefined>>): number | undefined | string {
  const { history, events } = query;
  if (history === undefined || history === 'false') return events === undefined ? undefined : 'events goes with history=true';
  if (history !== 'true') return 'history is true or false';
  return historyCount(events) ?? `events is a whole number from 1 to ${MAX_HISTORY_EVENTS}`;
}

/**
 * GET /profiles/{id}: the unified profile (a merged-away id answers with the survivor). IAM-authorised. The role reads
 * only: a merge or unmerge met half-done is shown, not finished (the resolvers finish it). `?history=true` adds its
 * newest records and its orders (`&events=N`, 20 by default).
 */
export const handler = withContext(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const id = event.pathParameters?.id ?? '';
  if (!PROFILE_ID.test(id)) return json(400, { message: 'A profile id looks like p_ followed by 20 hexadecimal digits' });
  const events = historyEvents(event.queryStringParameters ?? {});
  if (typeof events === 'string') return json(400, { message: events });
  const { store, config } = deps();
  const profile = await readProfileById(store, config, id);
  logger.info('profile read', { profileId: id, found: profile !== undefined, history: events !== undefined, requestId: event.requestContext?.requestId });
  if (!profile) return json(404, { message: 'No such profile' });
  return json(200, events === undefined ? profile : { ...profile, history: await profileHistory(store, profile.profileId, events) });
});

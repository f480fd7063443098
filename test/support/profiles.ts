import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoProfileStore } from '../../lambdas/adapters/dynamo-profile-store.ts';
import { DEFAULT_IDENTITY_CONFIG } from '../../lambdas/domain/identity-config.ts';
import { type ProfileView, profilesByIdentifier } from '../../lambdas/usecases/read-profiles.ts';

/** Reads profiles the way the product does (`cdp profiles get`), from a twin's DynamoDB. */
export async function profilesOf(dynamodb: DynamoDBClient, tableName: string, identifierKey: string): Promise<ProfileView[]> {
  const store = new DynamoProfileStore(DynamoDBDocumentClient.from(dynamodb), tableName);
  return profilesByIdentifier(store, DEFAULT_IDENTITY_CONFIG, identifierKey);
}

/** The one profile an identifier belongs to (fails when it is shared or unknown). */
export async function profileOf(dynamodb: DynamoDBClient, tableName: string, identifierKey: string): Promise<ProfileView | undefined> {
  const found = await profilesOf(dynamodb, tableName, identifierKey);
  if (found.length > 1) throw new Error(`${identifierKey} belongs to ${found.length} profiles`);
  return found[0];
}

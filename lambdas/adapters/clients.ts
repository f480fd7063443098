import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Default clients. Endpoints, region, credentials and checksum behaviour come from the standard AWS SDK settings
 * (AWS_REGION, AWS_ENDPOINT_URL_<SERVICE>, AWS_REQUEST_CHECKSUM_CALCULATION, ...), so the same code runs in Lambda
 * and against any endpoint that speaks the AWS protocols.
 */
export const makeS3 = (): S3Client => new S3Client({});
export const makeSqs = (): SQSClient => new SQSClient({});
export const makeDocumentClient = (): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });

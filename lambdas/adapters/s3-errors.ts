/** S3's "no such object" as the SDK reports it: NoSuchKey from GET, NotFound from HEAD, or a bare 404. */
export const isNotFound = (e: unknown): boolean =>
  (e as Error).name === 'NoSuchKey' || (e as Error).name === 'NotFound' || (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;

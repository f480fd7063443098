import type { Server } from 'node:http';
import { createSqsServer } from 'local-aws-sqs';
import type { Engine } from './dynamodb.ts';

export const LOCAL_ACCOUNT_ID = '000000000000';

/**
 * local-aws-sqs (JSON protocol, visibility timeout, redrive to DLQ), in this process, in memory. Without a port, the
 * OS gives one as the server binds (a port looked up first could be taken by another process before the bind).
 */
export async function startSqs(region: string, port?: number): Promise<Engine> {
  const server = (await createSqsServer({
    port: port ?? 0,
    hostname: '127.0.0.1',
    region,
    accountId: LOCAL_ACCOUNT_ID,
    emulateQueueCreationLifecycle: false,
  })) as unknown as Server;
  const address = server.address();
  const chosen = typeof address === 'object' && address ? address.port : port;
  return {
    endpoint: `http://127.0.0.1:${chosen}`,
    async stop() {
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

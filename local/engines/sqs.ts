import type { Server } from 'node:http';
import { createSqsServer } from 'local-aws-sqs';
import type { Engine } from './dynamodb.ts';
import { freePort } from './ports.ts';

export const LOCAL_ACCOUNT_ID = '000000000000';

/** local-aws-sqs (JSON protocol, visibility timeout, redrive to DLQ), in this process, in memory. */
export async function startSqs(region: string, port?: number): Promise<Engine> {
  const chosen = port ?? (await freePort());
  const server = (await createSqsServer({
    port: chosen,
    hostname: '127.0.0.1',
    region,
    accountId: LOCAL_ACCOUNT_ID,
    emulateQueueCreationLifecycle: false,
  })) as unknown as Server;
  return {
    endpoint: `http://127.0.0.1:${chosen}`,
    async stop() {
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

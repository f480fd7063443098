import { createServer } from 'node:http';
import { createRequestHandler } from 'local-aws-sqs';
import type { Engine } from './dynamodb.ts';
import { type JournaledMessage, type JournaledQueue, SqsJournal } from './sqs-journal.ts';

export const LOCAL_ACCOUNT_ID = '000000000000';

export interface SqsEngine extends Engine {
  /**
   * With a journal directory: puts back the messages the queues held when the engine last stopped or was killed (into
   * the queues of those names, which must exist by now) and journals every change from here on. Returns them.
   */
  restore(): JournaledMessage[];
}

/**
 * local-aws-sqs (JSON protocol, visibility timeout, redrive to DLQ), in this process, in memory, made durable by a
 * journal in `journalDir` when one is given (see SqsJournal). Without a port, the OS gives one as the server binds (a
 * port looked up first could be taken by another process before the bind).
 */
export async function startSqs(region: string, options: { port?: number; journalDir?: string; compactFloorBytes?: number } = {}): Promise<SqsEngine> {
  const { service, requestHandler } = createRequestHandler({
    port: options.port ?? 0,
    hostname: '127.0.0.1',
    region,
    accountId: LOCAL_ACCOUNT_ID,
    emulateQueueCreationLifecycle: false,
  });
  const journal = options.journalDir ? new SqsJournal(options.journalDir, options.compactFloorBytes) : undefined;
  const server = createServer((req, res) => void requestHandler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const chosen = typeof address === 'object' && address ? address.port : options.port;
  // Queue URLs are built from the service's port.
  service.PORT = chosen ?? 0;
  return {
    endpoint: `http://127.0.0.1:${chosen}`,
    restore() {
      return journal ? journal.attach(service.Queues as unknown as JournaledQueue[]) : [];
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      journal?.close();
    },
  };
}

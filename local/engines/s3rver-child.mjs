// Runs s3rver in its own process: it needs Node's --openssl-legacy-provider, which the parent need not have.
// Object events are forwarded to the parent over IPC (they stand in for S3 bucket notifications).
import S3rver from 's3rver';

const { port, directory } = JSON.parse(process.argv[2]);
const server = new S3rver({ port, address: '127.0.0.1', directory, silent: true, allowMismatchedSignatures: true });
server.on('event', (event) => process.send?.({ type: 'event', event }));
await server.run();
process.send?.({ type: 'ready' });
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', async () => {
  await server.close();
  process.exit(0);
});

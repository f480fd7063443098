// Runs s3rver in its own process: it needs Node's --openssl-legacy-provider, which the parent need not have.
// Object events are forwarded to the parent over IPC (they stand in for S3 bucket notifications).
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import S3rver from 's3rver';

const { port, directory } = JSON.parse(process.argv[2]);
const server = new S3rver({ port, address: '127.0.0.1', directory, silent: true, allowMismatchedSignatures: true });
makeWritesAtomic(server.store);
server.on('event', (event) => process.send?.({ type: 'event', event }));
await server.run();
process.send?.({ type: 'ready' });
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', async () => {
  await server.close();
  process.exit(0);
});

/**
 * S3 shows an object whole or not at all. s3rver's file store writes the object's file in place: a GET that comes while
 * a PUT is writing reads it empty or cut short (and a buffered PUT is answered, and its event sent, before its file is
 * flushed). Here each file is written beside its place and renamed over it once complete; the metadata first, then the
 * object, whose file is what makes the object exist. The temporary names do not end as object files do, so a listing
 * never shows them.
 */
function makeWritesAtomic(store) {
  store.putObject = async function putObject(object) {
    const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(path.dirname(objectPath), { recursive: true });
    const tmp = temporaryBeside(objectPath);
    try {
      const md5 = createHash('md5');
      let size = 0;
      const content = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
      const count = new Transform({
        transform(chunk, _encoding, done) {
          md5.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      });
      await pipeline(content, count, createWriteStream(tmp));
      const digest = md5.digest('hex');
      await this.putMetadata(object.bucket, object.key, object.metadata, digest);
      await rename(tmp, objectPath);
      return { size, md5: digest };
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  };
  const putMetadata = store.putMetadata;
  store.putMetadata = async function atomicPutMetadata(bucket, key, metadata, md5) {
    // s3rver's own, on a scratch store whose paths are temporary names, then each renamed into place.
    const metadataPath = this.getResourcePath(bucket, key, 'metadata.json');
    const md5Path = this.getResourcePath(bucket, key, 'object.md5');
    const scratch = { 'metadata.json': temporaryBeside(metadataPath), 'object.md5': temporaryBeside(md5Path) };
    try {
      await putMetadata.call({ getResourcePath: (_b, _k, resource) => scratch[resource] }, bucket, key, metadata, md5);
      if (md5) await rename(scratch['object.md5'], md5Path);
      await rename(scratch['metadata.json'], metadataPath);
    } catch (e) {
      await Promise.all(Object.values(scratch).map((f) => rm(f, { force: true })));
      throw e;
    }
  };
}

const temporaryBeside = (file) => `${file}.${randomBytes(6).toString('hex')}.partial`;

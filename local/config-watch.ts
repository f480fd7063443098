import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { DeleteObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { secretEnvVar } from '../lambdas/domain/webhooks/receive.ts';

/**
 * The twin's configuration, followed while it runs as a deployed stack follows its own: a secret put in Secrets Manager
 * reaches the webhook function within five minutes, a source file uploaded to the landing bucket's `mappings/` within
 * the minute the function caches it. Here `CDP_HOME/secrets.json` and `config/sources/*.json` are read at start and
 * again whenever they change (looked at every second), so a source or a secret added to a running twin takes
 * deliveries without a restart.
 */

/** Metadata on a source file the twin copied from config/sources, so that it removes only its own copies. */
const SYNCED_MARKER = 'cdp-synced-from';
const SYNCED_FROM = 'config/sources';

const UNREADABLE_SECRETS = 'secrets.json is not a JSON object of source names to secrets: the secrets read before it (if any) are kept';

export const secretsFileOf = (home: string): string => path.join(home, 'secrets.json');

/**
 * The secrets file's entries: `{"<source>": "<secret>"}`, empty values left out. An absent file has none; a file
 * that is not such an object is `undefined` (a file being written, or a typo: the caller keeps what it had).
 */
export function readSecretsFile(home: string): Record<string, string> | undefined {
  const file = secretsFileOf(home);
  if (!existsSync(file)) return {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
  } catch {
    return undefined;
  }
}

/**
 * Webhook secrets for the twin's handlers: the secrets file's entries become `CDP_WEBHOOK_SECRET_<SOURCE>` variables
 * (what Secrets Manager holds in AWS). A variable the user set wins: only the ones this file set are changed or
 * taken back when the file changes.
 */
export class SecretsFromFile {
  /** Variable -> the value this file gave it. */
  private readonly set = new Map<string, string>();

  constructor(
    private readonly home: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** Applies the file as it is now: the number of sources with a secret from it, or `undefined` if it is unreadable. */
  apply(): number | undefined {
    const entries = readSecretsFile(this.home);
    if (entries === undefined) return undefined;
    const next = new Map(Object.entries(entries).map(([source, secret]) => [secretEnvVar(source), secret]));
    for (const [variable, value] of this.set) {
      if (next.has(variable)) continue;
      if (this.env[variable] === value) delete this.env[variable];
      this.set.delete(variable);
    }
    for (const [variable, value] of next) {
      const ours = this.set.has(variable) && this.env[variable] === this.set.get(variable);
      if (this.env[variable] !== undefined && !ours) continue;
      this.env[variable] = value;
      this.set.set(variable, value);
    }
    return this.set.size;
  }
}

/** The JSON files of a folder, sorted, with their paths (none when it does not exist). */
const jsonFilesIn = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(dir, f)) : [];

/**
 * Copies the source files to the landing bucket's `mappings/` (where the webhook and import functions read them, as in
 * AWS), and removes the copies of files deleted since. A file someone put in `mappings/` by other means is left alone.
 * Returns the sources copied.
 */
async function syncSourceFiles(s3: S3Client, landing: string, dir: string): Promise<string[]> {
  const files = jsonFilesIn(dir);
  const names = files.map((f) => path.basename(f));
  for (const [i, file] of files.entries()) {
    await s3.send(
      new PutObjectCommand({
        Bucket: landing,
        Key: `mappings/${names[i]}`,
        Body: readFileSync(file),
        ContentType: 'application/json',
        Metadata: { [SYNCED_MARKER]: SYNCED_FROM },
      }),
    );
  }
  const present = new Set(names);
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: landing, Prefix: 'mappings/', Delimiter: '/', ContinuationToken }));
    for (const o of page.Contents ?? []) {
      const name = o.Key?.slice('mappings/'.length);
      if (!o.Key || !name?.endsWith('.json') || present.has(name)) continue;
      const head = await s3.send(new HeadObjectCommand({ Bucket: landing, Key: o.Key }));
      if (head.Metadata?.[SYNCED_MARKER] === SYNCED_FROM) await s3.send(new DeleteObjectCommand({ Bucket: landing, Key: o.Key }));
    }
    ContinuationToken = page.NextContinuationToken;
  } while (ContinuationToken);
  return names.map((f) => f.slice(0, -'.json'.length));
}

/** What changed in the twin's configuration, as `cdp up` tells it. */
export type ConfigChange =
  | { readonly what: 'secrets'; readonly sources: number }
  | { readonly what: 'sources'; readonly sources: readonly string[] }
  | { readonly what: 'secrets' | 'sources'; readonly error: string };

/** A stamp of the files (names, sizes, modification times): it changes when any of them does. */
function stampOf(paths: readonly string[]): string {
  return paths
    .map((p) => {
      try {
        const s = statSync(p);
        return `${p}:${s.size}:${s.mtimeMs}`;
      } catch {
        return `${p}:-`;
      }
    })
    .join('|');
}

/**
 * Applies the secrets file and copies the source files now, then follows both: looks every `intervalMs` and applies
 * what changed (the files are stamped before they are first read, so a change made meanwhile is seen at the first
 * look). A copy that failed (the engine busy) is tried again at the next look. An unreadable secrets file is told, at
 * start or later. Resolves, once the first copy is made, to the function that stops following.
 */
export async function followConfig(options: {
  readonly home: string;
  readonly sourcesDir: string;
  readonly s3: S3Client;
  readonly landing: string;
  readonly intervalMs?: number;
  readonly onChange?: (change: ConfigChange) => void;
}): Promise<() => Promise<void>> {
  const { home, sourcesDir, s3, landing, onChange } = options;
  const secrets = new SecretsFromFile(home);
  const secretsStampNow = () => stampOf([secretsFileOf(home)]);
  const sourcesStampNow = () => stampOf([sourcesDir, ...jsonFilesIn(sourcesDir)]);
  const applySecrets = () => {
    const sources = secrets.apply();
    if (sources === undefined) onChange?.({ what: 'secrets', error: UNREADABLE_SECRETS });
    return sources;
  };
  let secretsStamp = secretsStampNow();
  let sourcesStamp = sourcesStampNow();
  applySecrets();
  await syncSourceFiles(s3, landing, sourcesDir);
  let running: Promise<void> = Promise.resolve();
  let failing = false;
  const look = async (): Promise<void> => {
    const s = secretsStampNow();
    if (s !== secretsStamp) {
      secretsStamp = s;
      const sources = applySecrets();
      if (sources !== undefined) onChange?.({ what: 'secrets', sources });
    }
    const f = sourcesStampNow();
    if (f !== sourcesStamp) {
      try {
        const sources = await syncSourceFiles(s3, landing, sourcesDir);
        sourcesStamp = f;
        failing = false;
        onChange?.({ what: 'sources', sources });
      } catch (e) {
        // Told once, not at every look until it works.
        if (!failing) onChange?.({ what: 'sources', error: `config/sources could not be copied to the landing bucket (tried again every second): ${(e as Error).name}` });
        failing = true;
      }
    }
  };
  const timer = setInterval(() => {
    running = running.then(look, look);
  }, options.intervalMs ?? 1000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running.catch(() => undefined);
  };
}

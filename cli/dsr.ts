import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoRequestLog, DynamoSuppressionList, PrivacySalt, SALT_ENV } from '../lambdas/adapters/privacy-stores.ts';
import { S3Vault } from '../lambdas/adapters/s3-vault.ts';
import { SqsWorkQueue } from '../lambdas/adapters/sqs-work-queue.ts';
import { isOverdue, listOrder, type RequestState, type RequestType } from '../lambdas/domain/privacy/request.ts';
import { extendRequest, InvalidRequestError, type PrivacyDeps, submitRequest } from '../lambdas/usecases/privacy-requests.ts';
import { localPrivacySalt } from '../local/twin.ts';
import { type Output, UsageError } from './output.ts';
import { identityConfig, profileStore } from './profiles.ts';
import type { Target } from './target.ts';

const TYPES: Record<string, RequestType> = { access: 'access', erase: 'erasure', rectify: 'rectification', restrict: 'restriction' };

export interface DsrFlags {
  readonly email?: string;
  readonly phone?: string;
  readonly id?: string;
  readonly reference?: string;
  readonly set?: readonly string[];
  readonly wait?: boolean;
  readonly months?: string;
  readonly reason?: string;
}

export function cliPrivacyDeps(target: Target): PrivacyDeps {
  const env = 'home' in target.privacySalt ? { [SALT_ENV]: localPrivacySalt(target.privacySalt.home) } : {};
  return {
    log: new DynamoRequestLog(target.dynamodb, target.tableName),
    suppression: new DynamoSuppressionList(target.dynamodb, target.tableName),
    salt: new PrivacySalt(() => new SecretsManagerClient({}), 'secretArn' in target.privacySalt ? target.privacySalt.secretArn : undefined, env),
    work: new SqsWorkQueue(target.sqs, target.queueUrls.dsr),
    profiles: profileStore(target),
    config: identityConfig(),
    vault: new S3Vault(target.s3),
    buckets: { landing: target.buckets.landing, raw: target.buckets.raw, exports: target.buckets.exports },
    now: () => new Date(),
  };
}

function describe(s: RequestState, now: Date): string {
  const overdue = isOverdue(s, now) ? '  OVERDUE' : '';
  return `${s.requestId}  ${s.requestType.padEnd(13)} ${s.status.padEnd(11)} received ${s.receivedAt.slice(0, 10)}  deadline ${s.deadline.slice(0, 10)}${s.reference ? `  ref ${s.reference}` : ''}${overdue}`;
}

function detail(s: RequestState, now: Date): string {
  const lines = [describe(s, now), `  requester    ${s.requester} (${s.origin})`, `  subject      ${s.subject.map((x) => `${x.kind}#${x.hash.slice(0, 12)}`).join(', ') || `everything from ${s.scopeSource}`}`];
  if (s.extension) lines.push(`  extended     by ${s.extension.months} month(s): ${s.extension.reason}`);
  if (s.completedAt) lines.push(`  completed    ${s.completedAt}`);
  if (s.rejection) lines.push(`  rejected     ${s.rejection}`);
  if (s.failure) lines.push(`  last failure ${s.failure} (attempt ${s.attempts}; retried by the queue)`);
  if (s.evidence) lines.push(`  evidence     ${JSON.stringify(s.evidence, null, 2).replace(/\n/g, '\n  ')}`);
  return lines.join('\n');
}

/** `cdp dsr access|erase|rectify|restrict|list|show|extend`. */
export async function runDsr(out: Output, target: Target, args: readonly string[], flags: DsrFlags): Promise<number> {
  const [sub, ...rest] = args;
  const deps = cliPrivacyDeps(target);
  const now = new Date();
  if (sub === 'list') {
    const all = (await deps.log.list()).sort(listOrder(now));
    out.result(all, () => (all.length === 0 ? 'No privacy requests.' : all.map((s) => describe(s, now)).join('\n')));
    return 0;
  }
  if (sub === 'show') {
    const id = rest[0];
    if (!id) throw new UsageError('Usage: cdp dsr show <requestId>');
    const s = await deps.log.read(id);
    if (!s) {
      out.result(null, () => 'No such request.');
      return 1;
    }
    out.result(s, () => detail(s, now));
    return 0;
  }
  if (sub === 'extend') {
    const id = rest[0];
    const months = Number(flags.months ?? '2');
    if (!id || (months !== 1 && months !== 2) || !flags.reason) throw new UsageError('Usage: cdp dsr extend <requestId> --months 1|2 --reason "why" (Art. 12(3))');
    try {
      const s = await extendRequest(deps, id, months, flags.reason);
      out.result(s, () => detail(s, now));
      return 0;
    } catch (e) {
      if (e instanceof InvalidRequestError || (e as Error).name === 'IllegalTransitionError') throw new UsageError((e as Error).message);
      throw e;
    }
  }
  const type = sub ? TYPES[sub] : undefined;
  if (!type) throw new UsageError('Usage: cdp dsr access|erase|rectify|restrict --email E | --phone P | --id ID [--reference R] [--set field=value] [--wait]   |   cdp dsr list | show <id> | extend <id>');
  const changes: Record<string, string> = {};
  for (const pair of flags.set ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set takes field=value (got ${pair.slice(0, 20)})`);
    changes[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  let submitted;
  try {
    submitted = await submitRequest(deps, {
      type,
      ...(flags.email !== undefined ? { email: flags.email } : {}),
      ...(flags.phone !== undefined ? { phone: flags.phone } : {}),
      ...(flags.id !== undefined ? { profileId: flags.id } : {}),
      ...(flags.reference !== undefined ? { reference: flags.reference } : {}),
      ...(Object.keys(changes).length > 0 ? { changes } : {}),
      requester: `cli:${process.env.USER ?? 'unknown'}`,
      origin: 'cli',
    });
  } catch (e) {
    if (e instanceof InvalidRequestError) throw new UsageError(e.message);
    throw e;
  }
  if (!flags.wait) {
    out.result(submitted, () => `${submitted.requestId}  ${type}, ${submitted.status}; deadline ${submitted.deadline.slice(0, 10)}. Follow it with \`cdp dsr show ${submitted.requestId}\`.`);
    return 0;
  }
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    const s = await deps.log.read(submitted.requestId);
    if (s && (s.status === 'completed' || s.status === 'rejected')) {
      out.result(s, () => detail(s, new Date()));
      return s.status === 'completed' ? 0 : 1;
    }
    if (Date.now() > deadline) throw new Error(`Request ${submitted.requestId} is still ${s?.status}; follow it with \`cdp dsr show\``);
    out.progress(`${submitted.requestId} ${s?.status ?? 'received'}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

import { AsyncLocalStorage } from 'node:async_hooks';
import { S3Client } from '@aws-sdk/client-s3';
import type { FunctionName } from '../../lib/definitions.ts';
import type { HandlerWrapper } from '../../local/twin.ts';

/**
 * Fault injection for the twin, through SDK middleware: every AWS SDK client a handler uses gets a middleware below
 * its retry middleware, so the SDK's own retries see the injected errors as they would see real ones. Faults touch
 * only calls made inside a function invocation (the twin's own plumbing and the test's reads are left alone).
 */
export interface FaultPlan {
  /** Per DynamoDB request attempt: ProvisionedThroughputExceededException (the SDK retries it with back-off). */
  readonly dynamoThrottle: number;
  /** Per S3 request attempt: InternalError 500 or SlowDown 503. */
  readonly s3Error: number;
  /**
   * Per invocation: the runtime dies after a random number of SDK calls (nothing after it happens). An SQS batch is
   * then retried whole; a webhook is answered 500 and the vendor retries it.
   */
  readonly crash: number;
  /** Per resolver SDK call once a merge has started in the invocation: the resolver dies half-way through the merge. */
  readonly crashInMerge: number;
  /** Per SQS-triggered invocation: one SDK call stalls this long (longer than the queue's visibility timeout). */
  readonly slow: { readonly rate: number; readonly ms: number };
}

export const NO_FAULTS: FaultPlan = { dynamoThrottle: 0, s3Error: 0, crash: 0, crashInMerge: 0, slow: { rate: 0, ms: 0 } };

/** A persistent fault, on until lifted: matching calls fail with a non-retryable error (a bad deployment, an outage). */
export interface Outage {
  readonly fn: FunctionName;
  readonly command: RegExp;
  readonly error: { readonly name: string; readonly status: number; readonly message: string };
}

export interface FaultCounts {
  invocations: number;
  dynamoThrottles: number;
  s3Errors: number;
  crashes: number;
  crashesInMerge: number;
  slowCalls: number;
  outageErrors: number;
}

interface Invocation {
  readonly fn: FunctionName;
  calls: number;
  readonly crashAt?: number;
  readonly slowAt?: number;
  inMerge: boolean;
  crashed: boolean;
}

/** What a crashed invocation's remaining SDK calls throw (not retryable: the process is gone). */
export class RuntimeCrash extends Error {
  override name = 'RuntimeCrash';
}

const SQS_FUNCTIONS: readonly FunctionName[] = ['ingestFile', 'resolveRecords', 'privacyWorker'];
const CRASHING: readonly FunctionName[] = [...SQS_FUNCTIONS, 'ingestWebhook'];

interface MiddlewareArgs {
  readonly input?: unknown;
}
interface MiddlewareContext {
  readonly commandName?: string;
}
type Next = (args: MiddlewareArgs) => Promise<unknown>;
interface Stack {
  add(mw: (next: Next, context: MiddlewareContext) => Next, options: Record<string, unknown>): void;
}

export class FaultInjector {
  plan: FaultPlan = NO_FAULTS;
  /** Persistent faults now on. */
  readonly outages: Outage[] = [];
  readonly counts: FaultCounts = { invocations: 0, dynamoThrottles: 0, s3Errors: 0, crashes: 0, crashesInMerge: 0, slowCalls: 0, outageErrors: 0 };
  private readonly current = new AsyncLocalStorage<Invocation>();
  private readonly armed = new WeakSet<object>();
  private restore: (() => void) | undefined;

  constructor(private readonly rand: () => number) {}

  /** Adds the fault middleware to every SDK client (once per middleware stack) from now on. */
  install(): void {
    // Every service client extends the same smithy Client; its send() is where a client's stack is first used.
    const base = Object.getPrototypeOf(S3Client.prototype) as { send: (...args: unknown[]) => unknown };
    const send = base.send;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const injector = this;
    base.send = function (this: { middlewareStack: Stack; config: { serviceId?: string } }, ...args: unknown[]) {
      if (!injector.armed.has(this.middlewareStack)) {
        injector.armed.add(this.middlewareStack);
        const service = this.config.serviceId ?? 'unknown';
        this.middlewareStack.add((next, context) => (mwArgs) => injector.intercept(service, context.commandName ?? '', mwArgs, next), {
          step: 'finalizeRequest',
          priority: 'low',
          name: 'cdpChaosFaults',
        });
      }
      return send.apply(this, args);
    };
    this.restore = () => {
      base.send = send;
    };
  }

  uninstall(): void {
    this.restore?.();
  }

  /** The twin's handler wrapper: each invocation runs in its own fault context; a crashed one fails as a whole. */
  readonly wrap: HandlerWrapper = (fn, handler) =>
    (async (...args: Parameters<typeof handler>) => {
      const sqs = SQS_FUNCTIONS.includes(fn);
      const p = this.plan;
      const invocation: Invocation = {
        fn,
        calls: 0,
        inMerge: false,
        crashed: false,
        ...(CRASHING.includes(fn) && this.rand() < p.crash ? { crashAt: 1 + Math.floor(this.rand() * (sqs ? 12 : 5)) } : {}),
        ...(sqs && this.rand() < p.slow.rate ? { slowAt: 1 + Math.floor(this.rand() * 6) } : {}),
      };
      this.counts.invocations++;
      const result = await this.current.run(invocation, () => handler(...args));
      // Lambda reports a crashed runtime as a failed invocation whatever the handler would have answered.
      if (invocation.crashed) throw new RuntimeCrash(`${fn} crashed after ${invocation.crashAt ?? invocation.calls} SDK calls`);
      return result;
    }) as unknown as typeof handler;

  private async intercept(service: string, command: string, args: MiddlewareArgs, next: Next): Promise<unknown> {
    const inv = this.current.getStore();
    if (!inv) return next(args);
    if (inv.crashed) throw new RuntimeCrash('runtime gone');
    inv.calls++;
    const p = this.plan;
    if (inv.crashAt !== undefined && inv.calls >= inv.crashAt) return this.crash(inv, false);
    if (inv.inMerge && inv.fn === 'resolveRecords' && this.rand() < p.crashInMerge) return this.crash(inv, true);
    if (inv.slowAt === inv.calls) {
      this.counts.slowCalls++;
      await new Promise((r) => setTimeout(r, p.slow.ms));
    }
    const o = this.outages.find((x) => x.fn === inv.fn && x.command.test(command));
    if (o) {
      this.counts.outageErrors++;
      throw serviceError(o.error.name, o.error.status, o.error.message);
    }
    if (service === 'DynamoDB' && this.rand() < p.dynamoThrottle) {
      this.counts.dynamoThrottles++;
      throw serviceError('ProvisionedThroughputExceededException', 400, 'The level of configured provisioned throughput for the table was exceeded.');
    }
    if (service === 'S3' && this.rand() < p.s3Error) {
      this.counts.s3Errors++;
      throw this.rand() < 0.5 ? serviceError('InternalError', 500, 'We encountered an internal error. Please try again.') : serviceError('SlowDown', 503, 'Please reduce your request rate.');
    }
    const out = await next(args);
    // A merge has begun once the other profile is marked `merging` (see DynamoProfileStore.markMerging: a
    // TransactWriteItems that also notes the merge on the survivor).
    if (inv.fn === 'resolveRecords' && /^(UpdateItem|TransactWriteItems)/.test(command) && JSON.stringify(args.input ?? {}).includes('SET #s = :merging,')) inv.inMerge = true;
    return out;
  }

  private crash(inv: Invocation, inMerge: boolean): never {
    inv.crashed = true;
    this.counts.crashes++;
    if (inMerge) this.counts.crashesInMerge++;
    throw new RuntimeCrash('runtime gone');
  }
}

/** An error as the SDK's deserialiser would raise it, so its retry strategy classifies it the same way. */
function serviceError(name: string, status: number, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status, attempts: 1, totalRetryDelay: 0 } });
}

/** A seeded PRNG (mulberry32), so a failing run can be replayed with its seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

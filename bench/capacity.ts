import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * Read and write units as DynamoDB bills them, computed from each request and response (DynamoDB Local's
 * ConsumedCapacity is no guide: it reports no read units, reports plain writes as `CapacityUnits` only, and bills a
 * one-item transaction of 100 bytes 4 units).
 *
 * - A write bills 1 unit per KB of the larger of the item before and after, rounded up per item; a failed condition
 *   bills the same. A transaction bills each of its items twice (prepare and commit), a ConditionCheck as a write of
 *   the item it checks. A write that adds, changes or removes an item's entry in a (keys-only) secondary index bills
 *   1 more unit.
 * - A strongly consistent read bills 1 unit per 4 KB: per item for GetItem and BatchGetItem (an item not found bills
 *   1), over the page for Query (at least 1). Eventually consistent reads bill half.
 *
 * An update's item after it is worked out from the item before (as this client last wrote or read it; unknown, 1 KB)
 * and the update's `SET name = :value`, `REMOVE` and `ADD` clauses; other assignments (`#v = #v + :one`) keep their
 * attribute's size.
 */
export class CapacityMeter {
  read = 0;
  write = 0;
  /** `pk|sk` -> the item's size in bytes, its attributes' sizes and its secondary-index key, as last written or read. */
  private readonly items = new Map<string, Tracked>();

  constructor(private readonly indexKeys: readonly string[] = ['gsi1pk', 'gsi1sk']) {}

  /** Bills one request (its command name, its input and, when it returned, its output), and returns what it billed. */
  bill(command: string, input: Record<string, unknown>, output?: Record<string, unknown>): { read: number; write: number } {
    const before = { read: this.read, write: this.write };
    const base = command.replace(/Command$/, '');
    const name = DOCUMENT_COMMANDS[base] ?? base;
    if (name === 'PutItem') this.write += this.put(input.Item as Item);
    else if (name === 'UpdateItem') this.write += this.update(input as unknown as UpdateInput);
    else if (name === 'DeleteItem') this.write += this.delete(input.Key as Item);
    else if (name === 'BatchWriteItem') {
      for (const requests of Object.values(input.RequestItems as Record<string, { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]>)) {
        for (const r of requests) this.write += r.PutRequest ? this.put(r.PutRequest.Item) : this.delete(r.DeleteRequest!.Key);
      }
    } else if (name === 'TransactWriteItems') {
      for (const t of input.TransactItems as { Put?: { Item: Item }; Update?: UpdateInput; Delete?: { Key: Item }; ConditionCheck?: { Key: Item } }[]) {
        if (t.Put) this.write += 2 * this.put(t.Put.Item);
        else if (t.Update) this.write += 2 * this.update(t.Update);
        else if (t.Delete) this.write += 2 * this.delete(t.Delete.Key);
        else if (t.ConditionCheck) this.write += 2 * units(this.sizeOf(t.ConditionCheck.Key), 1024);
      }
    } else if (name === 'GetItem' && output) {
      const item = output.Item as Item | undefined;
      if (item) this.seen(item);
      this.read += share(input.ConsistentRead) * units(item ? itemSize(item) : 0, 4096);
    } else if (name === 'BatchGetItem' && output) {
      const found = new Map<string, Item>();
      for (const items of Object.values((output.Responses ?? {}) as Record<string, Item[]>)) for (const i of items) found.set(keyOf(i), this.seen(i));
      for (const request of Object.values(input.RequestItems as Record<string, { Keys: Item[]; ConsistentRead?: boolean }>)) {
        const unprocessed = new Set(Object.values((output.UnprocessedKeys ?? {}) as Record<string, { Keys: Item[] }>).flatMap((u) => u.Keys.map(keyOf)));
        for (const k of request.Keys) {
          if (unprocessed.has(keyOf(k))) continue;
          const item = found.get(keyOf(k));
          this.read += share(request.ConsistentRead) * units(item ? itemSize(item) : 0, 4096);
        }
      }
    } else if ((name === 'Query' || name === 'Scan') && output) {
      const items = (output.Items ?? []) as Item[];
      for (const i of items) if ('pk' in i && 'sk' in i) this.seen(i);
      this.read += share(input.ConsistentRead) * units(items.reduce((n, i) => n + itemSize(i), 0), 4096);
    }
    return { read: this.read - before.read, write: this.write - before.write };
  }

  private put(item: Item): number {
    const k = keyOf(item);
    const prev = this.items.get(k);
    const next = this.track(item);
    this.items.set(k, next);
    return units(Math.max(next.size, prev?.size ?? 0), 1024) + (next.index !== (prev?.index ?? '') ? 1 : 0);
  }

  private update({ Key, UpdateExpression, ExpressionAttributeNames, ExpressionAttributeValues }: UpdateInput): number {
    const expression = UpdateExpression ?? '';
    const k = keyOf(Key);
    const prev = this.items.get(k);
    const [hash] = this.indexKeys;
    // An update that sets an index key, or removes it from an item that had it, writes the index too.
    const removes = new RegExp(`\\bREMOVE\\b[^=]*\\b${hash}\\b`).test(expression) && Boolean(prev?.index);
    const sets = new RegExp(`\\b${hash}\\s*=`).test(expression);
    if (!prev) return units(1024, 1024) + (removes || sets ? 1 : 0);
    const attrs = new Map(prev.attrs);
    const nameOf = (token: string) => ExpressionAttributeNames?.[token] ?? token;
    const valueOf = (token: string) => ExpressionAttributeValues?.[token];
    for (const [clause, body] of clauses(expression)) {
      for (const part of splitTopLevel(body)) {
        if (clause === 'SET') {
          const m = /^\s*([#\w.]+)\s*=\s*(:\w+)\s*$/.exec(part);
          if (m) attrs.set(nameOf(m[1]!), Buffer.byteLength(nameOf(m[1]!)) + valueSize(valueOf(m[2]!)));
        } else if (clause === 'REMOVE') attrs.delete(nameOf(part.trim()));
        else if (clause === 'ADD') {
          const m = /^\s*([#\w.]+)\s+(:\w+)\s*$/.exec(part);
          const value = m ? valueOf(m[2]!) : undefined;
          // A set grows by its new elements; a number keeps about its size.
          if (m && (value instanceof Set || (isAttributeValue(value) && ('SS' in (value as object) || 'NS' in (value as object))))) {
            const name = nameOf(m[1]!);
            attrs.set(name, (attrs.get(name) ?? Buffer.byteLength(name)) + valueSize(value));
          }
        }
      }
    }
    const size = [...attrs.values()].reduce((n, x) => n + x, 0);
    this.items.set(k, { size, attrs, index: removes ? '' : sets ? 'set' : prev.index });
    return units(Math.max(size, prev.size), 1024) + (removes || sets ? 1 : 0);
  }

  private delete(key: Item): number {
    const k = keyOf(key);
    const prev = this.items.get(k);
    this.items.delete(k);
    return units(prev?.size ?? 0, 1024) + (prev?.index ? 1 : 0);
  }

  private sizeOf(key: Item): number {
    return this.items.get(keyOf(key))?.size ?? 0;
  }

  private seen(item: Item): Item {
    this.items.set(keyOf(item), this.track(item));
    return item;
  }

  private track(item: Item): Tracked {
    const attrs = new Map(Object.entries(item).map(([name, value]) => [name, Buffer.byteLength(name) + valueSize(value)]));
    return { size: [...attrs.values()].reduce((n, x) => n + x, 0), attrs, index: this.indexOf(item) };
  }

  private indexOf(item: Item): string {
    return this.indexKeys.every((a) => item[a] !== undefined) ? this.indexKeys.map((a) => str(item[a])).join('|') : '';
  }
}

type Item = Record<string, AttributeValue | unknown>;
interface Tracked {
  readonly size: number;
  readonly attrs: ReadonlyMap<string, number>;
  readonly index: string;
}
interface UpdateInput {
  readonly Key: Item;
  readonly UpdateExpression?: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues?: Record<string, unknown>;
}

/** An update expression's clauses (`SET …`, `REMOVE …`, `ADD …`, `DELETE …`), each with its body. */
function clauses(expression: string): [string, string][] {
  const out: [string, string][] = [];
  const re = /\b(SET|REMOVE|ADD|DELETE)\b/gi;
  const marks = [...expression.matchAll(re)];
  marks.forEach((m, i) => out.push([m[1]!.toUpperCase(), expression.slice(m.index! + m[0].length, marks[i + 1]?.index ?? expression.length)]));
  return out;
}

/** A clause's comma-separated actions (commas inside a function's parentheses stay). */
function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '(') depth++;
    else if (body[i] === ')') depth--;
    else if (body[i] === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts.filter((p) => p.trim());
}

/** The document client's command names, as the operations they send. */
const DOCUMENT_COMMANDS: Record<string, string> = {
  Put: 'PutItem',
  Get: 'GetItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  TransactWrite: 'TransactWriteItems',
};

const units = (bytes: number, per: number): number => Math.max(1, Math.ceil(bytes / per));
const share = (consistent: unknown): number => (consistent === true ? 1 : 0.5);
const str = (v: unknown): string => (isAttributeValue(v) ? String((v as { S?: string; N?: string }).S ?? (v as { N?: string }).N ?? '') : String(v));
const keyOf = (item: Item): string => `${str(item.pk)}|${str(item.sk)}`;

function isAttributeValue(v: unknown): v is AttributeValue {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && ['S', 'N', 'B', 'BOOL', 'NULL', 'L', 'M', 'SS', 'NS', 'BS'].includes(keys[0]!);
}

/**
 * An item's size as DynamoDB counts it: each attribute's name (UTF-8 bytes) plus its value; a string its UTF-8
 * bytes, a number about one byte per two digits plus one, a binary its bytes, a boolean or null 1, a list or map 3
 * plus 1 per element plus its elements. Items may come marshalled (AttributeValue) or as plain values.
 */
export function itemSize(item: Record<string, unknown>): number {
  let n = 0;
  for (const [name, value] of Object.entries(item)) n += Buffer.byteLength(name) + valueSize(value);
  return n;
}

function valueSize(v: unknown): number {
  if (isAttributeValue(v)) {
    const a = v as unknown as Record<string, unknown>;
    if (a.S !== undefined) return Buffer.byteLength(String(a.S));
    if (a.N !== undefined) return numberSize(String(a.N));
    if (a.B !== undefined) return (a.B as Uint8Array).byteLength;
    if (a.BOOL !== undefined || a.NULL !== undefined) return 1;
    if (a.L !== undefined) return 3 + (a.L as unknown[]).reduce<number>((s, x) => s + 1 + valueSize(x), 0);
    if (a.M !== undefined) return 3 + Object.entries(a.M as Record<string, unknown>).reduce((s, [k, x]) => s + 1 + Buffer.byteLength(k) + valueSize(x), 0);
    if (a.SS !== undefined) return (a.SS as string[]).reduce((s, x) => s + Buffer.byteLength(x), 0);
    if (a.NS !== undefined) return (a.NS as string[]).reduce((s, x) => s + numberSize(x), 0);
    if (a.BS !== undefined) return (a.BS as Uint8Array[]).reduce((s, x) => s + x.byteLength, 0);
  }
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (typeof v === 'number' || typeof v === 'bigint') return numberSize(String(v));
  if (typeof v === 'boolean' || v === null || v === undefined) return 1;
  if (v instanceof Uint8Array) return v.byteLength;
  if (Array.isArray(v)) return 3 + v.reduce<number>((s, x) => s + 1 + valueSize(x), 0);
  if (v instanceof Set) return [...v].reduce<number>((s, x) => s + valueSize(x), 0);
  if (typeof v === 'object') return 3 + Object.entries(v as Record<string, unknown>).reduce((s, [k, x]) => s + 1 + Buffer.byteLength(k) + valueSize(x), 0);
  return 0;
}

const numberSize = (n: string): number => Math.ceil(n.replace(/^-|\.|e.*$/gi, '').replace(/^0+/, '').length / 2) + 1;

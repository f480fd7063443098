import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readSecretsFile, SecretsFromFile } from '../../local/config-watch.ts';
import { describeConfigChange } from '../../cli/commands.ts';
import { BucketSourceFiles, sourceFileCacheMs } from '../../lambdas/adapters/webhook-stores.ts';
import { MemoryObjects } from '../support/memory-ports.ts';

const homes: string[] = [];
const homeWith = (secrets?: string): string => {
  const home = mkdtempSync(path.join(tmpdir(), 'cdp-secrets-'));
  homes.push(home);
  if (secrets !== undefined) writeFileSync(path.join(home, 'secrets.json'), secrets);
  return home;
};
afterEach(() => {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

describe('the twin’s secrets file', () => {
  it('reads source names to secrets, leaving out empty and non-text values; an absent file has none, a broken one is unreadable', () => {
    expect(readSecretsFile(homeWith('{"shopify": "a", "sito-contatti": "b", "vuoto": "", "numero": 3}'))).toEqual({ shopify: 'a', 'sito-contatti': 'b' });
    expect(readSecretsFile(homeWith())).toEqual({});
    expect(readSecretsFile(homeWith('{"shopify": "a'))).toBeUndefined();
    expect(readSecretsFile(homeWith('["shopify"]'))).toBeUndefined();
  });

  it('becomes the handlers’ variables, follows the file as it changes, and never overrides a variable the user set', () => {
    const home = homeWith('{"shopify": "one", "sito-contatti": "two"}');
    const env: NodeJS.ProcessEnv = { CDP_WEBHOOK_SECRET_STRIPE: 'users-own' };
    const secrets = new SecretsFromFile(home, env);
    expect(secrets.apply()).toBe(2);
    expect(env).toEqual({ CDP_WEBHOOK_SECRET_STRIPE: 'users-own', CDP_WEBHOOK_SECRET_SHOPIFY: 'one', CDP_WEBHOOK_SECRET_SITO_CONTATTI: 'two' });

    // Changed, added (one the user already set: theirs stays), removed.
    writeFileSync(path.join(home, 'secrets.json'), '{"shopify": "uno", "stripe": "from-file"}');
    expect(secrets.apply()).toBe(1);
    expect(env).toEqual({ CDP_WEBHOOK_SECRET_STRIPE: 'users-own', CDP_WEBHOOK_SECRET_SHOPIFY: 'uno' });

    // A variable the user changed meanwhile is theirs: the file no longer touches it, even when it drops the source.
    env.CDP_WEBHOOK_SECRET_SHOPIFY = 'users-now';
    writeFileSync(path.join(home, 'secrets.json'), '{"shopify": "due"}');
    secrets.apply();
    expect(env.CDP_WEBHOOK_SECRET_SHOPIFY).toBe('users-now');
    writeFileSync(path.join(home, 'secrets.json'), '{}');
    expect(secrets.apply()).toBe(0);
    expect(env).toEqual({ CDP_WEBHOOK_SECRET_STRIPE: 'users-own', CDP_WEBHOOK_SECRET_SHOPIFY: 'users-now' });
  });

  it('keeps the secrets it had when the file cannot be read (half-written, a typo)', () => {
    const home = homeWith('{"shopify": "one"}');
    const env: NodeJS.ProcessEnv = {};
    const secrets = new SecretsFromFile(home, env);
    secrets.apply();
    writeFileSync(path.join(home, 'secrets.json'), '{"shopify": "on');
    expect(secrets.apply()).toBeUndefined();
    expect(env).toEqual({ CDP_WEBHOOK_SECRET_SHOPIFY: 'one' });
  });

  it('is told in a line that names no secret', () => {
    expect(describeConfigChange({ what: 'secrets', sources: 2 })).toBe('secrets.json read again: 2 source(s) with a secret from it');
    expect(describeConfigChange({ what: 'sources', sources: ['outlet', 'sito'] })).toContain('outlet, sito');
    expect(describeConfigChange({ what: 'sources', sources: [] })).toContain('no source files');
  });
});

describe('a source file as the webhook function reads it', () => {
  it('is cached a minute unless the setting says otherwise (the twin: a second), a missing file too', async () => {
    const objects = new MemoryObjects();
    let now = 0;
    const minute = new BucketSourceFiles(objects, 'landing', () => now, sourceFileCacheMs(undefined));
    const second = new BucketSourceFiles(objects, 'landing', () => now, sourceFileCacheMs('1'));
    expect(await minute.get('outlet')).toBeUndefined();
    expect(await second.get('outlet')).toBeUndefined();
    await objects.put('landing', 'mappings/outlet.json', '{"webhook": {"vendor": "shopify"}}');
    now = 1500;
    expect(await second.get('outlet')).toEqual({ webhook: { vendor: 'shopify' } });
    expect(await minute.get('outlet')).toBeUndefined();
    now = 60_000;
    expect(await minute.get('outlet')).toEqual({ webhook: { vendor: 'shopify' } });
  });

  it('reads the setting as seconds, and anything else as the default minute', () => {
    expect(sourceFileCacheMs('0')).toBe(0);
    expect(sourceFileCacheMs('2.5')).toBe(2500);
    for (const bad of [undefined, '', ' ', '-1', 'soon', 'Infinity']) expect(sourceFileCacheMs(bad)).toBe(60_000);
  });
});

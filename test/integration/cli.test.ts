import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_FILES } from '../../local/demo.ts';
import { CDP_BIN, runCdp } from '../support/cdp.ts';

const home = mkdtempSync(path.join(tmpdir(), 'cdp-cli-'));
const cli = (...args: string[]) => runCdp(home, ...args);
const cdp = CDP_BIN;

afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('cdp command', () => {
  it('`demo --json` loads the demo on fresh state and reports profiles and reconciled imports', async () => {
    const { code, stdout, stderr } = await cli('demo', '--json');
    // On failure, its error (stdout, as --json asks) and the progress (stderr) tell what went wrong.
    expect(code, `${stdout}${stderr}`).toBe(0);
    const summary = JSON.parse(stdout) as {
      profiles: number;
      imports: {
        source: string;
        status: string;
        rowsRead: number;
        accepted: number;
        rejected: number;
        suppressed: number;
      }[];
    };
    expect(summary.profiles).toBeGreaterThan(0);
    expect(summary.imports.map((i) => i.source).sort()).toEqual(DEMO_FILES.map((f) => f.source).sort());
    for (const i of summary.imports) {
      expect(i.status).toBe('completed');
      expect(i.rowsRead).toBe(i.accepted + i.rejected + i.suppressed);
    }
  });

  it('rejects an unknown command with a clear message and exit code 2', async () => {
    const { code, stderr } = await cli('frobnicate');
    expect(code).toBe(2);
    expect(stderr).toContain('Unknown command `frobnicate`');
  });

  it('fails a command missing what it needs clearly, as JSON with --json', async () => {
    const missing = await cli('profiles', 'unmerge', 'p_1', '--json');
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout).error).toMatch(/--identifier <type:value>/);
    const wrong = await cli('profiles', 'unmerge', 'p_1', '--identifier', 'email:not-an-address', '--json');
    expect(wrong.code).toBe(2);
    expect(JSON.parse(wrong.stdout).error).toMatch(/Not a valid e-mail address/);
  });

  it('fails `import` when no twin is running, naming the command that starts one', async () => {
    const { code, stderr } = await cli('import', cdp, '--source', 'erp');
    expect(code).toBe(2);
    expect(stderr).toMatch(/npm start/);
  });
});

import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

export const CDP_BIN = path.resolve(import.meta.dirname, '../../bin/cdp.js');

export interface CdpRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `cdp …` as a user would, with CDP_HOME set; never throws: the exit code is part of the answer. */
export async function runCdp(home: string, ...args: string[]): Promise<CdpRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CDP_BIN, ...args], {
      env: { ...process.env, CDP_HOME: home },
      timeout: 120_000,
      maxBuffer: 64 << 20,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** Runs `cdp …` and answers its stdout; fails (with its stderr) when the command does. */
export async function cdpOk(home: string, ...args: string[]): Promise<string> {
  const r = await runCdp(home, ...args);
  // With --json a command's error is on stdout: show both.
  if (r.code !== 0) throw new Error(`cdp ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

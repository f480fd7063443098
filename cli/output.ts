/** A mistake in how a command was called: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface Output {
  readonly json: boolean;
  /** The command's result: JSON on stdout with --json, else the human text. */
  result(data: unknown, human: () => string): void;
  /** Progress on long work, on stderr so stdout stays machine-readable. */
  progress(message: string): void;
}

export function makeOutput(json: boolean): Output {
  const tty = process.stderr.isTTY;
  let lastWasProgress = false;
  return {
    json,
    result(data, human) {
      if (lastWasProgress && tty) process.stderr.write('\n');
      process.stdout.write(json ? `${JSON.stringify(data)}\n` : `${human()}\n`);
    },
    progress(message) {
      if (json && !tty) return;
      if (tty) {
        process.stderr.write(`\r\x1b[2K… ${message}`);
        lastWasProgress = true;
      } else process.stderr.write(`… ${message}\n`);
    },
  };
}

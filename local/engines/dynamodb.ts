import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { freePort, waitForEngine } from './ports.ts';

export interface Engine {
  readonly endpoint: string;
  /** The engine's own process, when it has one. */
  readonly pid?: number;
  stop(): Promise<void>;
}

/**
 * AWS's DynamoDB Local jar (shipped in the amplify-dynamodb-simulator package), on the machine's Java 17. Without a
 * port, a free one; should another process take it before the engine binds it, the engine exits and starts again on
 * another.
 */
export async function startDynamoDb(dataDir: string, port?: number): Promise<Engine> {
  return startOnFreePort(port, (chosen) => launchDynamoDb(dataDir, chosen));
}

/** Starts an engine on `port`, or on a free port, trying another (up to three) when the engine exits before it is up. */
export async function startOnFreePort<E>(port: number | undefined, launch: (port: number) => Promise<E>): Promise<E> {
  if (port !== undefined) return launch(port);
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(await freePort());
    } catch (e) {
      if (attempt >= 3 || !(e instanceof EngineExited)) throw e;
    }
  }
}

const BIND_FAILED = /BindException|Address already in use|Failed to bind/i;

const LIST_TABLES: RequestInit = {
  method: 'POST',
  headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' },
  body: '{}',
};

/** The engine could not take its port (another program holds it); the JVM may live on, so its message tells. */
export class EngineExited extends Error {}

/** util-linux's setpriv, where there is one (every Linux but the barest containers). */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => process.platform === 'linux' && existsSync(p));

/**
 * The command that runs `program` so that it dies with the twin. A twin that is killed (`kill -9`, a crashed test
 * worker, a closed terminal's SIGKILL) cannot stop its JVM, which would hold its port, a gigabyte of heap and the data
 * files until the next start on that home stopped it. On Linux, setpriv asks the kernel to kill the program when its
 * parent dies (`PR_SET_PDEATHSIG`, kept across the exec, so the pid is still the JVM's); elsewhere the next start
 * stops the orphan (TwinInfo.enginePids).
 */
export function dyingWithParent(program: string, args: readonly string[]): [string, string[]] {
  return SETPRIV ? [SETPRIV, ['--pdeathsig', 'KILL', '--', program, ...args]] : [program, [...args]];
}

async function launchDynamoDb(dataDir: string, chosen: number): Promise<Engine> {
  const require = createRequire(import.meta.url);
  const emulatorDir = path.join(path.dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
  mkdirSync(dataDir, { recursive: true });
  const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const [command, args] = dyingWithParent(java, [
    '-Xmx1g',
    `-Djava.library.path=${path.join(emulatorDir, 'DynamoDBLocal_lib')}`,
    '-jar',
    path.join(emulatorDir, 'DynamoDBLocal.jar'),
    '-sharedDb',
    '-dbPath',
    dataDir,
    '-port',
    String(chosen),
    // The twin runs on users' machines: nothing about them is sent to AWS.
    '-disableTelemetry',
  ]);
  const proc: ChildProcess = spawn(
    command,
    args,
    // It writes its installation id (dynamodb-local-metadata.json) where it runs: beside the data, not in the project.
    { cwd: dataDir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    proc.once('exit', () => {
      exited = true;
      resolve();
    });
    proc.once('error', () => {
      exited = true;
      resolve();
    });
  });
  try {
    // DynamoDB's own answer to an unsigned request, so that another program on the port is not taken for the engine.
    // A failed bind does not end the JVM (Jetty's threads live on): its message does.
    await waitForEngine(chosen, 30_000, LIST_TABLES, (body) => body.includes('com.amazonaws.dynamodb'), () => !exited && !BIND_FAILED.test(stderr));
  } catch (e) {
    proc.kill('SIGKILL');
    if (BIND_FAILED.test(stderr)) {
      throw new EngineExited(`DynamoDB Local could not bind port ${chosen}: another program holds it`, { cause: e });
    }
    throw new Error(`DynamoDB Local did not start (is Java 17 installed?): ${stderr.trim() || String(e)}`, { cause: e });
  }
  return {
    endpoint: `http://127.0.0.1:${chosen}`,
    pid: proc.pid,
    async stop() {
      if (exited) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
}

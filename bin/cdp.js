#!/usr/bin/env node
// The `cdp` command: runs the TypeScript CLI through tsx (installed by `npm ci`), no build step needed.
import { register } from 'tsx/esm/api';

// The toolchain runs on Node 20 by design (the Lambdas run on nodejs22.x); the SDK's notice about that is not news.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// `cdp profiles export | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

register();
const { run } = await import('../cli/main.ts');
await run(process.argv.slice(2));

#!/usr/bin/env node
// The `cdp` command: runs the TypeScript CLI through tsx (installed by `npm ci`), no build step needed.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../cli/main.ts');
await run(process.argv.slice(2));

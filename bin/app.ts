#!/usr/bin/env node
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../lib/app.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { app } = buildApp({ projectRoot, stackName: process.env.CDP_STACK_NAME ?? 'cdp' });
app.synth();

/**
 * How every Lambda is bundled. The CDK stack (NodejsFunction) and the cold-start benchmark use the same settings, so
 * the sizes the benchmark prints are the sizes that deploy.
 */
export const LAMBDA_RUNTIME = 'nodejs22.x';

/** esbuild target: node20 keeps bundles runnable on the Node 20 toolchain that builds and benchmarks them. */
export const ESBUILD_TARGET = 'node20';

/**
 * Provided by the nodejs22.x runtime, so not bundled. Powertools, middy and the domain code are bundled.
 */
export const EXTERNAL_MODULES = ['@aws-sdk/*', '@smithy/*', '@aws-crypto/*'];

/** Shim so bundled CommonJS dependencies can still `require` Node built-ins from an ES module bundle. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __cdpCreateRequire } from 'node:module'; const require = __cdpCreateRequire(import.meta.url);";

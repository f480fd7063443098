import 'aws-sdk-client-mock-vitest/extend';

// The toolchain runs on Node 20 by design (Lambdas run nodejs22.x); the SDK's notice about Node 22 is known.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

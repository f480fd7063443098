/**
 * Imported first by the bench runner: handlers that run in-process (the twin's) log errors only and publish no
 * metrics, so figures are not measured against the cost of printing a log line per request.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Unit tests make no network call; the configuration only has to be valid.
process.env.UPSTASH_REDIS_REST_URL ??= "http://127.0.0.1:9";
process.env.UPSTASH_REDIS_REST_TOKEN ??= "unit-test-token";
process.env.PHOTO_BUCKET ??= "hera-unit-photos";
process.env.RESULTS_TABLE ??= "hera-unit-results";
process.env.POWERTOOLS_METRICS_DISABLED = "true";
process.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";

export { type RateLimitOptions, rateLimit } from './rate-limit.js';
export { type TokenBucket, type TokenBucketOptions, tokenBucket } from './token-bucket.js';

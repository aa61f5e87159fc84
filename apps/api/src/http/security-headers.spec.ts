import { loadApiConfig } from '../api.config';
import { fileOrigins, securityHeaderOptions, securityHeaders } from './security-headers';

const production = {
  NODE_ENV: 'production',
  JWT_SECRET: 'a-real-production-secret-of-enough-length',
  DATABASE_URL: 'postgres://app@db:5432/jewelshot',
  REDIS_URL: 'redis://redis:6379',
  EMAIL_TOKEN_SECRET: 'a-real-unsubscribe-signing-key-of-enough-length',
  APP_BASE_URL: 'https://app.jewelshot.example',
  PUBLIC_BASE_URL: 'https://api.jewelshot.example/',
  WEBHOOK_SECRET_KEY: 'a-real-webhook-secret-sealing-key-of-enough-length',
  AUDIT_CHAIN_KEY: 'a-real-audit-chain-sealing-key-of-enough-length',
};

describe('security headers', () => {
  it('turns on HSTS and the upgrade of insecure requests in production only', () => {
    const prod = securityHeaderOptions(loadApiConfig(production));
    expect(prod.hsts).toEqual({ maxAge: 31_536_000, includeSubDomains: true });
    const directives = (prod.contentSecurityPolicy as { directives: Record<string, unknown> })
      .directives;
    expect(directives.upgradeInsecureRequests).toEqual([]);
    expect(directives.imgSrc).toEqual([
      "'self'",
      'data:',
      'blob:',
      'https://api.jewelshot.example',
    ]);

    const dev = securityHeaderOptions(loadApiConfig({}));
    expect(dev.hsts).toBe(false);
    expect(
      (dev.contentSecurityPolicy as { directives: Record<string, unknown> }).directives,
    ).not.toHaveProperty('upgradeInsecureRequests');
  });

  it("lets the app load images from the bucket's presigned URLs with S3 storage", () => {
    const s3 = { STORAGE_DRIVER: 's3', S3_BUCKET: 'shots', S3_REGION: 'eu-west-1' };
    expect(fileOrigins(loadApiConfig({ ...production, ...s3 }))).toEqual([
      'https://api.jewelshot.example',
      'https://*.amazonaws.com',
    ]);
    expect(
      fileOrigins(
        loadApiConfig({ ...production, ...s3, S3_ENDPOINT: 'https://minio.internal:9000' }),
      ),
    ).toEqual([
      'https://api.jewelshot.example',
      'https://minio.internal:9000',
      'https://*.minio.internal:9000',
    ]);
  });

  it('computes the headers once, as helmet sets them', () => {
    const prod = securityHeaders(loadApiConfig(production));
    expect(prod).toMatchObject({
      'content-security-policy':
        "default-src 'self';script-src 'self';style-src 'self' 'unsafe-inline';" +
        "img-src 'self' data: blob: https://api.jewelshot.example;" +
        "connect-src 'self' https://api.jewelshot.example;font-src 'self' data:;" +
        "object-src 'none';base-uri 'self';form-action 'self';frame-ancestors 'none';" +
        'upgrade-insecure-requests',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    });
    expect(prod).not.toHaveProperty('cross-origin-resource-policy');
    expect(prod).not.toHaveProperty('cross-origin-embedder-policy');
    expect(securityHeaders(loadApiConfig({}))).not.toHaveProperty('strict-transport-security');
  });
});

import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { MAX_LINK_SECONDS, presignedLinks, S3Vault } from '../../lambdas/adapters/s3-vault.ts';

const s3 = new S3Client({ region: 'eu-south-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });

describe('access-bundle links', () => {
  it('are presigned GETs of the one object that expire within 24 hours, even when a caller asks for a week', async () => {
    const vault = new S3Vault(s3, presignedLinks);
    const url = new URL(await vault.link('cdp-exports', 'dsr/dsr_0123/access-bundle.zip', 7 * 24 * 3600));
    expect(url.pathname).toContain('dsr/dsr_0123/access-bundle.zip');
    expect(Number(url.searchParams.get('X-Amz-Expires'))).toBe(MAX_LINK_SECONDS);
    expect(MAX_LINK_SECONDS).toBeLessThanOrEqual(24 * 3600);
    const shorter = new URL(await vault.link('cdp-exports', 'dsr/dsr_0123/access-bundle.zip', 600));
    expect(shorter.searchParams.get('X-Amz-Expires')).toBe('600');
  });
});

import { describe, expect, it } from 'vitest';
import { keepUnchangedSecrets, MASK, maskSecrets, openSecrets, SecretBox, sealSecrets } from './secrets';

describe('connector secrets at rest', () => {
  const box = new SecretBox('a-test-key-that-is-long-enough');
  const config = {
    corpId: 'ww1',
    secret: 's3cr3t',
    auth: { user: 'u', pass: 'p@ss' },
    robots: { g1: 'key-1' },
  };
  const paths = ['secret', 'auth.pass', 'robots'];

  it('encrypts every secret path, strings and maps alike, and opens them again', () => {
    const sealed = sealSecrets(box, config, paths);
    const text = JSON.stringify(sealed);
    for (const plain of ['s3cr3t', 'p@ss', 'key-1']) expect(text).not.toContain(plain);
    expect(text).toContain('ww1');
    expect(openSecrets(box, sealed, paths)).toEqual(config);
  });

  it('refuses a value sealed under another key, and a tampered one', () => {
    const sealed = sealSecrets(box, config, paths) as { secret: { $enc: string } };
    expect(() => openSecrets(new SecretBox('another-key-entirely-here'), sealed, paths)).toThrow();
    const tampered = { ...sealed, secret: { $enc: `${sealed.secret.$enc.slice(0, -2)}AA` } };
    expect(() => openSecrets(box, tampered, paths)).toThrow();
  });

  it('masks secrets in answers, and keeps stored ones when a form sends the mask back', () => {
    const masked = maskSecrets(config, paths) as typeof config & { robots: unknown };
    expect(masked).toMatchObject({
      corpId: 'ww1',
      secret: MASK,
      auth: { user: 'u', pass: MASK },
      robots: MASK,
    });
    const edited = { ...masked, corpId: 'ww2' };
    expect(keepUnchangedSecrets(edited, config, paths)).toEqual({ ...config, corpId: 'ww2' });
    const withoutSecrets = { corpId: 'ww3', auth: { user: 'v' } };
    expect(keepUnchangedSecrets(withoutSecrets, config, paths)).toEqual({
      corpId: 'ww3',
      secret: 's3cr3t',
      auth: { user: 'v', pass: 'p@ss' },
      robots: { g1: 'key-1' },
    });
  });

  it('wants a real key', () => {
    expect(() => new SecretBox('short')).toThrow(/16/);
  });
});

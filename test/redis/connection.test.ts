/** Redis URL parsing (users, passwords, TLS, db) and the noeviction check. */
import { describe, expect, it } from 'vitest';
import { RedisConfigError } from '../../src/errors.js';
import { assertNoEviction, parseRedisUrl } from '../../src/runtime/redis/connection.js';
import { redactRedisUrl } from '../../src/runtime/redis/redact-url.js';

describe('parseRedisUrl', () => {
  it('reads ACL user, password, database and TLS', () => {
    expect(parseRedisUrl('rediss://app%40x:s%3Acret@cache.example:6380/2')).toEqual({
      host: 'cache.example',
      port: 6380,
      username: 'app@x',
      password: 's:cret',
      db: 2,
      tls: { servername: 'cache.example' },
    });
    expect(parseRedisUrl('redis://:only-pass@127.0.0.1')).toEqual({ host: '127.0.0.1', port: 6379, password: 'only-pass' });
  });

  it('refuses what is not a Redis URL', () => {
    expect(() => parseRedisUrl('http://x')).toThrow(RedisConfigError);
    expect(() => parseRedisUrl('nonsense')).toThrow(RedisConfigError);
  });
});

describe('assertNoEviction', () => {
  const fake = (policy: string | null, configAllowed: boolean) =>
    ({
      config: async () => {
        if (!configAllowed) throw new Error('ERR unknown command CONFIG');
        return ['maxmemory-policy', policy];
      },
      info: async () => `# Memory\r\nmaxmemory_policy:${policy}\r\n`,
    }) as never;

  it('accepts noeviction, through CONFIG or INFO', async () => {
    await expect(assertNoEviction(fake('noeviction', true))).resolves.toBeUndefined();
    await expect(assertNoEviction(fake('noeviction', false))).resolves.toBeUndefined();
  });

  it('passes a wrong password on instead of calling it a refused CONFIG', async () => {
    const refusing = { config: async () => Promise.reject(new Error('WRONGPASS invalid username-password pair')), info: async () => '' } as never;
    await expect(assertNoEviction(refusing)).rejects.toThrow(/WRONGPASS/);
  });

  it('refuses an evicting policy and says how to fix it', async () => {
    await expect(assertNoEviction(fake('allkeys-lru', false))).rejects.toThrow(/allkeys-lru.*noeviction.*CONFIG SET maxmemory-policy noeviction/s);
  });
});

describe('passwords in messages', () => {
  it('redacts a password even when it is not percent-encoded', () => {
    expect(redactRedisUrl('redis://app:s%3Acret@host:6379/2')).toBe('redis://app:***@host:6379/2');
    expect(redactRedisUrl('redis://:p@ss/w#rd@host:6379')).toBe('redis://:***@host:6379');
    expect(redactRedisUrl('rediss://only-secret@host')).toBe('rediss://***@host');
    expect(redactRedisUrl('redis://host:6379/0')).toBe('redis://host:6379/0');
  });

  it('never echoes the password of a malformed URL, and says to percent-encode it', () => {
    for (const url of ['redis://:p@ss/w#rd@host:6379', 'redis://app:s3cr/t@host/0', 'redis://:pa?ss@host']) {
      let message = '';
      try {
        parseRedisUrl(url);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toContain('percent-encode');
      expect(message).not.toMatch(/p@ss|ss\/w|s3cr|pa\?ss/);
    }
  });
});

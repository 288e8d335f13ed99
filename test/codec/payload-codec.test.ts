import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  codecFromEnv,
  createAesGcmCodec,
  generateCodecKey,
  identityCodec,
  isEnvelope,
  parseCodecKeys,
  PayloadCodecError,
  type CodecKey,
} from '../../src/codec/payload-codec.js';

const key = (id: string): CodecKey => ({ id, key: randomBytes(32) });

describe('AES-256-GCM payload codec', () => {
  const values: unknown[] = [
    { card: { number: '4111111111111111' }, qty: 2 },
    'a string',
    42,
    null,
    [1, 'two', { three: 3 }],
    true,
    undefined,
  ];

  it.each(values.map((v) => [JSON.stringify(v) ?? 'undefined', v]))('round-trips %s', async (_label, value) => {
    const codec = createAesGcmCodec({ keys: [key('k1')] });
    const encoded = await codec.encode(value);
    expect(isEnvelope(encoded)).toBe(true);
    expect(await codec.decode(encoded)).toEqual(value);
  });

  it('writes no plaintext: the secret appears neither raw nor base64-encoded', async () => {
    const codec = createAesGcmCodec({ keys: [key('k1')] });
    const secret = 'SECRET-4111111111111111';
    const stored = JSON.stringify(await codec.encode({ card: secret }));
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain('card');
    expect(stored).not.toContain(Buffer.from(secret).toString('base64').slice(0, 12));
  });

  it('uses a fresh IV per payload, so equal values give different envelopes', async () => {
    const codec = createAesGcmCodec({ keys: [key('k1')] });
    const a = await codec.encode('same');
    const b = await codec.encode('same');
    expect(a).not.toEqual(b);
  });

  it('rotates keys: payloads from the old key still decode after a new current key is added', async () => {
    const old = key('2025-01');
    const next = key('2026-01');
    const before = createAesGcmCodec({ keys: [old] });
    const oldPayload = await before.encode({ ssn: '078-05-1120' });

    const after = createAesGcmCodec({ keys: [next, old] });
    const newPayload = await after.encode({ ssn: '078-05-1120' });
    expect((newPayload as { kid: string }).kid).toBe('2026-01');
    expect((oldPayload as { kid: string }).kid).toBe('2025-01');
    expect(await after.decode(oldPayload)).toEqual({ ssn: '078-05-1120' });
    expect(await after.decode(newPayload)).toEqual({ ssn: '078-05-1120' });

    // Once the old key is dropped, its payloads are refused with an error naming the key id.
    const dropped = createAesGcmCodec({ keys: [next] });
    expect(() => dropped.decode(oldPayload)).toThrowError(/key "2025-01"/);
  });

  it('detects tampering with the ciphertext, the tag or the key id', async () => {
    const k1 = key('k1');
    const k2 = { id: 'k2', key: k1.key };
    const codec = createAesGcmCodec({ keys: [k1, k2] });
    const envelope = (await codec.encode({ amount: 100 })) as Record<string, string>;

    const data = Buffer.from(envelope.data, 'base64');
    data[0] ^= 1;
    expect(() => codec.decode({ ...envelope, data: data.toString('base64') })).toThrow(PayloadCodecError);

    const tag = Buffer.from(envelope.tag, 'base64');
    tag[0] ^= 1;
    expect(() => codec.decode({ ...envelope, tag: tag.toString('base64') })).toThrow(PayloadCodecError);

    // Same key material under another id: the id is authenticated, so relabelling fails too.
    expect(() => codec.decode({ ...envelope, kid: 'k2' })).toThrow(/failed authentication/);
  });

  it('decodes plaintext written before the codec was on, unless told to refuse it', () => {
    const lenient = createAesGcmCodec({ keys: [key('k1')] });
    expect(lenient.decode({ legacy: true })).toEqual({ legacy: true });
    const strict = createAesGcmCodec({ keys: [key('k1')], acceptPlaintext: false });
    expect(() => strict.decode({ legacy: true })).toThrow(PayloadCodecError);
  });

  it('refuses keys of the wrong size and duplicate ids', () => {
    expect(() => createAesGcmCodec({ keys: [{ id: 'short', key: randomBytes(16) }] })).toThrow(/32/);
    const k = key('dup');
    expect(() => createAesGcmCodec({ keys: [k, k] })).toThrow(/twice/);
    expect(() => createAesGcmCodec({ keys: [] })).toThrow(PayloadCodecError);
  });
});

describe('codec configuration from the environment', () => {
  it('parses FLOWLINE_CODEC_KEYS with the first key current', async () => {
    const spec = `${generateCodecKey('new')}, ${generateCodecKey('old')}`;
    const keys = parseCodecKeys(spec);
    expect(keys.map((k) => k.id)).toEqual(['new', 'old']);
    expect(keys.every((k) => k.key.length === 32)).toBe(true);
    const codec = codecFromEnv({ FLOWLINE_CODEC_KEYS: spec });
    expect(codec?.name).toBe('aes-256-gcm');
    expect(((await codec!.encode(1)) as { kid: string }).kid).toBe('new');
  });

  it('is off when the variable is unset or empty', () => {
    expect(codecFromEnv({})).toBeUndefined();
    expect(codecFromEnv({ FLOWLINE_CODEC_KEYS: '  ' })).toBeUndefined();
  });

  it('names the malformed entry without echoing key material', () => {
    expect(() => parseCodecKeys('nokeyhere')).toThrow(/entry 1/);
    expect(() => parseCodecKeys('k1:not base64!!')).toThrow(/"k1" is not base64/);
    expect(() => parseCodecKeys(`k1:${randomBytes(8).toString('base64')}`)).not.toThrow();
  });

  it('identity codec stores values as they are', () => {
    expect(identityCodec.encode({ a: 1 })).toEqual({ a: 1 });
    expect(identityCodec.decode('x')).toBe('x');
  });
});

describe('stored JSON through a codec', () => {
  it('is plain JSON without a codec', async () => {
    const { storedJson } = await import('../../src/codec/payload-codec.js');
    const json = storedJson();
    expect(json.stringify({ a: 1 })).toBe('{"a":1}');
    expect(json.parse('{"a":1}')).toEqual({ a: 1 });
    // …but an encrypted payload read without keys is refused, not taken for data.
    const sealed = JSON.stringify(createAesGcmCodec({ keys: [key('k9')] }).encode(1));
    expect(() => json.parse(sealed)).toThrow(/FLOWLINE_CODEC_KEYS/);
  });

  it('round-trips through the AES codec and leaves no plaintext', async () => {
    const { storedJson } = await import('../../src/codec/payload-codec.js');
    const json = storedJson(createAesGcmCodec({ keys: [key('k1')] }));
    const text = json.stringify({ secret: 'SHOULD-NOT-APPEAR' });
    expect(text).not.toContain('SHOULD-NOT-APPEAR');
    expect(json.parse(text)).toEqual({ secret: 'SHOULD-NOT-APPEAR' });
    expect(json.decodeValue(json.encodeValue([1, 2]))).toEqual([1, 2]);
    // Data written before the codec was on still reads.
    expect(json.parse('{"old":true}')).toEqual({ old: true });
  });

  it('refuses an asynchronous codec with a clear error', async () => {
    const { storedJson } = await import('../../src/codec/payload-codec.js');
    const json = storedJson({ name: 'kms', encode: async (v) => v, decode: async (v) => v });
    expect(() => json.stringify(1)).toThrow(/asynchronous/);
  });
});

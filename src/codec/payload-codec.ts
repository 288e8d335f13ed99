/**
 * Payload codecs: the hook every payload stored in Redis passes through (like Temporal's data
 * converter), and the built-in AES-256-GCM codec with key ids so keys rotate without losing runs.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { FlowlineError } from '../errors.js';

/** What a codec hands the store: a JSON value (an object envelope for the AES codec, the value itself for identity). */
export type EncodedPayload = unknown;

/**
 * Turns a payload (run input, step output, signal data, history details…) into what is stored, and
 * back. `decode(encode(v))` must deep-equal `v` for every JSON value `v`. Implementations may be
 * asynchronous (e.g. a remote KMS) but the built-in ones are not.
 */
export interface PayloadCodec {
  /** Stable name recorded next to stored payloads, e.g. `identity` or `aes-256-gcm`. */
  readonly name: string;
  encode(value: unknown): EncodedPayload | Promise<EncodedPayload>;
  decode(encoded: unknown): unknown | Promise<unknown>;
}

/** A payload that cannot be decoded: unknown key id, tampered ciphertext, wrong format. */
export class PayloadCodecError extends FlowlineError {
  constructor(message: string, details?: unknown) {
    super('PayloadCodecError', message, details);
  }
}

/** The codec that stores payloads as they are (the default). Pure. */
export const identityCodec: PayloadCodec = {
  name: 'identity',
  encode: (value) => value,
  decode: (encoded) => encoded,
};

/** One AES-256 key and the id stored with every payload it encrypted. */
export interface CodecKey {
  readonly id: string;
  /** 32 bytes. */
  readonly key: Buffer;
}

/** The marker of an encrypted envelope; `decode` also accepts unmarked plaintext written before the codec was on. */
const ENVELOPE_TAG = 'flowline.aes256gcm.v1';
const IV_BYTES = 12;
const KEY_BYTES = 32;

/** What an encrypted payload looks like in Redis: no plaintext, only the key id, IV, tag and ciphertext. */
export interface AesEnvelope {
  readonly enc: typeof ENVELOPE_TAG;
  readonly kid: string;
  readonly iv: string;
  readonly tag: string;
  readonly data: string;
}

/** Options of {@link createAesGcmCodec}. */
export interface AesGcmCodecOptions {
  /** The first key encrypts; every key decrypts (old ones stay listed until no run needs them). */
  readonly keys: readonly CodecKey[];
  /**
   * Decode values that are not envelopes as plaintext (runs stored before the codec was turned on).
   * Default true; set false to refuse them.
   */
  readonly acceptPlaintext?: boolean;
}

/**
 * The built-in AES-256-GCM codec. Each payload gets a fresh random 96-bit IV; the key id is
 * authenticated as additional data, so an envelope cannot be re-labelled with another key id.
 * Side effects: reads random bytes.
 */
export function createAesGcmCodec(options: AesGcmCodecOptions): PayloadCodec {
  const [current] = options.keys;
  if (!current) throw new PayloadCodecError('the AES-256-GCM codec needs at least one key');
  const byId = new Map<string, Buffer>();
  for (const { id, key } of options.keys) {
    if (key.length !== KEY_BYTES) {
      throw new PayloadCodecError(`codec key "${id}" is ${key.length} bytes; AES-256 needs exactly ${KEY_BYTES}`);
    }
    if (byId.has(id)) throw new PayloadCodecError(`codec key id "${id}" is listed twice`);
    byId.set(id, key);
  }
  const acceptPlaintext = options.acceptPlaintext ?? true;

  return {
    name: 'aes-256-gcm',
    encode(value: unknown): AesEnvelope {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      cipher.setAAD(Buffer.from(current.id, 'utf8'));
      // `undefined` has no JSON form; wrap so it round-trips like every other value.
      const plain = Buffer.from(JSON.stringify({ v: value }), 'utf8');
      const data = Buffer.concat([cipher.update(plain), cipher.final()]);
      return {
        enc: ENVELOPE_TAG,
        kid: current.id,
        iv: iv.toString('base64'),
        tag: cipher.getAuthTag().toString('base64'),
        data: data.toString('base64'),
      };
    },
    decode(encoded: unknown): unknown {
      if (!isEnvelope(encoded)) {
        if (acceptPlaintext) return identityCodec.decode(encoded);
        throw new PayloadCodecError('payload is not encrypted and plaintext payloads are refused');
      }
      const key = byId.get(encoded.kid);
      if (!key) {
        throw new PayloadCodecError(
          `payload was encrypted with key "${encoded.kid}", which is not in FLOWLINE_CODEC_KEYS (keep retired keys listed after the current one)`,
          { kid: encoded.kid },
        );
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(encoded.iv, 'base64'));
        decipher.setAAD(Buffer.from(encoded.kid, 'utf8'));
        decipher.setAuthTag(Buffer.from(encoded.tag, 'base64'));
        const plain = Buffer.concat([decipher.update(Buffer.from(encoded.data, 'base64')), decipher.final()]);
        return (JSON.parse(plain.toString('utf8')) as { v: unknown }).v;
      } catch {
        // Never echo the ciphertext or the error's internals: say what to check.
        throw new PayloadCodecError(`payload encrypted with key "${encoded.kid}" failed authentication (tampered or wrong key)`, {
          kid: encoded.kid,
        });
      }
    },
  };
}

/**
 * Parses `FLOWLINE_CODEC_KEYS` (`kid1:base64key,kid2:base64key`, first = current). Pure.
 * Throws PayloadCodecError naming the malformed entry (never its key material).
 */
export function parseCodecKeys(spec: string): CodecKey[] {
  const keys: CodecKey[] = [];
  for (const [index, raw] of spec.split(',').entries()) {
    const entry = raw.trim();
    if (entry === '') continue;
    const colon = entry.indexOf(':');
    if (colon <= 0) {
      throw new PayloadCodecError(`FLOWLINE_CODEC_KEYS entry ${index + 1} is not "keyId:base64Key"`);
    }
    const id = entry.slice(0, colon).trim();
    const material = entry.slice(colon + 1).trim();
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(material)) {
      throw new PayloadCodecError(`FLOWLINE_CODEC_KEYS key "${id}" is not base64`);
    }
    keys.push({ id, key: Buffer.from(material, 'base64') });
  }
  return keys;
}

/**
 * The codec selected by the environment: AES-256-GCM when `FLOWLINE_CODEC_KEYS` is set, otherwise
 * `undefined` (the runtime then stores payloads as they are). Pure apart from reading `env`.
 */
export function codecFromEnv(env: NodeJS.ProcessEnv = process.env): PayloadCodec | undefined {
  const spec = env.FLOWLINE_CODEC_KEYS;
  if (spec === undefined || spec.trim() === '') return undefined;
  return createAesGcmCodec({ keys: parseCodecKeys(spec) });
}

/** A fresh random key in the `FLOWLINE_CODEC_KEYS` format, for `openssl`-less set-ups and tests. Reads random bytes. */
export function generateCodecKey(id: string): string {
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

/** True when `value` is an envelope written by the AES-GCM codec (whatever its key). Pure. */
export function isEnvelope(value: unknown): value is AesEnvelope {
  return (
    isRecord(value) &&
    value.enc === ENVELOPE_TAG &&
    typeof value.kid === 'string' &&
    typeof value.iv === 'string' &&
    typeof value.tag === 'string' &&
    typeof value.data === 'string'
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * How a store writes and reads payload JSON through a codec, synchronously (the Redis store's
 * reads and writes are synchronous around one round trip; the built-in codecs are synchronous).
 * Without a codec it is plain JSON, byte for byte.
 */
export interface StoredJson {
  /** The codec in use, if any. */
  readonly codec: PayloadCodec | undefined;
  /** `value` → stored text (encoded, then JSON). */
  stringify(value: unknown): string;
  /** Stored text → value (JSON, then decoded). Throws PayloadCodecError when it cannot be decoded. */
  parse<T>(text: string): T;
  /** `value` → what to embed in another JSON document (e.g. a job's data). */
  encodeValue(value: unknown): unknown;
  /** The inverse of {@link encodeValue}. */
  decodeValue<T>(encoded: unknown): T;
}

/** Stored-JSON helpers for a codec (plain JSON when `codec` is undefined). Pure apart from the codec's own effects. */
export function storedJson(codec?: PayloadCodec): StoredJson {
  const sync = (result: unknown, what: string): unknown => {
    if (result instanceof Promise) {
      throw new PayloadCodecError(`codec "${codec?.name}" is asynchronous (${what}); the Redis store needs a synchronous codec`);
    }
    return result;
  };
  const encodeValue = (value: unknown): unknown => (codec ? sync(codec.encode(value), 'encode') : value);
  const decodeValue = <T>(encoded: unknown): T => {
    if (codec) return sync(codec.decode(encoded), 'decode') as T;
    // Without keys, an encrypted payload must not pass for data.
    if (isEnvelope(encoded)) {
      throw new PayloadCodecError(`payload is encrypted with key "${encoded.kid}"; set FLOWLINE_CODEC_KEYS to read it`, { kid: encoded.kid });
    }
    return encoded as T;
  };
  return {
    codec,
    stringify: (value) => JSON.stringify(encodeValue(value)),
    parse: <T>(text: string): T => decodeValue<T>(JSON.parse(text)),
    encodeValue,
    decodeValue,
  };
}

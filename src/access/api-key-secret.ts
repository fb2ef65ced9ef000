import { hash, randomBytes } from 'node:crypto';

/** Random bytes in a new key: 256 bits, so a key can be neither guessed nor found from its stored hash. */
const SECRET_BYTES = 32;
/** `sk_` and 43 to 128 base64url characters (32 to 96 bytes); longer strings are refused before any hashing. */
const API_KEY_FORMAT = /^sk_[A-Za-z0-9_-]{43,128}$/;
/** Longest well-formed key. */
export const MAX_API_KEY_LENGTH = 3 + 128;
/** Key ids: the first 16 hex digits of the secret's SHA-256. */
export const API_KEY_ID_FORMAT = /^[0-9a-f]{16}$/;

/** What the service knows of a key: its public id and the SHA-256 it stores; never the secret. */
export interface ApiKeyFingerprint {
  readonly id: string;
  readonly secretSha256: string;
}

/** A new secret: `sk_` + 32 random bytes in base64url (46 characters). */
export function generateApiKeySecret(): string {
  return `sk_${randomBytes(SECRET_BYTES).toString('base64url')}`;
}

export function isWellFormedApiKey(value: string): boolean {
  return value.length <= MAX_API_KEY_LENGTH && API_KEY_FORMAT.test(value);
}

/**
 * The key's SHA-256 (stored, compared) and its id, the first 16 hex digits of that hash. Deriving the id from the key
 * lets a request name its key record, rate window and private scope without a lookup, so the key check, the limit
 * and the cache read share one round trip (access-check.repository.ts). The id reveals nothing usable: the secret has
 * 256 random bits, and the full hash is compared, so an id collision cannot authenticate anyone.
 */
export function fingerprintOf(secret: string): ApiKeyFingerprint {
  const secretSha256 = hash('sha256', secret);
  return { id: secretSha256.slice(0, 16), secretSha256 };
}

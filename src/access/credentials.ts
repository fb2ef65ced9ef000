import type { IncomingHttpHeaders } from 'node:http';
import { unauthorized } from './access-problems';
import {
  fingerprintOf,
  isWellFormedApiKey,
  MAX_API_KEY_LENGTH,
  type ApiKeyFingerprint,
} from './api-key-secret';

/** Header values longer than this are refused before they are parsed (a key is at most 131 characters). */
const MAX_CREDENTIAL_HEADER_LENGTH = 256;
const BEARER = /^bearer +(\S+) *$/i;

/**
 * The API key a request presents, as `Authorization: Bearer <key>` or `x-api-key: <key>`, checked for form only (no
 * Redis): missing, malformed, over-long or conflicting credentials are refused here with a 401 that says what to fix.
 */
export function apiKeyFromHeaders(headers: IncomingHttpHeaders): ApiKeyFingerprint {
  const fromAuthorization = bearerToken(headers.authorization);
  const fromHeader = headerToken(headers['x-api-key']);
  if (fromAuthorization === undefined && fromHeader === undefined)
    throw unauthorized('An API key is required: send `Authorization: Bearer <key>` or `x-api-key: <key>`.');
  if (fromAuthorization !== undefined && fromHeader !== undefined && fromAuthorization !== fromHeader)
    throw unauthorized('Authorization and x-api-key name different keys; send one.');
  const key = (fromAuthorization ?? fromHeader) as string;
  if (!isWellFormedApiKey(key))
    throw unauthorized(
      `Malformed API key: expected sk_ followed by 43 to ${MAX_API_KEY_LENGTH - 3} base64url characters.`,
    );
  return fingerprintOf(key);
}

/** The token of `Authorization: Bearer <token>`; undefined without the header. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (header.length > MAX_CREDENTIAL_HEADER_LENGTH)
    throw unauthorized('The Authorization header is too long.');
  const match = BEARER.exec(header);
  if (!match) throw unauthorized('The Authorization header must be `Bearer <key>`.');
  return match[1];
}

function headerToken(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  // Node joins repeated unknown headers into one value; an array only comes from a caller building headers by hand.
  const value = Array.isArray(header) ? header.join(', ') : header;
  if (value.length > MAX_CREDENTIAL_HEADER_LENGTH) throw unauthorized('The x-api-key header is too long.');
  return value.trim();
}

import { createHash, timingSafeEqual } from 'node:crypto';

/** The challenge of an admin 401: browsers show their login prompt for it (any user name, the token as password). */
export const ADMIN_AUTH_CHALLENGE = 'Basic realm="SmartCache admin", charset="UTF-8"';

/** What a 401 tells the caller to do. */
export const ADMIN_AUTH_HINT =
  'This page needs the admin token: send "Authorization: Bearer <ADMIN_TOKEN>", or HTTP Basic with any user name and the token as the password.';

/**
 * Whether an `Authorization` header carries the admin token: `Bearer <token>`, or HTTP Basic with the token as the
 * password and any user name (what a browser's login prompt sends).
 *
 * Compared in constant time: both sides are hashed first, so neither the token's characters nor its length can be
 * learnt from how long a wrong guess takes.
 */
export function carriesAdminToken(authorization: string | undefined, token: string): boolean {
  const presented = presentedSecret(authorization);
  if (presented === undefined) return false;
  return timingSafeEqual(sha256(presented), sha256(token));
}

/** The secret an Authorization header presents, or undefined when it presents none in a scheme we accept. */
function presentedSecret(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^\s*(\S+)\s+(\S+)\s*$/.exec(authorization);
  if (!match) return undefined;
  const [, scheme, credentials] = match;
  switch (scheme.toLowerCase()) {
    case 'bearer':
      return credentials;
    case 'basic': {
      const decoded = Buffer.from(credentials, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      // RFC 7617: user-id ":" password; the user id cannot hold a colon, the password can.
      return colon === -1 ? undefined : decoded.slice(colon + 1);
    }
    default:
      return undefined;
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

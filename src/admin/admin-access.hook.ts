import type { onRequestHookHandler } from 'fastify';
import { ADMIN_AUTH_CHALLENGE, ADMIN_AUTH_HINT, carriesAdminToken } from './admin-credentials';

/**
 * A Fastify `onRequest` hook that lets only requests carrying the admin token through, for admin pages that are
 * Fastify plugins rather than Nest routes (bull-board). Others get a 401 with the Basic challenge (so a browser
 * prompts) and an RFC 9457 problem body, written here because Nest's exception filters do not see plugin routes.
 */
export function adminAccessHook(token: string): onRequestHookHandler {
  return (request, reply, done) => {
    if (carriesAdminToken(request.headers.authorization, token)) {
      done();
      return;
    }
    void reply
      .code(401)
      .header('www-authenticate', ADMIN_AUTH_CHALLENGE)
      .header('cache-control', 'no-store')
      .type('application/problem+json')
      .send({ type: 'about:blank', title: 'Unauthorized', status: 401, detail: ADMIN_AUTH_HINT });
  };
}

import type { FastifyReply, onRequestHookHandler } from 'fastify';
import type { AdminAccessRule, AdminRefusal } from './admin-access-rule';
import { ADMIN_AUTH_CHALLENGE } from './admin-credentials';

/**
 * A Fastify `onRequest` hook applying the AdminAccessRule, for admin pages that are Fastify plugins rather than Nest
 * routes (bull-board). Refused requests get a 401 (with the Basic challenge when the token would open the page, so a
 * browser prompts) and an RFC 9457 problem body, written here because Nest's exception filters do not see plugin
 * routes.
 */
export function adminAccessHook(rule: AdminAccessRule): onRequestHookHandler {
  return (request, reply, done) => {
    const refusal = rule.refusal(request.headers.authorization);
    if (refusal === undefined) {
      done();
      return;
    }
    sendAdminRefusal(reply, refusal);
  };
}

/** The 401 of an admin page that is a Fastify plugin: problem details, the Basic challenge when it would help. */
export function sendAdminRefusal(reply: FastifyReply, refusal: AdminRefusal): void {
  if (refusal.challenge) void reply.header('www-authenticate', ADMIN_AUTH_CHALLENGE);
  void reply
    .code(401)
    .header('cache-control', 'no-store')
    .type('application/problem+json')
    .send({ type: 'about:blank', title: 'Unauthorized', status: 401, detail: refusal.detail });
}

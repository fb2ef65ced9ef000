import { type AccessGrant, OPEN_GRANT } from './access-grant';
import { type CacheScope, sameScope, scopedInputHash, SHARED_SCOPE } from '../jobs/cache-scope';

/**
 * One request's access check, under way: started before the handler reads the cache (so both go out in one Redis
 * round trip, access-check.repository.ts) and settled before the handler answers.
 */
export class RequestAccess {
  /** Keys off and no rate limit: nothing to check. */
  static readonly OPEN = new RequestAccess([SHARED_SCOPE], Promise.resolve(OPEN_GRANT));

  /** The grant, once a caller has awaited it (for hooks that run after the handler). */
  grant: AccessGrant | undefined;

  /**
   * @param candidates the cache scopes the caller may turn out to have: read together with the check, the one the
   *   grant names is used
   * @param outcome the grant, or the error to answer with (401, 429, or Redis unavailable → 503). An error is a value
   *   rather than a rejection, so a request that fails before it awaits its check leaves no unhandled rejection.
   */
  constructor(
    readonly candidates: readonly CacheScope[],
    private readonly outcome: Promise<AccessGrant | Error>,
  ) {}

  /** The grant; throws the check's 401 / 429 / 503. */
  async decision(): Promise<AccessGrant> {
    return this.settle(await this.outcome);
  }

  /**
   * Reads what a scope-dependent key holds for the caller's scope, concurrently with the access check: `read` is
   * called for every candidate scope at once, so its reads join the check's batch. Throws the check's 401/429/503.
   */
  async lookup<T>(
    sharedHash: string,
    read: (scopedHash: string) => Promise<T | null>,
  ): Promise<{ readonly grant: AccessGrant; readonly value: T | null }> {
    if (this === RequestAccess.OPEN) return { grant: OPEN_GRANT, value: await read(sharedHash) };
    if (this.candidates.length === 1) {
      // The usual case (a known key, or an IP), without Promise.all and its arrays. As with Promise.all, a failed read
      // throws; the outcome never rejects, so nothing is left unhandled.
      const scope = this.candidates[0];
      const value = await read(scopedInputHash(sharedHash, scope));
      const grant = this.settle(await this.outcome);
      return {
        grant,
        value: sameScope(scope, grant.scope) ? value : await this.reread(sharedHash, grant, read),
      };
    }
    const reads = this.candidates.map((scope) => read(scopedInputHash(sharedHash, scope)));
    const [outcome, ...values] = await Promise.all([this.outcome, ...reads]);
    const grant = this.settle(outcome);
    const index = this.candidates.findIndex((scope) => sameScope(scope, grant.scope));
    return { grant, value: index >= 0 ? values[index] : await this.reread(sharedHash, grant, read) };
  }

  /** Only when a key's scope was changed by hand in Redis (the CLI cannot): the right read, one more round trip. */
  private reread<T>(
    sharedHash: string,
    grant: AccessGrant,
    read: (scopedHash: string) => Promise<T | null>,
  ): Promise<T | null> {
    return read(scopedInputHash(sharedHash, grant.scope));
  }

  private settle(outcome: AccessGrant | Error): AccessGrant {
    if (outcome instanceof Error) throw outcome;
    this.grant = outcome;
    return outcome;
  }
}

import { hash } from 'node:crypto';

/**
 * Whose cache, deduplication and jobs a submission uses. `shared` is the content-addressed space every client
 * shares (the point of the service); `private` belongs to one API key (created with `--cache private`), so its
 * submissions never hit, join or reveal another client's entries and nobody else sees its own.
 */
export type CacheScope =
  | { readonly kind: 'shared' }
  | { readonly kind: 'private'; /** The owning API key's id. */ readonly owner: string };

export const SHARED_SCOPE: CacheScope = Object.freeze({ kind: 'shared' });

export function privateScope(owner: string): CacheScope {
  return { kind: 'private', owner };
}

/**
 * The input hash a scope uses, from the shared one (hashInput). It is the cache key, the deduplication id and the
 * job's identity at once, so scoping it scopes all three. Shared: unchanged, so today's keys stay valid. Private: a
 * hash of the owner and the shared hash, which no other scope can produce.
 */
export function scopedInputHash(sharedHash: string, scope: CacheScope): string {
  return scope.kind === 'shared' ? sharedHash : hash('sha256', `private\n${scope.owner}\n${sharedHash}`);
}

export function sameScope(a: CacheScope, b: CacheScope): boolean {
  return a.kind === 'shared' ? b.kind === 'shared' : b.kind === 'private' && a.owner === b.owner;
}

/** The scope a job was made in, from its data: no owner means shared (as for every job queued before scopes). */
export function scopeOfJob(data: { readonly scopeOwner?: string }): CacheScope {
  return data.scopeOwner === undefined ? SHARED_SCOPE : privateScope(data.scopeOwner);
}

/** What to store in a job's data for a scope (SummarizeJobData.scopeOwner). */
export function jobScopeFields(scope: CacheScope): { readonly scopeOwner?: string } {
  return scope.kind === 'private' ? { scopeOwner: scope.owner } : {};
}

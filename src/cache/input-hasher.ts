import { hash } from 'node:crypto';
import type { SummarizerIdentity } from '../ai/summarizer';
import type { InputType } from '../core/queue/summarize-job';

/**
 * Hashes what decides a summary: the input (already normalized by the caller), its type and the summarizer's
 * identity, so a change of provider, model or prompt never serves another one's answers.
 */
export function hashInput(type: InputType, normalizedInput: string, identity: SummarizerIdentity): string {
  // One-shot crypto.hash(): no Hash object per call (this runs on every request).
  return hash(
    'sha256',
    `${identity.provider}\n${identity.model}\n${identity.promptVersion}\n${type}\n${normalizedInput}`,
  );
}

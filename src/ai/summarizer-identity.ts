import { resolveAiProvider, type Environment } from '../core/config/environment';
import { PROMPT_VERSION } from './prompts';
import type { SummarizerIdentity } from './summarizer';

/**
 * DI token of this deployment's {@link SummarizerIdentity}, computed from the configuration alone: API processes
 * need it for every cache key but never summarize, so they do not build a summarizer (or load its models) to learn it.
 */
export const SUMMARIZER_IDENTITY = Symbol('SUMMARIZER_IDENTITY');

/** The built-in extractive summarizer; bump `promptVersion` whenever its output for the same input would change. */
export const LOCAL_SUMMARIZER_IDENTITY: SummarizerIdentity = {
  provider: 'local',
  model: 'extractive-v2',
  promptVersion: '3',
};

/** A remote provider's identity: the model and the version of our prompt. */
export function remoteIdentity(provider: SummarizerIdentity['provider'], model: string): SummarizerIdentity {
  return { provider, model: model.trim(), promptVersion: PROMPT_VERSION };
}

export type IdentityConfig = Pick<
  Environment,
  'AI_PROVIDER' | 'GEMINI_API_KEY' | 'GEMINI_MODEL' | 'OPENAI_MODEL'
>;

/** The identity of the summarizer the configuration selects; the summarizers themselves report the same. */
export function summarizerIdentityOf(config: IdentityConfig): SummarizerIdentity {
  switch (resolveAiProvider(config)) {
    case 'local':
      return LOCAL_SUMMARIZER_IDENTITY;
    case 'gemini':
      return remoteIdentity('gemini', config.GEMINI_MODEL);
    case 'openai':
      return remoteIdentity('openai', config.OPENAI_MODEL);
  }
}

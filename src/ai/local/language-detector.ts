import { franc } from 'franc-min';

/** Languages the local summarizer knows how to split and filter; anything else is treated as English. */
export type LanguageCode = 'en' | 'es' | 'fr' | 'de' | 'pt' | 'it' | 'nl';

const FROM_ISO_639_3: Readonly<Record<string, LanguageCode>> = {
  eng: 'en',
  spa: 'es',
  fra: 'fr',
  deu: 'de',
  por: 'pt',
  ita: 'it',
  nld: 'nl',
};
const CANDIDATES = Object.keys(FROM_ISO_639_3);
/**
 * franc reads trigrams; 1,500 characters (~250 words) tell these seven languages apart reliably, keep detection
 * O(1) on huge inputs, and cost a third of what 4 KB did (franc was ~15 % of the time on a 5 KB article).
 */
const SAMPLE_CHARS = 1500;

/** Detects the language of a text with `franc-min` (trigram profiles), restricted to the languages we support. */
export class LanguageDetector {
  detect(text: string): LanguageCode {
    const sample = text.slice(0, SAMPLE_CHARS);
    const code = franc(sample, { only: CANDIDATES, minLength: 10 });
    return FROM_ISO_639_3[code] ?? 'en';
  }
}

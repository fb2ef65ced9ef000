import * as stopword from 'stopword';
import type { LanguageCode } from './language-detector';

/** Words that carry no topic in news prose; added to the `stopword` lists for ranking and tagging. */
const EXTRA: Readonly<Record<LanguageCode, string>> = {
  en: `also said says told would could one two three new year years people like time get got make made many may much
    us mr mrs ms dr just well even still back way last first according including around since while however although
    yet another something things thing lot really percent week weeks day days month months today yesterday monday
    tuesday wednesday thursday friday saturday sunday going want wants know think see come came take took use used
    need needs part good great little big long high per cent via don doesn didn isn wasn aren can't won't it's that's
    i'm he's she's they're we're you're there's let's`,
  es: 'dijo según tras año años día días vez veces parte así solo sólo además mientras sido puede pueden',
  fr: 'dit selon après année années jour jours fois partie aussi ainsi seulement alors peut peuvent été être',
  de: 'sagte laut nach jahr jahre jahren tag tage mal teil auch sowie nur kann können wurde wurden worden',
  pt: 'disse segundo após ano anos dia dias vez vezes parte também assim apenas pode podem sido ser',
  it: 'detto secondo dopo anno anni giorno giorni volta volte parte anche così solo può possono stato essere',
  nl: 'zei volgens na jaar jaren dag dagen keer deel ook zo alleen kan kunnen geweest zijn',
};

// `@types/stopword` (pulled in by a peer) still describes the v1 API; v3 exports ISO 639-3 keyed arrays.
const LISTS = stopword as unknown as Readonly<Record<string, readonly string[] | undefined>>;
const BASE: Readonly<Record<LanguageCode, readonly string[]>> = {
  en: LISTS.eng ?? [],
  es: LISTS.spa ?? [],
  fr: LISTS.fra ?? [],
  de: LISTS.deu ?? [],
  pt: LISTS.por ?? [],
  it: LISTS.ita ?? [],
  nl: LISTS.nld ?? [],
};

/** Per-language stopword sets (the `stopword` package's lists plus news filler words), built once and cached. */
export class StopwordList {
  private readonly cache = new Map<LanguageCode, ReadonlySet<string>>();

  for(language: LanguageCode): ReadonlySet<string> {
    let set = this.cache.get(language);
    if (!set) {
      const words = [...BASE[language], ...EXTRA[language].split(/\s+/)];
      // English function words show up in every language's text (quotes, names of things), so always include them.
      if (language !== 'en') words.push(...BASE.en);
      set = new Set(words.map((w) => w.toLowerCase()).filter((w) => w.length > 0));
      this.cache.set(language, set);
    }
    return set;
  }
}

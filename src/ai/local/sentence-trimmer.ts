import type { LanguageCode } from './language-detector';

/** "LONDON, England (CNN) --", "(CNN)", "WASHINGTON (Reuters) -" at the start of a text. */
const DATELINE =
  /^(?:[\p{Lu}][\p{L}.'’ -]{0,40}(?:, [\p{L}.'’ -]{1,30})?\s*)?\((?:CNN|AP|AFP|Reuters|EW\.com)[^)]{0,20}\)\s*(?:--|—|–|-)?\s*/u;
/** A short parenthetical: "(left)", "(R-Texas)", "(1.6 miles)". */
const PARENTHETICAL = /\s+\([^()]{1,60}\)(?=[\s,.;:!?])/g;
/** An aside between dashes: "Cyprus -- one of the smallest economies -- has". */
const DASH_ASIDE = /\s+(?:--|—|–)\s+[^-—–]{1,90}?\s+(?:--|—|–)(?=\s)/g;
/** A final aside after a dash: "… every year -- enough to reach the moon." */
const TRAILING_DASH = /\s+(?:--|—|–)\s+[^-—–"“”]{1,200}([.!?]["'”’]?)$/;
/** ", he said." / ", Vice Minister Jiang said Thursday." / ", state media reported." at the end. */
const ATTRIBUTION =
  /,["'”’]?\s+(?:[^,"“”]{1,60}\s)?(?:said|says|say|told [^,"“”]{1,30}|reported|reports|added|explained|noted|wrote|writes)(?:\s[^,"“”]{0,25})?([.!?])$/;
/** ", according to the European Union border agency Frontex." */
const ACCORDING = /,\s+according to [^,"“”]{1,80}([.!?])$/;
/** A connective that only links to the previous sentence: "But", "And", "However,", "In fact,". */
const CONNECTIVE =
  /^(?:And|But|So|Yet|Still|However|Meanwhile|Instead|Also|In fact|Indeed|Moreover|Furthermore|For in reality|Of course)(?:,\s*|\s+)(?=\p{L})/u;

/**
 * Shortens an extracted sentence the way a person condensing it would: drops a dateline, short parentheticals,
 * dash asides, trailing attributions ("…, officials said.") and opening connectives ("But", "However,"). Only
 * English patterns; other languages are returned as they are. Never returns an empty or much shorter sentence:
 * a trim that would leave fewer than {@link MIN_WORDS} words is not applied.
 */
export class SentenceTrimmer {
  trim(sentence: string, language: LanguageCode): string {
    if (language !== 'en') return sentence;
    let s = sentence;
    s = keep(s, s.replace(DATELINE, ''));
    s = keep(s, s.replace(PARENTHETICAL, ''));
    // "While the role is ceremonial -- akin to … -- Erdogan wants": the aside closed a clause, keep it closed.
    s = keep(s, s.replace(DASH_ASIDE, SUBORDINATE.test(s) ? ',' : ''));
    s = keep(s, s.replace(ACCORDING, '$1'));
    if (!QUOTED.test(s)) s = keep(s, s.replace(ATTRIBUTION, '$1'));
    s = keep(s, s.replace(TRAILING_DASH, '$1'));
    s = keep(s, capitalize(s.replace(CONNECTIVE, '')));
    return s;
  }
}

const QUOTED = /["“”]/;
const SUBORDINATE =
  /^(?:While|Although|Though|If|When|As|Because|Since|After|Before|Despite|Whether|Unless|Until)\b[^,]*?\s(?:--|—|–)\s/;
const MIN_WORDS = 6;

function keep(before: string, after: string): string {
  if (after === before) return before;
  return after.split(' ').length >= MIN_WORDS ? after : before;
}

function capitalize(s: string): string {
  return s.replace(/^\p{Ll}/u, (c) => c.toUpperCase());
}

/**
 * The service's three languages and the choice among them: a `lang` argument when a field has one,
 * else the request's Accept-Language header (RFC 9110 §12.5.4), else Azerbaijani.
 */

export const LANGUAGES = ['AZ', 'EN', 'RU'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'AZ';

/** What a request asks for. `*` alone (what Node's fetch sends by default) is no choice: the default language. */
export interface LanguageChoice {
  readonly language: Language;
}

/** More ranges than any browser sends: the rest of an oversized header is ignored. */
const MAX_RANGES = 32;
/** A language range: `*`, or 1–8 letters followed by subtags of 1–8 letters or digits. */
const RANGE = /^(\*|[a-z]{1,8}(?:-[a-z0-9]{1,8})*)$/i;
/** A weight: 0 to 1 with at most three decimals. */
const WEIGHT = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * The language an Accept-Language header asks for: the supported primary subtag (az, en, ru; region and
 * script subtags such as az-Latn-AZ or en-GB count as their language) with the highest weight, the first
 * listed on a tie; `*` ("any other") stands for the default. Malformed ranges and weights are skipped,
 * weight 0 means "not this one"; a header that names none of ours gives Azerbaijani.
 */
export function parseAcceptLanguage(header: string | undefined | null): LanguageChoice {
  let best: { language: Language; q: number; named: boolean } | undefined;
  for (const part of (header ?? '').split(',').slice(0, MAX_RANGES)) {
    const [rangeText, ...params] = part.split(';').map((s) => s.trim());
    if (!rangeText || !RANGE.test(rangeText)) continue;
    let q = 1;
    let valid = true;
    for (const p of params) {
      const m = /^q\s*=\s*(.*)$/i.exec(p);
      if (!m) continue; // other parameters are not defined for Accept-Language: ignored
      if (!WEIGHT.test(m[1])) valid = false;
      else q = Number(m[1]);
    }
    if (!valid || q <= 0) continue;
    const primary = rangeText.split('-')[0].toUpperCase();
    const named = primary !== '*';
    const language = named ? LANGUAGES.find((l) => l === primary) : DEFAULT_LANGUAGE;
    if (language && (!best || q > best.q)) best = { language, q, named };
  }
  return { language: best?.named ? best.language : DEFAULT_LANGUAGE };
}

/** `text[lang]`, else the English text: the language actually given is returned with it, never invented. */
export function inLanguage(
  texts: { readonly AZ?: string | null; readonly EN: string; readonly RU?: string | null },
  lang: Language,
): { text: string; language: Language } {
  const t = texts[lang];
  return t ? { text: t, language: lang } : { text: texts.EN, language: 'EN' };
}

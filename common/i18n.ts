// Labels in the widget's languages. Pure data (no DOM): the server's iframe
// embeds use the same words.

/** A unit's forms: for Intl.PluralRules' `one`, and for every other category. */
export type Unit = readonly [one: string, other: string];

export interface Strings {
  share: (network: string) => string;
  email: string;
  copy: string;
  copied: string;
  copyFailed: string;
  native: string;
  bar: string;
  views: Unit;
  shares: Unit;
  reads: Unit;
  empty: string;
}

/** The widget's languages; a tag of any other reads as English. */
const LANGUAGES = ['en', 'fr', 'de', 'es'] as const;
type Language = (typeof LANGUAGES)[number];

/** A label in each of LANGUAGES, in their order. */
type Translated<T> = readonly [en: T, fr: T, de: T, es: T];

/** Every label in every language side by side: a label missing a language does not type-check. */
const TRANSLATIONS: { [Label in keyof Strings]: Translated<Strings[Label]> } = {
  share: [(n) => `Share on ${n}`, (n) => `Partager sur ${n}`, (n) => `Auf ${n} teilen`, (n) => `Compartir en ${n}`],
  email: ['Share by email', 'Partager par e-mail', 'Per E-Mail teilen', 'Compartir por correo'],
  copy: ['Copy link', 'Copier le lien', 'Link kopieren', 'Copiar enlace'],
  copied: ['Link copied', 'Lien copié', 'Link kopiert', 'Enlace copiado'],
  copyFailed: [
    'Could not copy the link',
    'Impossible de copier le lien',
    'Link konnte nicht kopiert werden',
    'No se pudo copiar el enlace',
  ],
  native: ['Share…', 'Partager…', 'Teilen…', 'Compartir…'],
  bar: ['Share this article', 'Partager cet article', 'Diesen Artikel teilen', 'Compartir este artículo'],
  views: [
    ['view', 'views'],
    ['vue', 'vues'],
    ['Aufruf', 'Aufrufe'],
    ['visita', 'visitas'],
  ],
  shares: [
    ['share', 'shares'],
    ['partage', 'partages'],
    ['Mal geteilt', 'Mal geteilt'],
    ['vez compartido', 'veces compartido'],
  ],
  reads: [
    ['read', 'reads'],
    ['lecture', 'lectures'],
    ['Mal gelesen', 'Mal gelesen'],
    ['lectura', 'lecturas'],
  ],
  empty: [
    'Nothing to show yet.',
    'Rien à afficher pour le moment.',
    'Noch nichts zu zeigen.',
    'Nada que mostrar todavía.',
  ],
};

/** One language's labels: its column of TRANSLATIONS, which holds every label of Strings. */
const labelsIn = (column: number) =>
  Object.fromEntries(
    Object.entries(TRANSLATIONS).map(([label, translated]) => [label, translated[column]]),
  ) as unknown as Strings;

/** The supported language of a tag such as `fr-CA`; English for any other. */
export function language(tag: string | null | undefined): string {
  const lang = (tag ?? '').slice(0, 2).toLowerCase();
  return LANGUAGES.find((supported) => supported === lang) ?? 'en';
}

/** The labels of `lang`; English for a language not supported. */
export const strings = (lang: string): Strings => labelsIn(Math.max(0, LANGUAGES.indexOf(lang as Language)));

/** A count in compact notation: "12", "1.2K". */
export const compact = (lang: string, n: number): string =>
  new Intl.NumberFormat(lang, { notation: 'compact' }).format(n);

/** A count with its unit in the form `lang` gives that number: "1 view", "1.2K views", "0 vue". */
export const quantity = (lang: string, n: number, [one, other]: Unit): string =>
  `${compact(lang, n)} ${new Intl.PluralRules(lang).select(n) === 'one' ? one : other}`;

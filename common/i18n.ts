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
  empty: string;
}

const STRINGS: Record<string, Strings> = {
  en: {
    share: (n) => `Share on ${n}`,
    email: 'Share by email',
    copy: 'Copy link',
    copied: 'Link copied',
    copyFailed: 'Could not copy the link',
    native: 'Share…',
    bar: 'Share this article',
    views: ['view', 'views'],
    shares: ['share', 'shares'],
    empty: 'Nothing to show yet.',
  },
  fr: {
    share: (n) => `Partager sur ${n}`,
    email: 'Partager par e-mail',
    copy: 'Copier le lien',
    copied: 'Lien copié',
    copyFailed: 'Impossible de copier le lien',
    native: 'Partager…',
    bar: 'Partager cet article',
    views: ['vue', 'vues'],
    shares: ['partage', 'partages'],
    empty: 'Rien à afficher pour le moment.',
  },
  de: {
    share: (n) => `Auf ${n} teilen`,
    email: 'Per E-Mail teilen',
    copy: 'Link kopieren',
    copied: 'Link kopiert',
    copyFailed: 'Link konnte nicht kopiert werden',
    native: 'Teilen…',
    bar: 'Diesen Artikel teilen',
    views: ['Aufruf', 'Aufrufe'],
    shares: ['Mal geteilt', 'Mal geteilt'],
    empty: 'Noch nichts zu zeigen.',
  },
  es: {
    share: (n) => `Compartir en ${n}`,
    email: 'Compartir por correo',
    copy: 'Copiar enlace',
    copied: 'Enlace copiado',
    copyFailed: 'No se pudo copiar el enlace',
    native: 'Compartir…',
    bar: 'Compartir este artículo',
    views: ['visita', 'visitas'],
    shares: ['vez compartido', 'veces compartido'],
    empty: 'Nada que mostrar todavía.',
  },
};

/** The supported language of a tag such as `fr-CA`; English for any other. */
export function language(tag: string | null | undefined): string {
  const lang = (tag ?? '').slice(0, 2).toLowerCase();
  return lang in STRINGS ? lang : 'en';
}

export const strings = (lang: string): Strings => STRINGS[lang] ?? STRINGS.en!;

/** A count in compact notation: "12", "1.2K". */
export const compact = (lang: string, n: number): string =>
  new Intl.NumberFormat(lang, { notation: 'compact' }).format(n);

/** A count with its unit in the form `lang` gives that number: "1 view", "1.2K views", "0 vue". */
export const quantity = (lang: string, n: number, [one, other]: Unit): string =>
  `${compact(lang, n)} ${new Intl.PluralRules(lang).select(n) === 'one' ? one : other}`;

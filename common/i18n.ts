// Labels in the widget's languages. Pure data (no DOM): the server's iframe
// embeds use the same words.

export interface Strings {
  share: (network: string) => string;
  email: string;
  copy: string;
  copied: string;
  copyFailed: string;
  native: string;
  bar: string;
  views: string;
  shares: string;
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
    views: 'views',
    shares: 'shares',
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
    views: 'vues',
    shares: 'partages',
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
    views: 'Aufrufe',
    shares: 'Mal geteilt',
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
    views: 'visitas',
    shares: 'veces compartido',
    empty: 'Nada que mostrar todavía.',
  },
};

/** The supported language of a tag such as `fr-CA`; English for any other. */
export function language(tag: string | null | undefined): string {
  const lang = (tag ?? '').slice(0, 2).toLowerCase();
  return lang in STRINGS ? lang : 'en';
}

export const strings = (lang: string): Strings => STRINGS[lang] ?? STRINGS.en!;

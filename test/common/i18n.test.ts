import { describe, expect, it } from 'vitest';
import { language, quantity, strings } from '../../common/i18n';

describe('quantity', () => {
  it('should give each language its singular and plural, by Intl.PluralRules', () => {
    const counted = (lang: string, unit: 'views' | 'shares' | 'reads') =>
      [0, 1, 2, 1500].map((n) => quantity(lang, n, strings(lang)[unit]));
    expect(counted('en', 'views')).toEqual(['0 views', '1 view', '2 views', '1.5K views']);
    expect(counted('en', 'shares')).toEqual(['0 shares', '1 share', '2 shares', '1.5K shares']);
    expect(counted('en', 'reads')).toEqual(['0 reads', '1 read', '2 reads', '1.5K reads']);
    // French counts 0 and 1 as singular.
    expect(counted('fr', 'views')).toEqual(['0 vue', '1 vue', '2 vues', '1,5\u00a0k vues']);
    expect(counted('fr', 'shares')).toEqual(['0 partage', '1 partage', '2 partages', '1,5\u00a0k partages']);
    expect(counted('fr', 'reads')).toEqual(['0 lecture', '1 lecture', '2 lectures', '1,5\u00a0k lectures']);
    expect(counted('de', 'views')).toEqual(['0 Aufrufe', '1 Aufruf', '2 Aufrufe', '1500 Aufrufe']);
    expect(counted('de', 'shares')).toEqual(['0 Mal geteilt', '1 Mal geteilt', '2 Mal geteilt', '1500 Mal geteilt']);
    expect(counted('de', 'reads')).toEqual(['0 Mal gelesen', '1 Mal gelesen', '2 Mal gelesen', '1500 Mal gelesen']);
    expect(counted('es', 'views')).toEqual(['0 visitas', '1 visita', '2 visitas', '1,5\u00a0mil visitas']);
    expect(counted('es', 'shares')).toEqual([
      '0 veces compartido',
      '1 vez compartido',
      '2 veces compartido',
      '1,5\u00a0mil veces compartido',
    ]);
    expect(counted('es', 'reads')).toEqual(['0 lecturas', '1 lectura', '2 lecturas', '1,5\u00a0mil lecturas']);
  });
});

describe('strings', () => {
  it("should give each language its own labels, and English's for any other", () => {
    expect([strings('en').share('X'), strings('fr').copy, strings('de').bar, strings('es').empty]).toEqual([
      'Share on X',
      'Copier le lien',
      'Diesen Artikel teilen',
      'Nada que mostrar todavía.',
    ]);
    expect(strings('pt')).toEqual(strings('en'));
    expect([language('fr-CA'), language('DE'), language('pt-BR'), language(undefined)]).toEqual([
      'fr',
      'de',
      'en',
      'en',
    ]);
  });
});

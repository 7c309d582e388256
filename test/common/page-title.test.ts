import { describe, expect, it } from 'vitest';
import { withoutSiteName } from '../../common/page-title';

describe('withoutSiteName', () => {
  it('should drop a trailing site name after a spaced bar or dash', () => {
    expect(withoutSiteName('Bridge closure extended to March | Riverside Post')).toBe(
      'Bridge closure extended to March',
    );
    expect(withoutSiteName(' Ferry goes electric – The Eastbank Ledger ')).toBe('Ferry goes electric');
    expect(withoutSiteName('Ferry goes electric — Ledger')).toBe('Ferry goes electric');
    expect(withoutSiteName('Vote: what - and who - changes - Ledger')).toBe('Vote: what - and who - changes');
  });

  it('should keep a title without a separated site name whole', () => {
    expect(withoutSiteName('Covid-19 cases fall')).toBe('Covid-19 cases fall');
    expect(withoutSiteName('Left|right politics')).toBe('Left|right politics');
    expect(withoutSiteName('| Riverside Post')).toBe('| Riverside Post');
    expect(withoutSiteName('')).toBe('');
  });
});

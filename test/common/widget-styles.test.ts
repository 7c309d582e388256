import { describe, expect, it } from 'vitest';
import { themeOf } from '../../common/widget-styles';

describe('themeOf', () => {
  it("should draw light on a page that says nothing or only light, whatever the reader's OS", () => {
    for (const scheme of ['', 'normal', 'light', 'only light', 'neon']) expect(themeOf(scheme)).toBe('light');
  });

  it('should draw dark on a dark-only page, and follow the OS on a page offering both or when asked', () => {
    expect(themeOf('dark')).toBe('dark');
    expect(themeOf('only dark')).toBe('dark');
    expect(themeOf('light dark')).toBe('auto');
    expect(themeOf('dark light')).toBe('auto');
    expect(themeOf('auto')).toBe('auto');
  });
});

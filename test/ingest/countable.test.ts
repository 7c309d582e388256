import { describe, expect, it } from 'vitest';
import { isCountable } from '../../src/ingest/countable';

const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';
const SAFARI_IOS =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1';

describe('isCountable', () => {
  it.each([CHROME, SAFARI_IOS])('should count a browser: %s', (userAgent) => {
    expect(isCountable({ userAgent, secGpc: undefined, respectGpc: false })).toBe(true);
  });

  it.each([
    'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
    'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
    'Twitterbot/1.0',
    'curl/8.5.0',
    'python-requests/2.32.3',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/140.0.0.0 Safari/537.36',
  ])('should not count a bot: %s', (userAgent) => {
    expect(isCountable({ userAgent, secGpc: undefined, respectGpc: false })).toBe(false);
  });

  it('should not count a request without a User-Agent', () => {
    expect(isCountable({ userAgent: undefined, secGpc: undefined, respectGpc: false })).toBe(false);
    expect(isCountable({ userAgent: '', secGpc: undefined, respectGpc: false })).toBe(false);
  });

  it('should not count Sec-GPC: 1 when the site respects GPC', () => {
    expect(isCountable({ userAgent: CHROME, secGpc: '1', respectGpc: true })).toBe(false);
  });

  it('should count Sec-GPC: 1 when the site does not respect GPC', () => {
    expect(isCountable({ userAgent: CHROME, secGpc: '1', respectGpc: false })).toBe(true);
  });

  it('should count other Sec-GPC values on a site that respects GPC', () => {
    expect(isCountable({ userAgent: CHROME, secGpc: '0', respectGpc: true })).toBe(true);
    expect(isCountable({ userAgent: CHROME, secGpc: undefined, respectGpc: true })).toBe(true);
  });
});

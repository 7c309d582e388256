import { describe, expect, it } from 'vitest';
import { NETWORKS } from '../../common/networks';
import { type CountableInput, notCountedReason } from '../../src/ingest/countable';

const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';
const SAFARI_IOS =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

const VIEW = { type: 'view', network: undefined } as const;
const READ = { type: 'read', network: undefined } as const;
const share = (network: string) => ({ type: 'share', network }) as const;
const input = (overrides: Partial<CountableInput> = {}): CountableInput => ({
  userAgent: CHROME,
  secGpc: undefined,
  respectGpc: false,
  networks: [...NETWORKS],
  ...overrides,
});

describe('notCountedReason', () => {
  it.each([CHROME, SAFARI_IOS])('should let a browser count: %s', (userAgent) => {
    expect(notCountedReason(input({ userAgent }), VIEW)).toBeNull();
    expect(notCountedReason(input({ userAgent }), share('x'))).toBeNull();
  });

  it.each([
    GOOGLEBOT,
    'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
    'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
    'Twitterbot/1.0',
    'curl/8.5.0',
    'python-requests/2.32.3',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/140.0.0.0 Safari/537.36',
  ])('should not count a bot: %s', (userAgent) => {
    expect(notCountedReason(input({ userAgent }), VIEW)).toBe('bot');
  });

  it('should not count a request without a User-Agent, as a bot', () => {
    expect(notCountedReason(input({ userAgent: undefined }), VIEW)).toBe('bot');
    expect(notCountedReason(input({ userAgent: '' }), VIEW)).toBe('bot');
  });

  it('should not count Sec-GPC: 1 when the site respects GPC', () => {
    expect(notCountedReason(input({ secGpc: '1', respectGpc: true }), VIEW)).toBe('gpc');
    expect(notCountedReason(input({ secGpc: ' 1 ', respectGpc: true }), share('x'))).toBe('gpc');
  });

  it('should count Sec-GPC: 1 when the site does not respect GPC', () => {
    expect(notCountedReason(input({ secGpc: '1', respectGpc: false }), VIEW)).toBeNull();
  });

  it('should count other Sec-GPC values on a site that respects GPC', () => {
    expect(notCountedReason(input({ secGpc: '0', respectGpc: true }), VIEW)).toBeNull();
    expect(notCountedReason(input({ secGpc: undefined, respectGpc: true }), VIEW)).toBeNull();
  });

  it("should not count a share to a network outside the site's networks", () => {
    const networks = ['x', 'email'];
    expect(notCountedReason(input({ networks }), share('facebook'))).toBe('network_disabled');
    expect(notCountedReason(input({ networks }), share('copy'))).toBe('network_disabled');
    expect(notCountedReason(input({ networks }), share('x'))).toBeNull();
    // A view has no network to turn off.
    expect(notCountedReason(input({ networks }), VIEW)).toBeNull();
  });

  it('should decide about a read as about a view: bots and GPC, and no network to turn off', () => {
    expect(notCountedReason(input(), READ)).toBeNull();
    expect(notCountedReason(input({ userAgent: GOOGLEBOT }), READ)).toBe('bot');
    expect(notCountedReason(input({ secGpc: '1', respectGpc: true }), READ)).toBe('gpc');
    expect(notCountedReason(input({ networks: [] }), READ)).toBeNull();
  });

  it('should give each event one reason: bot, then gpc, then network_disabled', () => {
    const everything = { secGpc: '1', respectGpc: true, networks: ['x'] };
    expect(notCountedReason(input({ ...everything, userAgent: GOOGLEBOT }), share('facebook'))).toBe('bot');
    expect(notCountedReason(input(everything), share('facebook'))).toBe('gpc');
    expect(notCountedReason(input({ networks: ['x'] }), share('facebook'))).toBe('network_disabled');
  });
});

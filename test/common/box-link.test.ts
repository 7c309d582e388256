import { describe, expect, it } from 'vitest';
import { boxLink } from '../../common/box-link';
import { parseFrom } from '../../common/box-list';
import { normaliseUrl } from '../../src/ingest/normalise-url';

describe('boxLink', () => {
  it("should add the list and position to the link's query, keeping its parameters and fragment", () => {
    expect(boxLink('https://news.example/a', 'views-24h.3')).toBe('https://news.example/a?sp_from=views-24h.3');
    expect(boxLink('http://news.example:8080/a?id=7&page=2#comments', 'reads-7d.12')).toBe(
      'http://news.example:8080/a?id=7&page=2&sp_from=reads-7d.12#comments',
    );
  });

  it("should keep the link's other parameters byte for byte, and replace an sp_from it had", () => {
    expect(boxLink('https://news.example/a?flag&q=a%20b+c#x?y', 'views-24h.1')).toBe(
      'https://news.example/a?flag&q=a%20b+c&sp_from=views-24h.1#x?y',
    );
    expect(boxLink('https://news.example/a?sp_from=trending.9&id=7', 'views-24h.2')).toBe(
      'https://news.example/a?id=7&sp_from=views-24h.2',
    );
    expect(boxLink('https://news.example/a?#top', 'views-24h.3')).toBe(
      'https://news.example/a?sp_from=views-24h.3#top',
    );
  });

  it('should name the same article as the link once normalised, and a position parseFrom reads back', () => {
    const link = 'https://news.example/a?id=7#top';
    const linked = new URL(boxLink(link, 'trending.1'));
    expect(normaliseUrl(linked.href)).toBe(normaliseUrl(link));
    expect(parseFrom(linked.searchParams.get('sp_from')!)).toEqual({ list: 'trending', position: 1 });
  });
});

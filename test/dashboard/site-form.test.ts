import { describe, expect, it } from 'vitest';
import { newSiteForm, readSiteForm, siteBody, siteForm } from '../../src/dashboard/site-form';
import { DEFAULT_SETTINGS, type Site } from '../../src/sites/site-schema';

const SITE: Site = {
  id: 'riverside-post',
  name: 'The Riverside Post',
  hosts: ['riverside.example', 'www.riverside.example'],
  settings: {
    ...DEFAULT_SETTINGS,
    article_source: 'beacon',
    image_hosts: ['img.riverside.example'],
    exclude_paths: ['/', '/tag/*'],
    max_new_articles_per_hour: 250,
  },
  created_at: '2026-11-20T10:00:00.000Z',
};

describe('the site form', () => {
  it("should show a site's settings as its fields, and send them back unchanged", () => {
    const form = siteForm(SITE);
    expect(form).toMatchObject({
      hosts: 'riverside.example\nwww.riverside.example',
      article_source: 'beacon',
      image_hosts: 'img.riverside.example',
      exclude_paths: '/\n/tag/*',
      max_new_articles_per_hour: '250',
    });
    expect(siteBody(form)).toEqual({ id: SITE.id, name: SITE.name, hosts: SITE.hosts, settings: SITE.settings });
  });

  it('should read lists one per line, commas and spaces separating too, and an empty box as no entry', () => {
    const form = readSiteForm({
      hosts: 'a.example, b.example',
      image_hosts: ' img.example\n\ncdn.example,static.example ',
      exclude_paths: '  \n ',
    });
    expect(siteBody(form)).toMatchObject({
      hosts: ['a.example', 'b.example'],
      settings: { image_hosts: ['img.example', 'cdn.example', 'static.example'], exclude_paths: [] },
    });
  });

  it('should leave out an empty number, time zone or article source, so that each keeps its value', () => {
    const { settings } = siteBody({
      ...newSiteForm(),
      max_new_articles_per_hour: ' ',
      time_zone: '',
      article_source: '',
    });
    expect(settings).not.toHaveProperty('max_new_articles_per_hour');
    expect(settings).not.toHaveProperty('time_zone');
    expect(settings).not.toHaveProperty('article_source');
    // What is not a number stays as typed, for the schema to refuse.
    expect(siteBody({ ...newSiteForm(), max_new_articles_per_hour: 'many' }).settings.max_new_articles_per_hour).toBe(
      'many',
    );
  });
});

import type { z } from 'zod';
import { DEFAULT_SETTINGS, type Site, type SiteSettings } from '../sites/site-schema';
import type { PostedForm } from './posted-form';

/** Settings typed as numbers. */
const NUMBER_FIELDS = [
  'share_weight',
  'half_life_hours',
  'max_events_per_second',
  'max_visitors_per_ip',
  'max_new_articles_per_hour',
  'hourly_retention_days',
  'daily_retention_days',
] as const;
export type NumberFieldName = (typeof NUMBER_FIELDS)[number];

/** Settings typed as lists, one per line (commas and spaces separate too), as hosts are. */
const LIST_FIELDS = ['image_hosts', 'exclude_paths'] as const;
export type ListFieldName = (typeof LIST_FIELDS)[number];

/** Settings of one word, typed or picked: the time zone, the article source. */
const WORD_FIELDS = ['time_zone', 'article_source'] as const;

/** Every field typed as text: what the form shows again when a value is refused. */
const TEXT_FIELDS = ['id', 'name', 'hosts', ...NUMBER_FIELDS, ...LIST_FIELDS, ...WORD_FIELDS] as const;

/** The site form's fields as typed; hosts and list settings one per line. */
export type SiteForm = Record<(typeof TEXT_FIELDS)[number], string> & { respect_gpc: boolean; networks: string[] };

/** What a page says above its content: refusals of the last post, or what it did. */
export interface Feedback {
  errors?: string[];
  done?: string;
}

/** One value per field name. */
const fieldsOf = <K extends string, V>(names: readonly K[], value: (name: K) => V): Record<K, V> =>
  Object.fromEntries(names.map((name) => [name, value(name)])) as Record<K, V>;

const fromSettings = (id: string, name: string, hosts: string[], settings: SiteSettings): SiteForm => ({
  id,
  name,
  hosts: hosts.join('\n'),
  ...fieldsOf(NUMBER_FIELDS, (field) => String(settings[field])),
  ...fieldsOf(LIST_FIELDS, (field) => settings[field].join('\n')),
  ...fieldsOf(WORD_FIELDS, (field) => settings[field]),
  respect_gpc: settings.respect_gpc,
  networks: [...settings.networks],
});

/** An empty form for a new site, its settings at their defaults. */
export const newSiteForm = (): SiteForm => fromSettings('', '', [], DEFAULT_SETTINGS);

/** A stored site, as its edit form. */
export const siteForm = (site: Site): SiteForm => fromSettings(site.id, site.name, site.hosts, site.settings);

const text = (posted: PostedForm, name: string): string => {
  const value = posted[name];
  return typeof value === 'string' ? value : '';
};

/** The form as posted (readPostedForm): anything missing reads as empty. */
export function readSiteForm(posted: PostedForm): SiteForm {
  const networks = posted.networks;
  return {
    ...fieldsOf(TEXT_FIELDS, (field) => text(posted, field)),
    id: text(posted, 'id').trim(),
    // A checkbox is sent only when checked.
    respect_gpc: posted.respect_gpc !== undefined,
    networks: (Array.isArray(networks) ? networks : networks === undefined ? [] : [networks]).filter(
      (n): n is string => typeof n === 'string',
    ),
  };
}

/** A list as typed: one per line, commas and spaces separating too. */
const listOf = (typed: string): string[] => typed.split(/[\s,]+/).filter(Boolean);

/**
 * The JSON body the admin API would receive for this form, to check with the
 * API's own schemas (createSiteBody, updateSiteBody). An empty number field
 * or word is left out, so it keeps its default or current value (an empty
 * list is a list of none); anything else that is not a number stays as typed
 * and is refused by the schema.
 */
export function siteBody(form: SiteForm): {
  id: string;
  name: string;
  hosts: string[];
  settings: Record<string, unknown>;
} {
  const settings: Record<string, unknown> = { respect_gpc: form.respect_gpc, networks: form.networks };
  for (const field of NUMBER_FIELDS) {
    const value = form[field].trim();
    if (value !== '') settings[field] = Number.isFinite(Number(value)) ? Number(value) : value;
  }
  for (const field of LIST_FIELDS) settings[field] = listOf(form[field]);
  for (const field of WORD_FIELDS) {
    const value = form[field].trim();
    if (value !== '') settings[field] = value;
  }
  return { id: form.id, name: form.name, hosts: listOf(form.hosts), settings };
}

/** A schema's refusal as sentences for the form, e.g. `hosts.0: must be a host name …`. */
export const issueMessages = (error: z.ZodError): string[] =>
  error.issues
    .slice(0, 8)
    .map((issue) => (issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message));

import type { z } from 'zod';
import { DEFAULT_SETTINGS, type Site, type SiteSettings } from '../sites/site-schema';
import type { PostedForm } from './posted-form';

/** The site form's fields as typed: what the form shows again when a value is refused. */
export interface SiteForm {
  id: string;
  name: string;
  /** Host names, one per line (commas and spaces separate too). */
  hosts: string;
  share_weight: string;
  half_life_hours: string;
  respect_gpc: boolean;
  networks: string[];
  max_events_per_second: string;
  max_visitors_per_ip: string;
  hourly_retention_days: string;
  daily_retention_days: string;
  time_zone: string;
}

/** What a page says above its content: refusals of the last post, or what it did. */
export interface Feedback {
  errors?: string[];
  done?: string;
}

const NUMBER_FIELDS = [
  'share_weight',
  'half_life_hours',
  'max_events_per_second',
  'max_visitors_per_ip',
  'hourly_retention_days',
  'daily_retention_days',
] as const;

const fromSettings = (id: string, name: string, hosts: string[], settings: SiteSettings): SiteForm => ({
  id,
  name,
  hosts: hosts.join('\n'),
  share_weight: String(settings.share_weight),
  half_life_hours: String(settings.half_life_hours),
  respect_gpc: settings.respect_gpc,
  networks: [...settings.networks],
  max_events_per_second: String(settings.max_events_per_second),
  max_visitors_per_ip: String(settings.max_visitors_per_ip),
  hourly_retention_days: String(settings.hourly_retention_days),
  daily_retention_days: String(settings.daily_retention_days),
  time_zone: settings.time_zone,
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
    id: text(posted, 'id').trim(),
    name: text(posted, 'name'),
    hosts: text(posted, 'hosts'),
    share_weight: text(posted, 'share_weight'),
    half_life_hours: text(posted, 'half_life_hours'),
    // A checkbox is sent only when checked.
    respect_gpc: posted.respect_gpc !== undefined,
    networks: (Array.isArray(networks) ? networks : networks === undefined ? [] : [networks]).filter(
      (n): n is string => typeof n === 'string',
    ),
    max_events_per_second: text(posted, 'max_events_per_second'),
    max_visitors_per_ip: text(posted, 'max_visitors_per_ip'),
    hourly_retention_days: text(posted, 'hourly_retention_days'),
    daily_retention_days: text(posted, 'daily_retention_days'),
    time_zone: text(posted, 'time_zone'),
  };
}

/**
 * The JSON body the admin API would receive for this form, to check with the
 * API's own schemas (createSiteBody, updateSiteBody). An empty number field
 * or time zone is left out, so it keeps its default or current value;
 * anything else that is not a number stays as typed and is refused by the schema.
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
  const zone = form.time_zone.trim();
  if (zone !== '') settings.time_zone = zone;
  return { id: form.id, name: form.name, hosts: form.hosts.split(/[\s,]+/).filter(Boolean), settings };
}

/** A schema's refusal as sentences for the form, e.g. `hosts.0: must be a host name …`. */
export const issueMessages = (error: z.ZodError): string[] =>
  error.issues
    .slice(0, 8)
    .map((issue) => (issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message));

import { isbot } from 'isbot';
import type { NotCountedReason } from '../ledger/reasons';

export interface CountableInput {
  userAgent: string | undefined;
  secGpc: string | undefined;
  respectGpc: boolean;
  /** The site's `networks` setting: the only networks its shares count for. */
  networks: readonly string[];
}

/** What the Worker decides about an event before any shard sees it. */
export type WorkerReason = Extract<NotCountedReason, 'bot' | 'gpc' | 'network_disabled'>;

/**
 * Why an event is accepted and not counted before it reaches a shard, or null
 * when a shard may count it. Bots (and clients that send no User-Agent, which
 * real browsers always do), then, when the site asks for it, visitors with
 * Global Privacy Control on, then shares to a network the site turned off:
 * the first that applies is the event's one reason.
 *
 * @example
 * notCountedReason({ userAgent: 'curl/8.5.0', secGpc: undefined, respectGpc: false, networks: ['x'] },
 *   { type: 'view', network: undefined }) // 'bot'
 */
export function notCountedReason(
  { userAgent, secGpc, respectGpc, networks }: CountableInput,
  event: { type: 'view' | 'share' | 'read'; network?: string | undefined },
): WorkerReason | null {
  if (!userAgent || isbot(userAgent)) return 'bot';
  if (respectGpc && secGpc?.trim() === '1') return 'gpc';
  if (event.type === 'share' && !networks.includes(event.network ?? '')) return 'network_disabled';
  return null;
}

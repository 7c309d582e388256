import { isbot } from 'isbot';

export interface CountableInput {
  userAgent: string | undefined;
  secGpc: string | undefined;
  respectGpc: boolean;
}

/**
 * Whether a beacon should be counted at all. Bots (and clients that send no
 * User-Agent, which real browsers always do) and, when the site asks for it,
 * visitors with Global Privacy Control on are accepted but not counted.
 */
export function isCountable({ userAgent, secGpc, respectGpc }: CountableInput): boolean {
  if (!userAgent || isbot(userAgent)) return false;
  if (respectGpc && secGpc?.trim() === '1') return false;
  return true;
}

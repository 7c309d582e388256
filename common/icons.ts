import type { Network } from './networks';

// One stroked path per icon on a 24×24 grid, in whole units where the shape
// allows (fewer bytes, and no less sharp at the sizes drawn): recognisable
// shapes, a few dozen bytes each, drawn in currentColor (no icon font, no image request).
export const ICONS: Record<Network | 'done', string> = {
  x: 'M4 4H9L20 20H15zM20 4l-7 7M4 20l7-7',
  facebook: 'M16 3H13A4 4 0 0 0 9 7V21M6 11h9',
  linkedin: 'M3 3H21V21H3zm5 8v6M8 7v.01M12 17V11m0 3a3 3 0 0 1 6 0v3',
  whatsapp: 'M4 21l1-5a9 9 0 1 1 3 3zM9 9c0 3 3 6 7 6',
  telegram: 'M21 4 3 11l6 2 2 7 3-4 5 3zM9 13 21 4',
  reddit: 'M4 15a8 5 0 1 0 16 0A8 5 0 1 0 4 15m8-5 1-6 4 1m1 0v.01M9 14v.01m6 0v.01M9 17c2 1 4 1 6 0',
  bluesky: 'M12 11C10 7 6 4 4 5s0 7 5 7c-4 1-3 5-1 5s4-2 4-4c0 2 2 4 4 4s3-4-1-5c5 0 6-6 4-7s-6 2-8 6z',
  mastodon:
    'M4 13V9A5 5 0 0 1 9 4h6a5 5 0 0 1 5 5v4c0 3-2 5-5 5s-5 0-6-1c0 2 1 3 4 3M8 14V10a2 2 0 0 1 4 0v2-2a2 2 0 0 1 4 0v4',
  threads: 'M16 12a4 4 0 1 0-8 0 4 4 0 1 0 8 0v1a3 3 0 0 0 6 0V12a9 9 0 1 0-4 7',
  pinterest: 'M12 3a9 9 0 1 0 0 18A9 9 0 0 0 12 3zM11 21l2-8m-3 1a4.5 4.5 0 1 0-1-2.5',
  email: 'M4 6H20V18H4zM4 6l8 7 8-7',
  copy: 'M9 9H20V20H9zm6 0V4H4V15H9',
  native: 'M12 3V15M8 7l4-4 4 4M5 12v8H19V12',
  done: 'M5 13l4 4L19 7',
};

/**
 * The networks of the API ("Networks"), in display order: what the tests
 * expect, written once here rather than taken from the code under test.
 */
export const LINK_NETWORKS = [
  'x',
  'facebook',
  'linkedin',
  'whatsapp',
  'telegram',
  'reddit',
  'bluesky',
  'mastodon',
  'threads',
  'pinterest',
  'email',
];

/** Every network: the links, then copying the link and the Web Share API. */
export const ALL_NETWORKS = [...LINK_NETWORKS, 'copy', 'native'];

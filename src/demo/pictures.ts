import type { DemoArticle } from './articles';

// Small hand-drawn scenes (under 1 KiB each), one per demo article, so that the
// popular box and the dashboard show thumbnails as they will on a real site.
const svg = (body: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 90" width="120" height="90">${body}</svg>`;

const PICTURES: Record<string, string> = {
  // The harbour ferry at its pier.
  front: svg(
    '<rect width="120" height="90" fill="#9cc7e0"/><rect y="58" width="120" height="32" fill="#2f6d8f"/>' +
      '<path d="M22 58h66l-8 12H30z" fill="#f4f1e8"/><rect x="38" y="46" width="34" height="12" fill="#e0483c"/>' +
      '<rect x="44" y="49" width="6" height="5" fill="#fff"/><rect x="56" y="49" width="6" height="5" fill="#fff"/>' +
      '<rect x="92" y="44" width="6" height="26" fill="#6b5b4b"/><circle cx="96" cy="18" r="8" fill="#ffd867"/>',
  ),
  // Lanterns over market stalls at night.
  'night-market': svg(
    '<rect width="120" height="90" fill="#1f2a4d"/><path d="M0 20q60 14 120 0" stroke="#c9c2a5" fill="none"/>' +
      '<circle cx="20" cy="25" r="5" fill="#ffb347"/><circle cx="45" cy="29" r="5" fill="#ff6f61"/>' +
      '<circle cx="75" cy="29" r="5" fill="#ffd867"/><circle cx="100" cy="25" r="5" fill="#ffb347"/>' +
      '<path d="M8 60l14-12 14 12zM46 60l14-12 14 12zM84 60l14-12 14 12z" fill="#d9534f"/>' +
      '<rect x="10" y="60" width="24" height="20" fill="#8a5a3b"/><rect x="48" y="60" width="24" height="20" fill="#8a5a3b"/>' +
      '<rect x="86" y="60" width="24" height="20" fill="#8a5a3b"/>',
  ),
  // The council chamber's columns.
  'budget-vote': svg(
    '<rect width="120" height="90" fill="#e9e4d8"/><path d="M20 30L60 10l40 20z" fill="#8d8577"/>' +
      '<rect x="20" y="30" width="80" height="5" fill="#b3ab9b"/>' +
      '<rect x="28" y="37" width="7" height="36" fill="#fff"/><rect x="46" y="37" width="7" height="36" fill="#fff"/>' +
      '<rect x="67" y="37" width="7" height="36" fill="#fff"/><rect x="85" y="37" width="7" height="36" fill="#fff"/>' +
      '<rect x="16" y="73" width="88" height="6" fill="#b3ab9b"/>',
  ),
  // A ball in the goal's net under floodlights.
  derby: svg(
    '<rect width="120" height="90" fill="#3f8f4a"/><rect y="0" width="120" height="30" fill="#20324a"/>' +
      '<path d="M30 30h60v36H30z" fill="none" stroke="#fff" stroke-width="3"/>' +
      '<path d="M36 36h48M36 44h48M36 52h48M36 60h48M45 30v36M60 30v36M75 30v36" stroke="#fff" stroke-opacity=".5"/>' +
      '<circle cx="66" cy="56" r="7" fill="#fff"/><circle cx="66" cy="56" r="2.5" fill="#222"/>' +
      '<circle cx="12" cy="10" r="4" fill="#fff7c2"/><circle cx="108" cy="10" r="4" fill="#fff7c2"/>',
  ),
  // A terraced house with a heat pump by its wall.
  'heat-pumps': svg(
    '<rect width="120" height="90" fill="#cfe3d4"/><path d="M26 40l30-22 30 22z" fill="#a4493d"/>' +
      '<rect x="30" y="40" width="52" height="38" fill="#efe6d2"/><rect x="38" y="48" width="12" height="12" fill="#7fb2d6"/>' +
      '<rect x="60" y="56" width="12" height="22" fill="#6b4f3b"/><rect x="86" y="60" width="22" height="18" rx="2" fill="#f7f7f7" stroke="#777"/>' +
      '<circle cx="97" cy="69" r="6" fill="none" stroke="#777" stroke-width="2"/><rect y="78" width="120" height="12" fill="#7c9a6d"/>',
  ),
};

const pictureName = (article: DemoArticle): string => article.slug || 'front';

/** A demo picture's SVG by its file name (`front.svg`, `derby.svg`…), if there is one. */
export const demoPicture = (file: string): string | undefined =>
  file.endsWith('.svg') ? PICTURES[file.slice(0, -'.svg'.length)] : undefined;

/** The path of an article's picture on whichever origin serves the demo. */
export const demoPicturePath = (article: DemoArticle): string => `/demo/pictures/${pictureName(article)}.svg`;

// The dashboard's one script, loaded with `defer` by every page: it only
// enhances pages that work without it (links and plain forms), and reads its
// data from JSON blocks and the dashboard's JSON endpoints, never from inline
// code, so that the page's CSP can be `script-src 'self'`.
import 'uplot/dist/uPlot.min.css';
import './dashboard.css';
import { drawCharts } from './charts';
import { enableCopyButtons } from './copy';
import { enableLivePanel } from './live';

document.documentElement.classList.add('js');

// Selects submit their form as soon as they change; the button is for browsers without this script.
for (const form of document.querySelectorAll('form[data-autosubmit]')) {
  form.addEventListener('change', () => {
    if (form instanceof HTMLFormElement) form.requestSubmit();
  });
}

drawCharts();
enableCopyButtons();
enableLivePanel();

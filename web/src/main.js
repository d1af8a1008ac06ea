import { setToken, whenUnauthorized, get } from './api.js';
import { generatePage } from './pages/generate.js';
import { jobsPage } from './pages/jobs.js';
import { dataPage } from './pages/data.js';
import { trainPage } from './pages/train.js';
import { evaluatePage } from './pages/evaluate.js';

const pages = { generate: generatePage, train: trainPage, jobs: jobsPage, data: dataPage, evaluate: evaluatePage };
let leave = () => {};

async function route() {
  const name = (location.hash.replace(/^#\//, '') || 'generate').split('/')[0];
  const page = pages[name] || generatePage;
  leave();
  const main = document.getElementById('page');
  main.replaceChildren();
  for (const a of document.querySelectorAll('nav a')) {
    a.toggleAttribute('aria-current', a.dataset.page === name);
  }
  leave = (await page(main)) || (() => {});
}

whenUnauthorized(() => {
  const dialog = document.getElementById('token-dialog');
  if (!dialog.open) dialog.showModal();
});
document.getElementById('token-form').addEventListener('submit', () => {
  setToken(document.getElementById('token-input').value.trim());
  route();
});

window.addEventListener('hashchange', route);
get('/api/health')
  .then((h) => { document.getElementById('status').textContent = `${h.version} · queue ${h.queue.waiting}/${h.queue.capacity}`; })
  .catch(() => {});
route();

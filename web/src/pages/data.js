import { get, post, events } from '../api.js';
import { h, field, showError } from '../dom.js';

export async function dataPage(main) {
  const [{ datasets }, caps] = await Promise.all([get('/api/datasets'), get('/api/capabilities')]);
  const dataset = h('select', { name: 'dataset' }, datasets.map((d) => h('option', { value: d.name, text: d.name })));
  const out = h('div.data-result', { id: 'data-result', 'aria-live': 'polite' });
  const error = h('p.error', { role: 'alert' });
  const stops = [];
  const run = (path) => async () => {
    try {
      const job = await post(path, { dataset: dataset.value });
      out.textContent = 'working…';
      stops.push(events(`/api/jobs/${job.id}/events`, (name, data) => {
        if (name === 'state' && data.state === 'done') out.replaceChildren(renderResult(data.result));
        if (name === 'state' && data.state === 'failed') out.textContent = data.error;
      }));
    } catch (e) {
      showError(form, error, e);
    }
  };
  const form = h('form', { onsubmit: (e) => e.preventDefault() }, field('Dataset', dataset, 'PanCap-format folders under <home>/datasets'),
    h('div.actions', {}, h('button', { type: 'button', onclick: run('/api/data/stats'), text: 'Statistics' }),
      h('button', { type: 'button', onclick: run('/api/data/validate'), text: 'Validate' })), error);
  main.append(h('section', { 'aria-labelledby': 'data-title' }, h('h2', { id: 'data-title', text: 'Data' }),
    datasets.length ? form : h('p', { text: 'No datasets yet: put PanCap-format folders (panoptic.json, images/, panoptic/, captions/) under <home>/datasets, e.g. with studio world.' }),
    out,
    h('p.note', {}, caps.train ? h('a', { href: '#/train', text: 'Fine-tune on a dataset' }) : 'This build can inspect and validate datasets.')));
  return () => stops.forEach((s) => s());
}

/** A finished stats or validate job's result: the statistics table or the violations. */
export function renderResult(r) {
  if ('violationCount' in r) {
    return h('div', {}, h('p', { text: r.ok ? `${r.dataset}: no violations` : `${r.dataset}: ${r.violationCount} violations` }),
      h('ul', {}, r.violations.map((v) => h('li', { text: `${v.file}${v.line ? ':' + v.line : ''}: ${v.message}` }))));
  }
  const rows = [['Images', r.images], ['Captions', r.captions], ['Words per caption', r.wordsPerCaption.toFixed(1)],
    ['Masks per image', r.masksPerImage.toFixed(2)], ['Things per image', r.thingsPerImage.toFixed(2)], ['Stuff per image', r.stuffPerImage.toFixed(2)]];
  return h('table.stats', {}, h('tbody', {}, rows.map(([k, v]) => h('tr', {}, h('th', { scope: 'row', text: k }), h('td', { text: String(v) })))));
}

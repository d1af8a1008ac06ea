// Train: pick and check a dataset, pick a preset, edit a few overrides, launch; then the run live (loss and
// learning-rate charts drawn by uPlot, images/s, ETA, validation grids by step), stop and resume, and the runs list.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { get, post, events, imageSrc } from '../api.js';
import { h, field, fmtSeconds, fmtTime, showError } from '../dom.js';
import { renderResult } from './data.js';

const ACTIVE = ['queued', 'running'];
const TERMINAL = ['done', 'failed', 'cancelled', 'interrupted'];
/** The overrides the form edits: request key, label, input attributes, the preset's value it starts from. */
const OVERRIDES = [
  { key: 'steps', label: 'Steps', attrs: { type: 'number', min: 1, max: 1000000, step: 1 }, from: (p) => p.steps },
  { key: 'optimizer.lr', label: 'Learning rate', attrs: { type: 'number', min: 0, step: 'any' }, from: (p) => p.lr },
  { key: 'lora.rank', label: 'LoRA rank', attrs: { type: 'number', min: 1, max: 256, step: 1 }, from: (p) => p.rank },
  { key: 'validation.every', label: 'Validation every', attrs: { type: 'number', min: 0, step: 1 }, from: (p) => p.validationEvery },
];
const CAPTIONS = [['long', 'long (grounded caption)'], ['short', 'short caption'], ['mix', 'mix of both']];

export async function trainPage(main) {
  const [{ datasets }, { presets }] = await Promise.all([get('/api/datasets'), get('/api/train/presets')]);
  const stops = [];
  const form = buildForm(datasets, presets);
  const runsBody = h('tbody');
  const runPanel = h('section.run', { id: 'run', 'aria-labelledby': 'run-title' });
  main.append(h('div.train', {},
    h('div', {},
      h('section', { 'aria-labelledby': 'train-title' }, h('h2', { id: 'train-title', text: 'Fine-tune' }), form.el),
      h('section', { 'aria-labelledby': 'runs-title' }, h('h2', { id: 'runs-title', text: 'Runs' }),
        h('table.runs', { id: 'runs' }, h('thead', {}, h('tr', {}, ['Run', 'State', 'Step', 'Loss', 'Created', ''].map((t) => h('th', { text: t })))), runsBody))),
    runPanel));

  let current = null; // the run shown: { id, view, stop }
  const refreshRuns = async () => {
    const { runs } = await get('/api/train/runs');
    runsBody.replaceChildren(...runs.map((r) => h('tr', { class: r.state, 'data-run': r.id },
      h('td', { text: r.name }), h('td', { text: stateText(r.state) }), h('td', { text: r.steps ? `${r.step}/${r.steps}` : '' }),
      h('td', { text: r.lastLoss === null ? '–' : r.lastLoss.toFixed(4) }), h('td', { text: fmtTime(r.createdMs) }),
      h('td', {}, h('button', { type: 'button', text: 'Open', 'aria-label': `open run ${r.name}`, onclick: () => show(r.id) })))));
    if (!runs.length) runsBody.replaceChildren(h('tr', {}, h('td', { colspan: 6, text: 'No runs yet.' })));
  };
  const show = async (id) => {
    if (current) current.stop();
    history.replaceState(null, '', `#/train/${id}`);
    current = await showRun(runPanel, id, refreshRuns);
  };

  form.el.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const job = await post('/api/train', form.request());
      form.error.textContent = '';
      await show(job.runId);
      refreshRuns();
    } catch (e) {
      showError(form.el, form.error, e);
    }
  });
  stops.push(events('/api/events', (name, data) => {
    if (name === 'state' && data.kind === 'train') refreshRuns();
  }));

  await refreshRuns();
  const wanted = location.hash.split('/')[2];
  if (wanted) await show(wanted).catch(() => runPanel.replaceChildren(h('p.error', { text: `no run ${wanted}` })));
  else runPanel.append(h('h2', { id: 'run-title', text: 'Run' }), h('p.note', { text: 'Launch a run or open one from the list.' }));
  return () => {
    stops.forEach((s) => s());
    if (current) current.stop();
  };
}

function stateText(state) {
  return state === 'cancelled' ? 'stopped' : state;
}

function buildForm(datasets, presets) {
  const dataset = h('select', { name: 'dataset', required: true }, datasets.map((d) => h('option', { value: d.name, text: d.name })));
  const check = h('div.data-result', { id: 'dataset-check', 'aria-live': 'polite' });
  const checkButton = h('button.secondary', { type: 'button', text: 'Check dataset', onclick: () => checkDataset(dataset.value, check) });
  const usable = presets.filter((p) => !p.problem);
  const preset = h('select', { name: 'preset', required: true }, presets.map((p) => h('option', {
    value: p.name, disabled: !!p.problem, selected: p.name === 'lora-tiny', text: p.problem ? `${p.name} (unavailable)` : p.name,
  })));
  const presetInfo = h('small', { id: 'preset-info' });
  const inputs = OVERRIDES.map((o) => ({ ...o, input: h('input', { name: `set.${o.key}`, ...o.attrs }) }));
  const caption = h('select', { name: 'set.data.caption' }, CAPTIONS.map(([v, t]) => h('option', { value: v, text: t })));
  const more = h('textarea', { name: 'set', rows: 4, spellcheck: 'false', placeholder: 'batch_size=2\ndata.resolution=32' });
  const name = h('input', { name: 'name', type: 'text', maxlength: 120, placeholder: 'preset on dataset' });
  const error = h('p.error', { role: 'alert' });
  const chosen = () => presets.find((p) => p.name === preset.value);
  const fillFromPreset = () => {
    const p = chosen();
    if (!p || p.problem) {
      presetInfo.textContent = p ? p.problem : '';
      return;
    }
    presetInfo.textContent = `${p.task} · ${p.model} · batch ${p.batchSize} · ${p.resolution} px`;
    for (const o of inputs) o.input.value = o.from(p);
    caption.value = p.caption;
    inputs.find((o) => o.key === 'lora.rank').input.disabled = p.task !== 'lora';
  };
  preset.addEventListener('change', fillFromPreset);
  fillFromPreset();

  const el = h('form', { id: 'train-form', novalidate: true },
    h('div.with-button', {}, field('Dataset', dataset, 'Folders under <home>/datasets'), checkButton), check,
    field('Preset', preset), presetInfo,
    h('fieldset', {}, h('legend', { text: 'Overrides' }),
      h('div.row', {}, ...inputs.map((o) => field(o.label, o.input))),
      field('Caption', caption),
      field('More overrides', more, 'key=value per line, as studio train --set (e.g. batch_size=2)')),
    field('Run name', name),
    h('div.actions', {}, h('button', { type: 'submit', text: 'Launch' })), error);
  if (!datasets.length) {
    el.prepend(h('p.note', { text: 'No datasets yet: put PanCap-format folders under <home>/datasets (e.g. studio world --out <home>/datasets/world).' }));
  }
  if (!usable.length) el.prepend(h('p.note', { text: 'No usable preset in configs/train.' }));

  const request = () => {
    const p = chosen();
    const set = {};
    for (const o of inputs) {
      if (o.input.disabled || o.input.value === '') continue;
      const v = Number(o.input.value);
      if (p && v === o.from(p)) continue; // only what differs from the preset
      set[o.key] = v;
    }
    if (p && caption.value !== p.caption) set['data.caption'] = caption.value;
    for (const line of more.value.split('\n')) {
      const t = line.trim();
      if (!t) continue;
      const eq = t.indexOf('=');
      if (eq <= 0) throw Object.assign(new Error(`"${t}": expected key=value`), { field: 'set' });
      set[t.slice(0, eq).trim()] = parseValue(t.slice(eq + 1).trim());
    }
    const r = { preset: preset.value, dataset: dataset.value, set };
    if (name.value.trim()) r.name = name.value.trim();
    return r;
  };
  return { el, error, request };
}

/** As studio train --set: JSON when it parses (3, true, [0, 1]), else a string. */
function parseValue(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Statistics and validation of a dataset (the jobs studio data stats / validate run), shown together. */
async function checkDataset(name, box) {
  box.textContent = `checking ${name}…`;
  try {
    const results = [];
    for (const path of ['/api/data/stats', '/api/data/validate']) {
      const job = await post(path, { dataset: name });
      results.push(await new Promise((done) => {
        const stop = events(`/api/jobs/${job.id}/events`, (ev, data) => {
          if (ev === 'state' && TERMINAL.includes(data.state)) {
            stop();
            done(data);
          }
        });
      }));
    }
    box.replaceChildren(...results.map((j) => (j.state === 'done' ? renderResult(j.result) : h('p.error', { text: j.error }))));
  } catch (e) {
    box.replaceChildren(h('p.error', { text: e.message }));
  }
}

/** A uPlot line chart of one metric against the step; data-points tells how many points it holds. */
function lineChart(container, label, color, format) {
  const el = h('div.chart', { id: `${label.toLowerCase().replace(/\W+/g, '-')}-chart`, 'data-points': 0, role: 'img', 'aria-label': `${label} by step` });
  container.append(h('figure', {}, el)); // uPlot's legend names the series and shows the value under the cursor
  const xs = [];
  const ys = [];
  const width = () => Math.max(280, Math.floor(el.getBoundingClientRect().width || 520));
  const plot = new uPlot({
    width: width(),
    height: 180,
    scales: { x: { time: false } },
    series: [{ label: 'step' }, { label, stroke: color, width: 1.5, value: (u, v) => (v === null || v === undefined ? '–' : format(v)) }],
    axes: [{ label: 'step' }, { size: 64, values: (u, vals) => vals.map(format) }],
    legend: { show: true },
  }, [xs, ys], el);
  const redraw = () => {
    plot.setData([xs, ys]);
    el.dataset.points = xs.length;
  };
  const onResize = () => plot.setSize({ width: width(), height: 180 });
  window.addEventListener('resize', onResize);
  return {
    /** Replaces the data with [step, value] pairs. */
    load(points) {
      xs.length = 0;
      ys.length = 0;
      for (const [x, y] of points) { xs.push(x); ys.push(y); }
      redraw();
    },
    add(x, y) {
      if (y === null || y === undefined) return;
      const last = xs.length ? xs[xs.length - 1] : -Infinity;
      if (x <= last) { // a resumed run repeats steps after its checkpoint: drop what it replaces
        while (xs.length && xs[xs.length - 1] >= x) { xs.pop(); ys.pop(); }
      }
      xs.push(x);
      ys.push(y);
      redraw();
    },
    destroy() {
      window.removeEventListener('resize', onResize);
      plot.destroy();
    },
  };
}

/** Shows run `id` in `panel`, live while it runs; returns { stop } to end its streams. */
async function showRun(panel, id, onChange) {
  let run = await get(`/api/train/runs/${id}`);
  let stopEvents = () => {};
  const title = h('h2', { id: 'run-title', tabindex: -1, text: run.name });
  const state = h('span.state', { id: 'run-state' });
  const bar = h('progress', { id: 'run-progress', max: 1, value: 0, 'aria-label': 'run progress' });
  const stats = {};
  const statList = h('dl.stats', { id: 'run-stats' }, ...['Step', 'Loss', 'LR', 'Images/s', 'ETA'].flatMap((k) => {
    stats[k] = h('dd', { text: '–' });
    return [h('dt', { text: k }), stats[k]];
  }));
  const stopButton = h('button', { type: 'button', text: 'Stop', onclick: () => post(`/api/train/${run.id}/stop`).catch(fail) });
  const resumeButton = h('button', { type: 'button', text: 'Resume', onclick: resume });
  const error = h('p.error', { role: 'alert' });
  const charts = h('div.charts');
  const validation = h('div.validation', { id: 'validation', 'aria-live': 'polite' });
  const details = h('div.details');
  panel.replaceChildren(title, h('p.run-state', {}, state, ' ', bar), statList,
    h('div.actions', {}, stopButton, resumeButton), error,
    h('h3', { text: 'Loss and learning rate' }), charts,
    h('h3', { text: 'Validation images by step' }), validation, details);
  const loss = lineChart(charts, 'Loss', '#c0392b', (v) => v.toPrecision(3));
  const lr = lineChart(charts, 'Learning rate', '#2f5fd0', (v) => v.toExponential(1));
  const shownSteps = new Set();

  function fail(e) {
    error.textContent = e.message;
  }

  async function resume() {
    try {
      await post(`/api/train/${run.id}/resume`, {});
      error.textContent = '';
      await reload();
    } catch (e) {
      fail(e);
    }
  }

  function renderState() {
    state.className = `state ${run.state}`;
    state.textContent = stateText(run.state) + (run.error && run.state !== 'cancelled' ? `: ${run.error}` : '');
    bar.max = run.steps || 1;
    bar.value = run.step;
    stats.Step.textContent = run.steps ? `${run.step} / ${run.steps}` : '–';
    stopButton.disabled = !ACTIVE.includes(run.state);
    resumeButton.disabled = !run.resumable;
  }

  async function addValidation(step, gridUrl) {
    if (!gridUrl || shownSteps.has(step)) return;
    shownSteps.add(step);
    const img = h('img', { alt: `validation images at step ${step}`, 'data-step': step });
    const fig = h('figure.card', { 'data-step': step }, img, h('figcaption', { text: `step ${step}` }));
    const after = [...validation.children].find((c) => Number(c.dataset.step) > step);
    validation.insertBefore(fig, after || null);
    img.src = await imageSrc(gridUrl);
  }

  function renderDetails() {
    details.replaceChildren(
      h('h3', { text: 'Checkpoints' }),
      run.checkpoints.length
        ? h('ul.checkpoints', {}, run.checkpoints.map((c) => h('li', { text: `${c.name} (${(c.bytes / 1024).toFixed(0)} KiB)` })))
        : h('p.note', { text: 'none yet' }),
      run.weights ? h('p', { text: `Final weights: ${run.weights.name} (${(run.weights.bytes / 1024).toFixed(0)} KiB) in runs/${run.id}/` }) : null,
      h('details', {}, h('summary', { text: 'Resolved config' }), h('pre.config', { text: JSON.stringify(run.config, null, 2) })));
  }

  async function reload() {
    stopEvents();
    run = await get(`/api/train/runs/${id}`);
    title.textContent = run.name;
    renderState();
    loss.load(run.metrics.loss || []);
    lr.load(run.metrics.lr || []);
    const last = (run.metrics.images_per_s || []).at(-1);
    stats['Images/s'].textContent = last ? last[1].toFixed(1) : '–';
    const lastLoss = (run.metrics.loss || []).at(-1);
    stats.Loss.textContent = lastLoss ? lastLoss[1].toFixed(4) : '–';
    const lastLr = (run.metrics.lr || []).at(-1);
    stats.LR.textContent = lastLr ? lastLr[1].toExponential(2) : '–';
    stats.ETA.textContent = '–';
    for (const v of run.validation) await addValidation(v.step, v.grid);
    renderDetails();
    if (ACTIVE.includes(run.state)) stopEvents = follow();
    onChange();
  }

  function follow() {
    return events(`/api/jobs/${run.jobId}/events`, (name, data) => {
      if (name === 'progress') {
        run.step = data.step;
        run.steps = data.steps;
        renderState();
        loss.add(data.step, data.loss);
        lr.add(data.step, data.lr);
        if (data.loss !== null && data.loss !== undefined) stats.Loss.textContent = data.loss.toFixed(4);
        if (data.lr !== null && data.lr !== undefined) stats.LR.textContent = data.lr.toExponential(2);
        if (data.imagesPerS) stats['Images/s'].textContent = data.imagesPerS.toFixed(1);
        stats.ETA.textContent = fmtSeconds(data.etaSeconds);
      } else if (name === 'preview') {
        const m = /step-(\d+)\//.exec(data.url);
        if (m) addValidation(Number(m[1]), data.url);
      } else if (name === 'state') {
        run.state = data.state;
        run.error = data.error;
        renderState();
        if (TERMINAL.includes(data.state)) reload();
      }
    });
  }

  await reload();
  title.focus();
  return {
    stop() {
      stopEvents();
      loss.destroy();
      lr.destroy();
    },
  };
}

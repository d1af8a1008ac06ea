// Evaluate: launch GenEval / FID / CLIPScore on a model with LoRAs, follow it live (images done of total, the task
// being generated, ETA), the runs list, one run's per-task table with a uPlot bar chart and its wrong images, and two
// GenEval runs side by side (A, B and B − A per task, overall first; the numbers of studio eval compare).
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { get, post, events, imageSrc } from '../api.js';
import { h, field, fmtSeconds, fmtTime, showError } from '../dom.js';

const ACTIVE = ['queued', 'running'];
const KINDS = [['geneval', 'GenEval (per-task scores)'], ['fid', 'FID (Fréchet distance to real images)'], ['clipscore', 'CLIPScore']];

export async function evaluatePage(main) {
  const [{ models, default: defaultModel }, { loras }, { prompts }, { datasets }] = await Promise.all([
    get('/api/models'), get('/api/loras'), get('/api/evaluate/prompts'), get('/api/datasets')]);
  const form = buildForm(models, defaultModel, loras, prompts, datasets);
  const runsBody = h('tbody');
  const pickA = h('select', { name: 'a', id: 'compare-a' });
  const pickB = h('select', { name: 'b', id: 'compare-b' });
  const compareError = h('p.error', { role: 'alert' });
  const compareForm = h('form', { id: 'compare-form' },
    h('div.row', {}, field('Run A (baseline)', pickA), field('Run B', pickB)),
    h('div.actions', {}, h('button', { type: 'submit', text: 'Compare' })), compareError);
  const panel = h('section.run', { id: 'evaluation', 'aria-labelledby': 'evaluation-title', tabindex: '-1' });
  main.append(h('div.train', {},
    h('div', {},
      h('section', { 'aria-labelledby': 'eval-title' }, h('h2', { id: 'eval-title', text: 'Evaluate' }), form.el),
      h('section', { 'aria-labelledby': 'evals-title' }, h('h2', { id: 'evals-title', text: 'Evaluations' }),
        h('table.runs', { id: 'evaluations' }, h('thead', {}, h('tr', {},
          ['Evaluation', 'State', 'Images', 'Score', 'Created', ''].map((t) => h('th', { text: t })))), runsBody)),
      h('section', { 'aria-labelledby': 'compare-title' }, h('h2', { id: 'compare-title', text: 'Compare two GenEval runs' }),
        compareForm)),
    panel));

  let current = null; // { stop }
  const stopCurrent = () => { if (current) current.stop(); current = null; };
  const refresh = async () => {
    const { evaluations } = await get('/api/evaluations');
    runsBody.replaceChildren(...evaluations.map((e) => h('tr', { class: e.state, 'data-evaluation': e.id },
      h('td', { text: e.name }), h('td', { text: e.state }), h('td', { text: e.steps ? `${e.step}/${e.steps}` : '' }),
      h('td', { text: fmtScore(e.kind, e.score) }), h('td', { text: fmtTime(e.createdMs) }),
      h('td', {}, h('button', { type: 'button', text: 'Open', 'aria-label': `open evaluation ${e.name}`, onclick: () => show(e.id) })))));
    if (!evaluations.length) runsBody.replaceChildren(h('tr', {}, h('td', { colspan: 6, text: 'No evaluations yet.' })));
    const finished = evaluations.filter((e) => e.kind === 'geneval' && e.state === 'done');
    for (const [select, index] of [[pickA, 1], [pickB, 0]]) {
      const was = select.value;
      select.replaceChildren(...finished.map((e) => h('option', { value: e.id, text: `${e.name} (${fmtTime(e.createdMs)})` })));
      if (finished.some((e) => e.id === was)) select.value = was;
      else if (finished[index]) select.value = finished[index].id;
    }
    if (pickA.value === pickB.value && finished.length > 1) { // newest as B, the one before it as A
      pickB.value = finished[0].id;
      pickA.value = finished[1].id;
    }
  };
  const show = async (id) => {
    stopCurrent();
    history.replaceState(null, '', `#/evaluate/${id}`);
    current = await showEvaluation(panel, id, refresh);
  };
  const compare = async (a, b) => {
    stopCurrent();
    history.replaceState(null, '', `#/evaluate/compare/${a}/${b}`);
    await showComparison(panel, a, b);
  };

  form.el.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const job = await post('/api/evaluate', form.request());
      form.error.textContent = '';
      await refresh();
      await show(job.evaluationId);
    } catch (e) {
      showError(form.el, form.error, e);
    }
  });
  compareForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!pickA.value || !pickB.value) {
      compareError.textContent = 'Two finished GenEval runs are needed.';
      return;
    }
    compareError.textContent = '';
    try {
      await compare(pickA.value, pickB.value);
    } catch (e) {
      compareError.textContent = e.message;
    }
  });
  const stopAll = events('/api/events', (name, data) => {
    if (name === 'state' && data.kind === 'evaluate') refresh();
  });

  await refresh();
  const parts = location.hash.split('/');
  if (parts[2] === 'compare' && parts[3] && parts[4]) await compare(parts[3], parts[4]).catch((e) => panel.replaceChildren(h('p.error', { text: e.message })));
  else if (parts[2]) await show(parts[2]).catch(() => panel.replaceChildren(h('p.error', { text: `no evaluation ${parts[2]}` })));
  else panel.append(h('h2', { id: 'evaluation-title', text: 'Evaluation' }), h('p.note', { text: 'Launch an evaluation, open one from the list, or compare two.' }));
  return () => {
    stopAll();
    stopCurrent();
  };
}

function fmtScore(kind, score) {
  if (score === null || score === undefined) return '–';
  return kind === 'fid' ? `FD ${score.toFixed(2)}` : kind === 'clipscore' ? score.toFixed(2) : score.toFixed(3);
}

function buildForm(models, defaultModel, loras, prompts, datasets) {
  const kind = h('select', { name: 'kind' }, KINDS.map(([v, t]) => h('option', { value: v, text: t })));
  const model = h('select', { name: 'model' }, models.map((m) => h('option', { value: m.name, text: m.name, selected: m.name === defaultModel })));
  const lora = h('select', { name: 'lora' }, h('option', { value: '', text: '(none)' }), loras.map((l) => h('option', { value: l.name, text: l.name })));
  const scale = h('input', { name: 'lora[0].scale', type: 'number', min: -4, max: 4, step: 0.05, value: 1 });
  const promptFile = h('select', { name: 'prompts', required: true }, prompts.map((p) => h('option', { value: p, text: p })));
  const perPrompt = h('input', { name: 'images_per_prompt', type: 'number', min: 1, max: 64, value: 4 });
  const steps = h('input', { name: 'steps', type: 'number', min: 1, max: 200, value: 28 });
  const limit = h('input', { name: 'limit', type: 'number', min: 1, placeholder: 'all' });
  const guidance = h('input', { name: 'guidance', type: 'number', min: 0, max: 30, step: 0.5, value: 7 });
  // 128: the length pancap-tiny's MMDiT was trained with; 256 is diffusers' (and eval geneval's) default
  const t5 = h('select', { name: 't5_length' }, [77, 128, 154, 256, 512].map((n) => h('option', { value: n, selected: n === 256, text: `${n} tokens` })));
  // eval geneval --clip-text: the tower whose colour prompts are matched against the image tower
  const clipText = h('select', { name: 'clip_text' }, [['text_encoder', 'text_encoder (CLIP-L-class)'], ['text_encoder_2', 'text_encoder_2 (bigG-class)']]
    .map(([v, t]) => h('option', { value: v, text: t })));
  const detector = h('input', { name: 'detector', type: 'text', value: 'world', spellcheck: 'false' });
  const real = h('select', { name: 'real' }, datasets.map((d) => h('option', { value: `${d.name}/images`, text: `${d.name}/images` })));
  const features = h('input', { name: 'features', type: 'text', value: 'tiny-clip', spellcheck: 'false' });
  const name = h('input', { name: 'name', type: 'text', maxlength: 120, placeholder: 'kind · model' });
  const error = h('p.error', { role: 'alert' });
  const genevalOnly = h('div', {}, field('Detector', detector, 'world (tiny PanCaper), oracle:DATASET or detections:FILE'),
    field('CLIP text tower', clipText, 'colour clauses: zero-shot CLIP of the model\'s image_encoder/ (else pancap-tiny\'s)'));
  const fidOnly = field('Real images', real, 'a folder under <home>/datasets');
  const featuresField = field('Features', features, 'FID: tiny-clip, inception, dinov2, clip; CLIPScore: tiny-clip or a CLIP folder');
  const sync = () => {
    genevalOnly.hidden = kind.value !== 'geneval';
    fidOnly.hidden = kind.value !== 'fid';
    featuresField.hidden = kind.value === 'geneval';
    scale.disabled = !lora.value;
  };
  kind.addEventListener('change', sync);
  lora.addEventListener('change', sync);
  sync();
  const el = h('form', { id: 'evaluate-form', novalidate: true },
    field('Benchmark', kind),
    field('Model', model),
    h('div.row', {}, field('LoRA', lora), field('LoRA scale', scale)),
    field('Prompt file', promptFile, 'GenEval metadata under <home>/datasets (a world folder: its own prompts)'),
    h('div.row', {}, field('Images per prompt', perPrompt), field('Steps', steps), field('Prompt limit', limit)),
    h('div.row', {}, field('Guidance', guidance), field('T5 length', t5)),
    genevalOnly, fidOnly, featuresField,
    field('Name', name),
    h('div.actions', {}, h('button', { type: 'submit', text: 'Launch evaluation' })), error);
  if (!prompts.length) el.prepend(h('p.note', { text: 'No prompt files: put a GenEval .jsonl under <home>/datasets or make a world there (studio world).' }));
  const request = () => {
    const r = { kind: kind.value, model: model.value, prompts: promptFile.value,
      images_per_prompt: Number(perPrompt.value), steps: Number(steps.value),
      t5_length: Number(t5.value) };
    if (guidance.value !== '') r.guidance = Number(guidance.value);
    if (limit.value) r.limit = Number(limit.value);
    if (lora.value) r.lora = [{ path: lora.value, scale: Number(scale.value) }];
    if (kind.value === 'geneval' && detector.value.trim()) r.detector = detector.value.trim();
    if (kind.value === 'geneval') r.clip_text = clipText.value;
    if (kind.value === 'fid') r.real = real.value;
    if (kind.value !== 'geneval' && features.value.trim()) r.features = features.value.trim();
    if (name.value.trim()) r.name = name.value.trim();
    return r;
  };
  return { el, error, request };
}

async function showEvaluation(panel, id, onChange) {
  let e = await get(`/api/evaluations/${id}`);
  const title = h('h2', { id: 'evaluation-title', tabindex: '-1', text: e.name });
  const state = h('p.run-state', { 'aria-live': 'polite' });
  const body = h('div');
  const cancel = h('button.secondary', { type: 'button', text: 'Cancel', onclick: async () => {
    await post(`/api/evaluations/${id}/cancel`).catch(() => {});
  } });
  panel.replaceChildren(title, state, h('div.actions', {}, cancel), body);
  title.focus();
  let live = {};
  const renderState = () => {
    cancel.hidden = !ACTIVE.includes(e.state);
    const bits = [h('span', { class: `state ${e.state}`, text: e.state })];
    if (e.steps) bits.push(' · ', h('progress', { max: e.steps, value: e.step, 'aria-label': 'images generated' }), ` ${e.step}/${e.steps} images`);
    if (live.task) bits.push(` · ${live.task}`);
    if (live.phase === 'scoring') bits.push(' · scoring');
    if (ACTIVE.includes(e.state) && live.etaSeconds !== undefined) bits.push(` · ETA ${fmtSeconds(live.etaSeconds)}`);
    if (e.error) bits.push(h('span.error', { text: ` ${e.error}` }));
    state.replaceChildren(...bits);
  };
  const render = () => {
    renderState();
    body.replaceChildren(...(e.summary ? result(e) : [h('p.note', { text: 'Results appear when the run finishes.' })]));
  };
  render();
  let stop = () => {};
  if (ACTIVE.includes(e.state)) {
    stop = events(e.eventsUrl, async (name, data) => {
      if (name === 'progress') {
        live = data;
        e.step = data.step;
        e.steps = data.steps;
        renderState();
      } else if (name === 'state') {
        e.state = data.state;
        if (!ACTIVE.includes(data.state)) {
          e = await get(`/api/evaluations/${id}`);
          render();
          onChange();
        } else renderState();
      }
    });
  }
  return { stop: () => stop() };
}

/** One finished run: the headline, GenEval's per-task table and bar chart and wrong images, or the FID / CLIPScore numbers. */
function result(e) {
  const s = e.summary;
  const out = [];
  if (e.kind === 'geneval') {
    out.push(h('p', {}, h('strong', { text: `Overall ${s.overall.toFixed(3)}` }),
      ` · ${s.images} images, ${s.prompts} prompts · correct images ${(100 * s.correct_images).toFixed(1)} %`));
    out.push(h('table.tasks', { id: 'task-table' }, h('thead', {}, h('tr', {}, ['Task', 'Score', 'Correct', 'Images'].map((t) => h('th', { text: t })))),
      h('tbody', {}, s.tasks.map((t) => h('tr', {}, h('td', { text: t.tag }), h('td.num', { text: t.score.toFixed(3) }),
        h('td.num', { text: t.correct }), h('td.num', { text: t.images }))))));
    const chart = h('div.chart');
    out.push(h('figure', {}, chart, h('figcaption', { text: 'Score per task' })));
    requestAnimationFrame(() => barChart(chart, [s.tasks.map((t) => t.tag)], [{ label: 'score', values: s.tasks.map((t) => t.score), color: '#2f5fd0' }]));
    if (e.reportUrl) out.push(h('p', {}, h('a', { href: e.reportUrl, target: '_blank', rel: 'noopener', text: 'Full report (report.html)' })));
    const failures = Object.entries(e.failures || {}).filter(([, list]) => list.length);
    if (failures.length) {
      out.push(h('h3', { text: 'Wrong images' }));
      for (const [tag, list] of failures) {
        const grid = h('div.validation');
        out.push(h('h4', { text: tag }), grid);
        for (const f of list) {
          const img = h('img', { alt: f.prompt, width: 96, height: 96 });
          imageSrc(f.url).then((src) => { img.src = src; }).catch(() => {});
          grid.append(h('figure.card', {}, img, h('figcaption', { text: `${f.prompt} — ${f.reason}` })));
        }
      }
    }
  } else if (e.kind === 'fid') {
    out.push(h('p', {}, h('strong', { text: `FD ${Number(s.fd).toFixed(3)}` }), ` · ${s.metric} · ${s.n_real} real, ${s.n_fake} generated · ${s.extractor}`));
  } else {
    const c = s.clipscore || {};
    out.push(h('dl.stats', {}, ...Object.entries(c).flatMap(([k, v]) => [h('dt', { text: v.label || k }), h('dd', { text: Number(v.score).toFixed(3) })])));
  }
  out.push(h('details', {}, h('summary', { text: 'Settings' }), h('pre.config', { text: JSON.stringify(e.settings, null, 2) })));
  return out;
}

/** Bars (uPlot's bars path builder): x = task index, one series per run; two runs sit left and right of the tick. */
function barChart(container, [labels], series) {
  const width = Math.max(300, container.clientWidth || 600);
  const n = series.length;
  const data = [labels.map((_, i) => i), ...series.map((s) => s.values.map((v) => (v === null ? null : v)))];
  const plot = new uPlot({
    width, height: 240,
    scales: { x: { time: false, range: [-0.6, labels.length - 0.4] }, y: { range: [0, 1] } },
    axes: [{ values: (u, ticks) => ticks.map((t) => labels[t] ?? ''), splits: () => labels.map((_, i) => i), size: 40 },
      { values: (u, ticks) => ticks.map((t) => t.toFixed(1)) }],
    series: [{ label: 'task', value: (u, v) => labels[v] ?? '' }, ...series.map((s, i) => ({
      label: s.label, stroke: s.color, fill: `${s.color}cc`,
      paths: uPlot.paths.bars({ size: [n === 1 ? 0.6 : 0.35, 80], align: n === 1 ? 0 : (i === 0 ? -1 : 1) }),
      points: { show: false }, value: (u, v) => (v === null || v === undefined ? '–' : v.toFixed(3)),
    }))],
  }, data, container);
  container.dataset.bars = String(labels.length * n);
  return plot;
}

async function showComparison(panel, a, b) {
  const r = await get(`/api/evaluations/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
  const c = r.comparison;
  const title = h('h2', { id: 'evaluation-title', tabindex: '-1', text: `${r.a.name} vs ${r.b.name}` });
  const rows = [c.overall, ...c.tasks];
  const cell = (v) => h('td.num', { text: v === null ? '–' : v.toFixed(3) });
  const delta = (d) => h('td.num', { class: `num delta ${d === null ? '' : d > 0 ? 'up' : d < 0 ? 'down' : 'same'}`,
    text: d === null ? '–' : `${d > 0 ? '+' : d < 0 ? '−' : '±'}${Math.abs(d).toFixed(3)}` });
  const table = h('table.tasks', { id: 'compare-table' },
    h('caption', { text: 'B − A per task: positive (green) when B scores higher' }),
    h('thead', {}, h('tr', {}, h('th', { text: 'Task' }), h('th', { text: `A: ${c.a.label}` }), h('th', { text: `B: ${c.b.label}` }), h('th', { text: 'Δ (B − A)' }))),
    h('tbody', {}, rows.map((row) => h('tr', { class: row.tag === 'overall' ? 'overall' : '' },
      h('td', { text: row.tag }), cell(row.a), cell(row.b), delta(row.delta)))));
  const chart = h('div.chart');
  panel.replaceChildren(title, table,
    c.settings_differ.length ? h('p.note', { text: `Settings that differ: ${c.settings_differ.join(', ')}` }) : null,
    h('figure', {}, chart, h('figcaption', { text: 'Score per task, A and B' })));
  title.focus();
  requestAnimationFrame(() => barChart(chart, [c.tasks.map((t) => t.tag)], [
    { label: 'A', values: c.tasks.map((t) => t.a), color: '#8a94ad' },
    { label: 'B', values: c.tasks.map((t) => t.b), color: '#2f5fd0' }]));
}

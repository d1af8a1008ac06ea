import { get, post, events, imageSrc } from '../api.js';
import { h, field, fmtSeconds, showError } from '../dom.js';

const ENCODER_NAMES = { clip_l: 'CLIP-L', clip_g: 'CLIP-G', t5: 'T5' };

export async function generatePage(main) {
  const [models, loras, datasets] = await Promise.all([get('/api/models'), get('/api/loras'), get('/api/datasets')]);
  const stops = [];
  const form = buildForm(models, loras);
  const tokens = h('div.tokens', { id: 'token-counts', 'aria-live': 'polite' });
  const progress = h('div.progress', { id: 'progress', role: 'status' });
  const gallery = h('div.gallery', { id: 'gallery' });
  const checkPanel = h('section.check', { id: 'check', hidden: true });
  main.append(h('div.generate', {},
    h('section', { 'aria-labelledby': 'gen-title' }, h('h2', { id: 'gen-title', text: 'Generate' }), form.el, tokens, progress),
    h('section', { 'aria-labelledby': 'gal-title' }, h('h2', { id: 'gal-title', text: 'Gallery' }), gallery, checkPanel)));

  const refreshTokens = debounce(() => countTokens(form, tokens), 250);
  for (const input of [form.prompt, form.negative, form.guidance, ...Object.values(form.perEncoder)]) input.addEventListener('input', refreshTokens);
  form.t5.addEventListener('change', refreshTokens);
  form.model.addEventListener('change', refreshTokens);
  refreshTokens();

  const cardFor = (img) => imageCard(img, {
    reproduce: async () => watch(await post(`/api/images/${img.id}/reproduce`)),
    useSettings: () => form.fill(img.params),
    check: () => openCheck(checkPanel, img, datasets.datasets, stops),
  });
  const showImages = async () => {
    const { images } = await get('/api/images?limit=60');
    gallery.replaceChildren(...images.map(cardFor));
  };

  const watch = (job) => {
    // the decoded x̂₀ of the newest previewed step (previewEvery), replaced as the sampler goes on
    const preview = h('img.preview', { id: 'step-preview', hidden: true, alt: '' });
    progress.replaceChildren(h('span', { text: `job ${job.id.slice(0, 8)} queued` }));
    stops.push(events(`/api/jobs/${job.id}/events`, (name, data) => {
      if (name === 'progress') renderProgress(progress, data, preview);
      if (name === 'preview') {
        imageSrc(data.url).then((src) => { preview.src = src; preview.alt = `preview at ${data.caption}`; preview.hidden = false; }).catch(() => {});
      }
      if (name === 'image') gallery.prepend(cardFor(data));
      if (name === 'state' && ['done', 'failed', 'cancelled', 'interrupted'].includes(data.state)) {
        progress.replaceChildren(h('span', { class: `state ${data.state}`, text: `${data.state}${data.error ? ': ' + data.error : ''}` }),
          preview.hidden ? '' : h('figure.preview', {}, preview, h('figcaption', { text: preview.alt })));
      }
    }));
  };

  form.el.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      watch(await post('/api/generate', form.request()));
      form.error.textContent = '';
    } catch (e) {
      showError(form.el, form.error, e);
    }
  });
  await showImages();
  return () => stops.forEach((s) => s());
}

function buildForm(models, loras) {
  const model = h('select', { name: 'model' }, models.models.map((m) => h('option', { value: m.name, selected: m.name === models.default, text: m.name })));
  const prompt = h('textarea', { name: 'prompt', rows: 7, required: true, placeholder: 'A long, detailed prompt…' });
  const negative = h('textarea', { name: 'negative', rows: 2 });
  // diffusers' SD3 prompt_2 (CLIP-G) and prompt_3 (T5), and their negatives; empty = the main text
  const perEncoder = {
    prompt_2: h('textarea', { name: 'prompt_2', rows: 2, placeholder: 'same as the prompt' }),
    prompt_3: h('textarea', { name: 'prompt_3', rows: 3, placeholder: 'same as the prompt' }),
    negative_2: h('textarea', { name: 'negative_2', rows: 1, placeholder: 'same as the negative prompt' }),
    negative_3: h('textarea', { name: 'negative_3', rows: 1, placeholder: 'same as the negative prompt' }),
  };
  const perEncoderBox = h('details', { id: 'per-encoder' }, h('summary', { text: 'Per-encoder prompts' }),
    field('Prompt for CLIP-G (prompt_2)', perEncoder.prompt_2),
    field('Prompt for T5 (prompt_3)', perEncoder.prompt_3),
    field('Negative for CLIP-G (negative_2)', perEncoder.negative_2),
    field('Negative for T5 (negative_3)', perEncoder.negative_3));
  const seed = h('input', { name: 'seed', type: 'number', min: 0, placeholder: 'random' });
  const steps = h('input', { name: 'steps', type: 'number', min: 1, max: 200, value: 28 });
  const guidance = h('input', { name: 'guidance', type: 'number', min: 0, max: 30, step: 0.5, value: 7 });
  const width = h('input', { name: 'width', type: 'number', min: 16, max: 2048, step: 16, placeholder: 'native' });
  const height = h('input', { name: 'height', type: 'number', min: 16, max: 2048, step: 16, placeholder: 'native' });
  const batch = h('input', { name: 'batch', type: 'number', min: 1, max: 8, value: 1 });
  const sampler = h('select', { name: 'sampler' }, ['euler', 'heun', 'dpmpp2m'].map((s) => h('option', { value: s, text: s })));
  const previewEvery = h('input', { name: 'previewEvery', type: 'number', min: 0, max: 200, value: 4 });
  // 128: the length pancap-tiny's MMDiT was trained with (configs/train/README.md); 256 is diffusers' default
  const t5 = h('select', { name: 't5Length' }, [77, 128, 154, 256, 512].map((n) => h('option', { value: n, selected: n === 256, text: `${n} tokens` })));
  const loraRows = loras.loras.map((l) => {
    const use = h('input', { type: 'checkbox', name: 'loras', value: l.name, 'aria-label': `use ${l.name}` });
    const scale = h('input', { type: 'number', min: -4, max: 4, step: 0.05, value: 1, 'aria-label': `scale of ${l.name}` });
    return { name: l.name, use, scale, row: h('div.lora', {}, use, h('span', { text: l.name }), scale) };
  });
  // Empty width/height mean the model's native size (transformer sample_size × VAE factor): say which it is.
  const showNative = () => {
    const m = models.models.find((x) => x.name === model.value);
    const text = m && m.nativeSize ? `native (${m.nativeSize})` : 'native';
    width.placeholder = text; height.placeholder = text;
  };
  model.addEventListener('change', showNative);
  showNative();
  const error = h('p.error', { role: 'alert' });
  const el = h('form', { id: 'generate-form', novalidate: true },
    field('Model', model), field('Prompt', prompt, 'Token counts per encoder update as you type.'),
    field('Negative prompt', negative), perEncoderBox,
    h('div.row', {}, field('Seed', seed), field('Steps', steps), field('Guidance', guidance), field('Batch', batch)),
    h('div.row', {}, field('Width', width), field('Height', height), field('Sampler', sampler), field('T5 length', t5)),
    h('div.row', {}, field('Preview every', previewEvery, 'steps (0: none)')),
    h('fieldset', {}, h('legend', { text: 'LoRAs' }), loraRows.length ? loraRows.map((r) => r.row) : h('p', { text: 'No LoRA files in the LoRA folder.' })),
    h('button', { type: 'submit', id: 'generate-button', text: 'Generate' }), error);
  const num = (input) => (input.value === '' ? undefined : Number(input.value));
  return {
    el, model, prompt, negative, guidance, perEncoder, t5, error,
    texts: () => ({ prompt: prompt.value, negative: negative.value,
      ...Object.fromEntries(Object.entries(perEncoder).map(([k, v]) => [k, v.value])) }),
    request: () => ({
      model: model.value, prompt: prompt.value, negative: negative.value, seed: num(seed), steps: num(steps),
      ...Object.fromEntries(Object.entries(perEncoder).filter(([, v]) => v.value).map(([k, v]) => [k, v.value])),
      guidance: num(guidance), width: num(width), height: num(height), batch: num(batch), sampler: sampler.value,
      t5Length: num(t5), previewEvery: num(previewEvery), loras: loraRows.filter((r) => r.use.checked).map((r) => ({ name: r.name, scale: Number(r.scale.value) })),
    }),
    fill: (p) => {
      model.value = p.model; prompt.value = p.prompt; negative.value = p.negative || ''; seed.value = p.seed;
      for (const [k, input] of Object.entries(perEncoder)) input.value = p[k] || '';
      perEncoderBox.open = Object.keys(perEncoder).some((k) => p[k]);
      steps.value = p.steps; guidance.value = p.guidance; width.value = p.width ?? ''; height.value = p.height ?? '';
      batch.value = 1; sampler.value = p.sampler; t5.value = p.t5Length;
      for (const r of loraRows) {
        const used = (p.loras || []).find((l) => l.name === r.name);
        r.use.checked = !!used;
        if (used) r.scale.value = used.scale;
      }
      prompt.dispatchEvent(new Event('input'));
      prompt.focus();
    },
  };
}

/** Live counts of what each encoder receives (the server applies the pipeline's own rule to the same texts). */
async function countTokens(form, box) {
  const texts = form.texts();
  if (!texts.prompt.trim()) { box.replaceChildren(); return; }
  try {
    const r = await post('/api/tokens', { model: form.model.value, ...texts, guidance: Number(form.guidance.value || 7), t5Length: Number(form.t5.value) });
    const encoders = r.prompt.encoders;
    const count = (e, attr = 'data-encoder') => h('li', { class: e.dropped ? 'cut' : 'fits', [attr]: e.encoder },
      `${ENCODER_NAMES[e.encoder] || e.encoder}: ${e.tokens} / ${e.capacity} tokens` + (e.chunks > 1 ? ` (${e.chunks} chunks)` : '') + (e.dropped ? ' — text dropped' : ''));
    const parts = [h('ul.counts', {}, encoders.map((e) => count(e))), ...droppedViews(encoders, 'data-encoders')];
    if (r.negative && r.negative.encoders.some((e) => e.text)) { // counted under CFG; shown once there is a negative
      const neg = r.negative.encoders;
      parts.push(h('ul.counts.negative', { 'aria-label': 'negative prompt tokens' }, h('li', { text: 'Negative:' }),
        neg.map((e) => count(e, 'data-negative-encoder'))), ...droppedViews(neg, 'data-negative-encoders'));
    }
    box.replaceChildren(...parts);
  } catch (e) {
    box.textContent = `token count unavailable: ${e.message}`;
  }
}

/** Each distinct text an encoder cuts, with the dropped part marked (encoders given the same text share one view). */
function droppedViews(encoders, attr) {
  const byText = new Map();
  for (const e of encoders.filter((x) => x.dropped)) {
    if (!byText.has(e.text)) byText.set(e.text, []);
    byText.get(e.text).push(e);
  }
  return [...byText.entries()].map(([text, cut]) => {
    const from = Math.min(...cut.map((e) => e.droppedFrom));
    const names = cut.map((e) => ENCODER_NAMES[e.encoder] || e.encoder).join(', ');
    return h('p.prompt-view', { [attr]: cut.map((e) => e.encoder).join(' ') }, h('small', { text: `${names}: ` }),
      text.slice(0, from), h('mark', { title: `dropped by ${names}`, text: text.slice(from) }));
  });
}

function renderProgress(box, p, preview) {
  const pct = p.steps ? Math.round((100 * p.step) / p.steps) : 0;
  box.replaceChildren(h('progress', { max: 100, value: pct, 'aria-label': 'generation progress' }),
    h('span', { text: ` step ${p.step}/${p.steps} · ETA ${fmtSeconds(p.etaSeconds)}` }), preview);
}

function imageCard(img, actions) {
  const picture = h('img', { alt: img.params.prompt ? img.params.prompt.slice(0, 120) : 'generated image', width: img.width, height: img.height });
  imageSrc(img.url).then((src) => { picture.src = src; });
  const p = img.params;
  return h('figure.card', { 'data-image': img.id }, picture,
    h('figcaption', {},
      h('p.prompt', { text: p.prompt }),
      h('dl', {}, ...[['Seed', img.seed], ['Size', `${img.width}×${img.height}`], ['Steps', p.steps], ['Guidance', p.guidance],
        ...[['CLIP-G prompt', p.prompt_2], ['T5 prompt', p.prompt_3], ['CLIP-G negative', p.negative_2], ['T5 negative', p.negative_3]].filter(([, v]) => v),
        ['Sampler', p.sampler], ['T5 length', p.t5Length], ['Model', p.model], ['LoRAs', (p.loras || []).map((l) => `${l.name}:${l.scale}`).join(', ') || 'none']]
        .flatMap(([k, v]) => [h('dt', { text: k }), h('dd', { text: String(v) })])),
      h('div.actions', {},
        h('button', { type: 'button', onclick: actions.reproduce, text: 'Reproduce' }),
        h('button', { type: 'button', onclick: actions.useSettings, text: 'Use settings' }),
        h('button', { type: 'button', onclick: actions.check, text: 'Check' }))));
}

function openCheck(panel, img, datasets, stops) {
  const captioner = h('select', { name: 'captioner' }, datasets.map((d) => h('option', { value: `oracle:${d.name}`, text: `oracle: ${d.name}` })));
  const prompt = h('textarea', { name: 'prompt', rows: 3, text: img.params.prompt });
  const out = h('div.check-result', { 'aria-live': 'polite' });
  const error = h('p.error', { role: 'alert' });
  const form = h('form', {}, field('Captioner', captioner, 'oracle: the ground truth of a dataset'), field('Prompt', prompt),
    h('button', { type: 'submit', text: 'Run check' }), error);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const job = await post('/api/check', { image: img.id, prompt: prompt.value, captioner: captioner.value });
      out.textContent = 'checking…';
      stops.push(events(`/api/jobs/${job.id}/events`, (name, data) => {
        if (name === 'state' && data.state === 'done') renderCheck(out, data.result);
        if (name === 'state' && data.state === 'failed') out.textContent = data.error;
      }));
    } catch (e) {
      showError(form, error, e);
    }
  });
  panel.hidden = false;
  panel.replaceChildren(h('h3', { text: `Check image ${img.id.slice(0, 8)}` }), datasets.length ? form : h('p', { text: 'No dataset to use as a captioner.' }), out);
  panel.scrollIntoView({ block: 'nearest' });
}

function renderCheck(box, result) {
  const overlay = h('img', { alt: 'segment overlay' });
  imageSrc(result.overlayUrl).then((src) => { overlay.src = src; });
  const rows = result.entities.map((e) => h('tr', { class: e.status.replace(/ /g, '-') },
    h('td', { text: e.text }), h('td', { text: e.status }), h('td', { text: (e.problems || []).join('; ') })));
  box.replaceChildren(overlay, h('table.entities', {},
    h('thead', {}, h('tr', {}, h('th', { text: 'Entity' }), h('th', { text: 'Verdict' }), h('th', { text: 'Problems' }))),
    h('tbody', {}, rows)));
}

function debounce(fn, ms) {
  let t;
  return () => { clearTimeout(t); t = setTimeout(fn, ms); };
}

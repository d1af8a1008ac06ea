import { get } from '../api.js';
import { h } from '../dom.js';

export async function evaluatePage(main) {
  const caps = await get('/api/capabilities');
  main.append(h('section', { 'aria-labelledby': 'eval-title' }, h('h2', { id: 'eval-title', text: 'Evaluate' }),
    h('p', { text: caps.evaluate
      ? 'Pick a model or LoRA and a benchmark.'
      : 'Evaluation jobs (GenEval, FID, CLIPScore) are not served by this build yet; use studio eval on the command line.' })));
}

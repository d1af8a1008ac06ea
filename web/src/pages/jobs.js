import { get, post, events } from '../api.js';
import { h, fmtTime } from '../dom.js';

const ACTIVE = ['queued', 'running'];

export async function jobsPage(main) {
  const table = h('tbody');
  const logs = h('pre.logs', { id: 'job-logs', 'aria-live': 'polite', tabindex: 0 });
  const summary = h('p', { id: 'queue-summary' });
  main.append(h('section', { 'aria-labelledby': 'jobs-title' }, h('h2', { id: 'jobs-title', text: 'Jobs' }), summary,
    h('table.jobs', {}, h('thead', {}, h('tr', {}, ['Job', 'Kind', 'State', 'Progress', 'Created', 'Actions'].map((t) => h('th', { text: t })))), table),
    h('h3', { text: 'Log' }), logs));
  const rows = new Map();

  const render = (job) => {
    const progress = job.steps ? `${job.step}/${job.steps}` : '';
    const cancel = ACTIVE.includes(job.state)
      ? h('button', { type: 'button', onclick: () => post(`/api/jobs/${job.id}/cancel`), text: 'Cancel', 'aria-label': `cancel job ${job.id.slice(0, 8)}` }) : null;
    const showLog = h('button', { type: 'button', onclick: () => showLogs(job.id, logs), text: 'Log', 'aria-label': `log of job ${job.id.slice(0, 8)}` });
    const row = h('tr', { 'data-job': job.id, class: job.state },
      h('td', { text: job.id.slice(0, 8) }), h('td', { text: job.kind }), h('td', { text: job.state + (job.error ? `: ${job.error}` : '') }),
      h('td', { text: progress }), h('td', { text: fmtTime(job.createdMs) }), h('td', {}, cancel, showLog));
    const old = rows.get(job.id);
    if (old) old.replaceWith(row); else table.prepend(row);
    rows.set(job.id, row);
  };

  const list = await get('/api/jobs?limit=100');
  summary.textContent = `${list.total} jobs · ${list.waiting} waiting of ${list.capacity}`;
  list.jobs.slice().reverse().forEach(render);
  return events('/api/events', (name, data) => {
    if (name === 'state') render(data);
    if (name === 'progress') {
      const row = table.querySelector(`[data-job="${CSS.escape(data.jobId || '')}"]`);
      if (row) row.children[3].textContent = `${data.step}/${data.steps}`;
    }
  });
}

async function showLogs(id, box) {
  const { lines } = await get(`/api/jobs/${id}/logs`);
  box.textContent = lines.map((l) => `${new Date(l.atMs).toLocaleTimeString()}  ${l.line}`).join('\n') || '(no log lines)';
}

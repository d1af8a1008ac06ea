// Tiny DOM helpers: h('tag.class', {attrs}, children...) and form fields with labels.

export function h(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split('.');
  const el = document.createElement(tag);
  if (classes.length) el.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

let ids = 0;
/** A labelled field: field('Steps', input) → <div class=field><label for>…</label>input</div>. */
export function field(label, control, hint) {
  if (!control.id) control.id = `f${++ids}`;
  return h('div.field', {}, h('label', { for: control.id, text: label }), control, hint ? h('small', { text: hint }) : null);
}

export function fmtSeconds(s) {
  if (s === null || s === undefined) return '–';
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export function fmtTime(ms) {
  return ms ? new Date(ms).toLocaleTimeString() : '–';
}

/** Shows an API error next to the form field it names (or in `box`). */
export function showError(form, box, e) {
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const named = e.field ? form.querySelector(`[name="${CSS.escape(e.field.replace(/\[.*$/, ''))}"]`) : null;
  if (named) {
    named.setAttribute('aria-invalid', 'true');
    named.focus();
  }
  box.textContent = e.message;
}

// The REST API and its server-sent events. With a token (studio serve --token) every call carries
// Authorization: Bearer, so events are read with fetch streaming (EventSource cannot send headers)
// and images are fetched as blobs.

const TOKEN_KEY = 'pancap-token';
let token = sessionStorage.getItem(TOKEN_KEY);

export function setToken(t) {
  token = t || null;
  if (token) sessionStorage.setItem(TOKEN_KEY, token); else sessionStorage.removeItem(TOKEN_KEY);
}

function headers(extra = {}) {
  return token ? { ...extra, Authorization: `Bearer ${token}` } : extra;
}

/** An API error with the server's message and the field at fault. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.error ? body.error : `HTTP ${status}`);
    this.status = status;
    this.field = body ? body.field : null;
  }
}

let onUnauthorized = () => {};
export function whenUnauthorized(handler) { onUnauthorized = handler; }

async function call(method, path, body) {
  const init = { method, headers: headers(body !== undefined ? { 'Content-Type': 'application/json' } : {}) };
  if (body !== undefined) init.body = JSON.stringify(body);
  const r = await fetch(path, init);
  const json = await r.json().catch(() => null);
  if (r.status === 401) onUnauthorized();
  if (!r.ok) throw new ApiError(r.status, json);
  return json;
}

export const get = (path) => call('GET', path);
export const post = (path, body) => call('POST', path, body === undefined ? {} : body);

/** An image URL usable in <img src>: the URL itself, or a blob URL when a token is needed. */
export async function imageSrc(url) {
  if (!token) return url;
  const r = await fetch(url, { headers: headers() });
  if (!r.ok) throw new ApiError(r.status, null);
  return URL.createObjectURL(await r.blob());
}

/**
 * Streams server-sent events of `path`, calling onEvent(name, data) for each; returns a function that stops it.
 * Reconnects after a dropped connection unless the stream ended normally (a finished job's stream).
 */
export function events(path, onEvent) {
  const controller = new AbortController();
  (async () => {
    for (let attempt = 0; !controller.signal.aborted && attempt < 50; attempt++) {
      try {
        const r = await fetch(path, { headers: headers({ Accept: 'text/event-stream' }), signal: controller.signal });
        if (!r.ok) return;
        await readStream(r.body, onEvent);
        return; // the server closed it: the job ended
      } catch (e) {
        if (controller.signal.aborted) return;
        await new Promise((ok) => setTimeout(ok, 1000));
      }
    }
  })();
  return () => controller.abort();
}

async function readStream(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) name = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length) onEvent(name, JSON.parse(data.join('\n')));
    }
  }
}

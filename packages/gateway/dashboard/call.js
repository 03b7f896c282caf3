// The call form of one endpoint: JSON editor, Send, the reply or error with its code, the round-trip time.
import { exampleOf } from './schema.js';
import { pretty, statusClass } from './util.js';

const streamsIn = (kind) => kind === 'client-stream' || kind === 'bidi-stream';

/** Shows `endpoint` of `service` in the view's call card, with the editor prefilled from its schema. */
export function openCall(view, service, endpoint) {
  const card = view.querySelector('.call');
  const editor = card.querySelector('.editor');
  const send = card.querySelector('#send');
  const state = card.querySelector('.json-state');
  card.hidden = false;
  card.querySelector('.ep-name').textContent = `${service}/${endpoint.name}`;
  const kind = card.querySelector('.kind');
  kind.textContent = endpoint.kind;
  card.querySelector('.ndjson-hint').hidden = !streamsIn(endpoint.kind);
  const example = JSON.stringify(exampleOf(endpoint.requestSchema));
  editor.value = streamsIn(endpoint.kind) ? `${example}\n${example}` : JSON.stringify(exampleOf(endpoint.requestSchema), null, 2);
  card.querySelector('#result').hidden = true;
  const check = () => {
    const bad = invalidJson(editor.value, streamsIn(endpoint.kind));
    state.textContent = bad ?? 'valid JSON';
    state.classList.toggle('bad-text', bad !== undefined);
    send.disabled = bad !== undefined;
  };
  editor.oninput = check;
  check();
  let running;
  send.onclick = async () => {
    running?.abort();
    running = new AbortController();
    await call(card, service, endpoint, editor.value, running.signal);
  };
  card.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
  editor.focus();
}

function invalidJson(text, lines) {
  const parts = lines ? text.split('\n').filter((l) => l.trim() !== '') : [text.trim() === '' ? '{}' : text];
  for (const [i, p] of parts.entries()) {
    try {
      JSON.parse(p);
    } catch (e) {
      return `${lines ? `line ${i + 1}: ` : ''}${e.message}`;
    }
  }
  return undefined;
}

async function call(card, service, endpoint, body, signal) {
  const result = card.querySelector('#result');
  const status = card.querySelector('#status');
  const out = card.querySelector('.output');
  const rtt = card.querySelector('.rtt');
  const count = card.querySelector('.count');
  const headers = { 'content-type': streamsIn(endpoint.kind) ? 'application/x-ndjson' : 'application/json' };
  const auth = card.querySelector('.auth').value.trim();
  const timeout = card.querySelector('.timeout').value.trim();
  if (auth) headers.authorization = auth;
  if (timeout) headers['x-timeout'] = timeout;
  result.hidden = false;
  out.textContent = '';
  count.textContent = '';
  status.className = 'pill';
  status.textContent = 'sending…';
  rtt.textContent = '';
  const t0 = performance.now();
  const show = (code, text) => {
    status.className = `pill ${statusClass(code)}`;
    status.textContent = text;
  };
  try {
    const r = await fetch(`/${encodeURIComponent(service)}/${encodeURIComponent(endpoint.name)}`, {
      method: 'POST',
      headers,
      body,
      signal,
    });
    show(r.status, `${r.status} ${r.statusText || ''}`.trim());
    if ((r.headers.get('content-type') ?? '').startsWith('application/x-ndjson')) await readLines(r, out, count, show);
    else {
      const text = await r.text();
      out.textContent = pretty(text);
      if (!r.ok) {
        const e = safeParse(text);
        if (e?.code) show(e.code, `${e.code} ${e.status ?? ''} · ${e.id || 'gateway'}`);
      }
    }
  } catch (e) {
    show(599, signal.aborted ? 'stopped' : 'network error');
    out.textContent = String(e);
  }
  rtt.textContent = `round trip ${(performance.now() - t0).toFixed(1)} ms`;
}

const safeParse = (t) => {
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
};

/** Renders NDJSON messages as they arrive; a last `{"error":…}` line shows its code. */
async function readLines(r, out, count, show) {
  const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  let n = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let i = buf.indexOf('\n');
    for (; i !== -1; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const msg = safeParse(line);
      if (msg && typeof msg === 'object' && msg.error && Object.keys(msg).length === 1) {
        show(msg.error.code, `${msg.error.code} ${msg.error.status} mid-stream`);
        out.append(`error: ${JSON.stringify(msg.error)}\n`);
        continue;
      }
      n++;
      out.append(`${JSON.stringify(msg)}\n`);
      count.textContent = `${n} message${n === 1 ? '' : 's'}`;
    }
  }
}

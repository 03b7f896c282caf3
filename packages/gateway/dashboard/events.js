// Publish to a topic and tail a topic live (server-sent events from GET /events/{pattern}).
import { el, statusClass } from './util.js';

const MAX_LINES = 200;

/** Wires the events card; returns `stop()` which ends the tail. */
export function eventsCard(card) {
  const pubState = card.querySelector('.pub-state');
  card.querySelector('.pub-send').onclick = async () => {
    const topic = card.querySelector('.pub-topic').value.trim();
    const r = await fetch(`/events/${encodeURIComponent(topic)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: card.querySelector('.pub-body').value,
    });
    const body = await r.json();
    pubState.className = `${statusClass(r.status)}-text`;
    pubState.textContent = r.ok ? `published to ${body.topic}` : `${body.code} ${body.detail}`;
  };
  let source;
  const toggle = card.querySelector('.tail-toggle');
  const state = card.querySelector('.tail-state');
  const log = card.querySelector('.tail-log');
  const stop = () => {
    source?.close();
    source = undefined;
    toggle.textContent = 'Start';
    state.textContent = '';
  };
  toggle.onclick = () => {
    if (source) return stop();
    const topic = card.querySelector('.tail-topic').value.trim();
    source = new EventSource(`/events/${encodeURIComponent(topic)}`);
    toggle.textContent = 'Stop';
    state.textContent = 'connecting…';
    source.addEventListener('subscribed', () => {
      state.textContent = `tailing ${topic}`;
    });
    source.addEventListener('message', (e) => {
      const m = JSON.parse(e.data);
      const time = new Date(m.at).toLocaleTimeString();
      log.prepend(el('li', {}, el('span', { class: 'muted' }, `${time} ${m.topic} `), el('code', {}, JSON.stringify(m.payload))));
      while (log.children.length > MAX_LINES) log.lastElementChild.remove();
    });
    source.onerror = () => {
      state.textContent = 'reconnecting…';
    };
  };
  return { stop };
}

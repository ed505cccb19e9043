// Protocol v1 client for the pages: URL parameters, a websocket that says hello and
// reconnects with backoff, and a decoder that drops anything that is not v1 JSON.
// See docs/protocol.md. No DOM here.

export const VERSION = 1;
// closes after which retrying cannot help (token, origin/host, version, malformed)
export const FATAL = new Map([[4401, "wrong token"], [4403, "refused (origin/host)"],
  [4426, "protocol version mismatch"], [4400, "malformed message"]]);

// ?token=... or #token=... (the fragment wins: browsers never send it to the server)
export function param(name, loc = location) {
  const frag = new URLSearchParams(loc.hash.replace(/^#/, ""));
  const query = new URLSearchParams(loc.search);
  return frag.get(name) ?? query.get(name);
}

// the browser's language as a page's: Dutch if it asks for Dutch, else English (what a page
// speaks before the server has said anything: a refused token, no token in the link)
export function browserLang(nav = navigator) {
  return String(nav.language || "").toLowerCase().startsWith("nl") ? "nl" : "en";
}

// The page's token, taken out of the address once read and kept in this tab's session
// storage, so a reload keeps working while a shared screen or projector shows no secret.
// Without storage (a locked-down browser) the address keeps it.
export function takeToken(kind) {
  const key = `pullcoach-${kind}:${location.host}`;
  const given = param("token");
  try {
    if (!given) return sessionStorage.getItem(key) || "";
    sessionStorage.setItem(key, given);
  } catch (_) {
    return given || "";
  }
  const frag = new URLSearchParams(location.hash.replace(/^#/, ""));
  const query = new URLSearchParams(location.search);
  frag.delete("token");
  query.delete("token");
  const q = query.toString(), f = frag.toString();
  history.replaceState(null, "", `${location.pathname}${q ? "?" + q : ""}${f ? "#" + f : ""}`);
  return given;
}

export function wsUrl(loc = location) {
  return `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}/ws`;
}

export function backoff(attempt) {
  return Math.min(10, 0.5 * 2 ** Math.min(attempt, 16));
}

export function decode(text) {
  try {
    const msg = JSON.parse(text);
    if (msg && typeof msg === "object" && !Array.isArray(msg) && msg.v === VERSION && typeof msg.type === "string") return msg;
  } catch (_) { /* not JSON */ }
  return null;
}

// connect({hello, onMessage, onState}) -> {send(msg), close()}
// onState(state, detail): "connecting" | "connected" | "reconnecting" | "refused"
export function connect({ url = wsUrl(), hello, onMessage, onState = () => {} }) {
  let ws = null, attempt = 0, timer = null, closed = false;
  const open = () => {
    onState(attempt ? "reconnecting" : "connecting");
    ws = new WebSocket(url);
    ws.onopen = () => ws.send(JSON.stringify(hello()));
    ws.onmessage = (ev) => {
      const msg = decode(ev.data);
      if (!msg) return;
      if (msg.type === "welcome") { attempt = 0; onState("connected"); }
      onMessage(msg);
    };
    ws.onclose = (ev) => {
      ws = null;
      if (closed) return;
      if (FATAL.has(ev.code)) { onState("refused", ev.reason || FATAL.get(ev.code)); return; }
      onState("reconnecting", ev.code === 4404 ? "no live session yet" : "");
      let wait = backoff(attempt++) * (0.8 + Math.random() * 0.4);
      if (ev.code === 4404) wait = Math.max(wait, 2);
      timer = setTimeout(open, wait * 1000);
    };
  };
  open();
  return {
    send(msg) {
      if (ws && ws.readyState === WebSocket.OPEN) { ws.send(JSON.stringify({ v: VERSION, ...msg })); return true; }
      return false;
    },
    close() { closed = true; clearTimeout(timer); if (ws) ws.close(1000); },
  };
}

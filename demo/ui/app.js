// The wirefault playground: calls the API cross-origin with credentials and
// shows what the browser saw. Plain JS, no build step.
"use strict";

// Same host name as the page (so the session cookie stays same-site), the
// API's port from /config.js.
const API = `${location.protocol}//${location.hostname}:${window.WIREFAULT_API_PORT}`;
const WS_URL = `${API.replace(/^http/, "ws")}/ws`;
const $ = (id) => document.getElementById(id);

// Every entry the page logged, oldest first (the browser test reads it).
window.wfLog = [];

// gRPC codes for the server's own failures; every other non-OK code is the
// client's.
const GRPC_SERVER_CODES = [2, 4, 13, 14, 15];

function classOf(entry) {
  if (entry.error) return "neterr";
  if (typeof entry.grpcStatus === "number") {
    if (entry.grpcStatus === 0) return "ok";
    return GRPC_SERVER_CODES.includes(entry.grpcStatus) ? "server" : "client";
  }
  const s = entry.status;
  if (typeof s !== "number") return "";
  if (s >= 500 || (s >= 1000 && s !== 1000 && s !== 1001)) return "server";
  if (s >= 400) return "client";
  return "ok";
}

function log(entry) {
  entry.at = new Date().toISOString();
  window.wfLog.push(entry);
  const li = document.createElement("li");
  li.className = classOf(entry);
  const line = document.createElement("div");
  line.className = "line";
  const add = (cls, text) => {
    if (text === undefined || text === null || text === "") return;
    const span = document.createElement("span");
    span.className = cls;
    span.textContent = text;
    line.appendChild(span);
  };
  add("kind", entry.kind);
  add("what", entry.what);
  add("status", entry.error ? entry.error : entry.status);
  add("rid", entry.requestId ? `X-Request-Id: ${entry.requestId}` : "");
  add("rid", entry.remaining ? `X-RateLimit-Remaining: ${entry.remaining}` : "");
  add("rid", entry.note);
  li.appendChild(line);
  if (entry.body !== undefined && entry.body !== "") {
    const pre = document.createElement("pre");
    pre.textContent =
      typeof entry.body === "string" ? entry.body : JSON.stringify(entry.body, null, 2);
    li.appendChild(pre);
  }
  $("log").prepend(li);
  return entry;
}

// A credentialed fetch to the API; logs and returns what the browser saw.
async function call(path, init = {}, label) {
  const what = `${init.method || "GET"} ${path}${label ? ` (${label})` : ""}`;
  try {
    const res = await fetch(API + path, { credentials: "include", ...init });
    const text = await res.text();
    let body = text;
    try {
      body = text ? JSON.parse(text) : "";
    } catch (_) {
      // not JSON: show the text
    }
    return log({
      kind: "HTTP",
      what,
      status: res.status,
      requestId: res.headers.get("x-request-id"),
      remaining: res.headers.get("x-ratelimit-remaining"),
      note: res.headers.get("content-type") || "",
      body,
    });
  } catch (e) {
    // A CORS refusal or a network failure: the browser shows nothing more.
    return log({ kind: "HTTP", what, error: `${e.name}: ${e.message}` });
  }
}

const json = (method, value) => ({
  method,
  headers: { "Content-Type": "application/json" },
  body: typeof value === "string" ? value : JSON.stringify(value),
});

function note() {
  return { title: $("title").value, body: $("body").value };
}

async function login() {
  return call("/session", json("POST", { user: $("user").value }));
}

async function listNotes() {
  const entry = await call("/notes");
  const ul = $("notes");
  ul.textContent = "";
  if (entry.status === 200 && Array.isArray(entry.body)) {
    for (const n of entry.body) {
      const li = document.createElement("li");
      li.textContent = `#${n.id} ${n.title} `;
      const meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = `by ${n.owner}`;
      li.appendChild(meta);
      ul.appendChild(li);
    }
  }
  return entry;
}

const faults = {
  404: () => call("/no-such-path"),
  405: () => call("/notes", { method: "DELETE" }, "no DELETE on /notes"),
  415: () =>
    call("/notes", { method: "POST", headers: { "Content-Type": "text/plain" }, body: "hello" }, "text/plain"),
  400: () => call("/notes", json("POST", '{"title": "oops'), "malformed JSON"),
  422: () => call("/notes", json("POST", { title: "", body: 42 }), "invalid fields"),
  409: async () => {
    const dup = { title: `dup ${$("title").value}`, body: "twice" };
    await call("/notes", json("POST", dup), "first");
    return call("/notes", json("POST", dup), "same title again");
  },
  413: () =>
    call("/notes", json("POST", { title: "big", body: "x".repeat(70 * 1024) }), "70 KiB body"),
  401: async () => {
    await call("/session", { method: "DELETE" }, "log out");
    return call("/notes", {}, "after logout");
  },
  429: async () => {
    // Successful writes count; refused ones do not. Write until refused.
    const stamp = Date.now();
    for (let i = 0; i < 200; i++) {
      const res = await fetch(API + "/notes", {
        credentials: "include",
        ...json("POST", { title: `burst ${stamp} ${i}`, body: "" }),
      }).catch(() => null);
      if (!res || res.status !== 201) {
        return call("/notes", json("POST", { title: `burst ${stamp} last` }), `after ${i} writes`);
      }
    }
    return log({ kind: "HTTP", what: "POST /notes burst", note: "no 429 after 200 writes" });
  },
  500: () => call("/debug/panic"),
  503: () => call("/debug/unavailable"),
  502: () => call("/debug/bad-gateway"),
};

// WebSocket
let ws = null;

function wsOpen() {
  if (ws && ws.readyState <= WebSocket.OPEN) {
    return ws.readyState === WebSocket.OPEN
      ? Promise.resolve(ws)
      : new Promise((ok) => ws.addEventListener("open", () => ok(ws), { once: true }));
  }
  const sock = new WebSocket(WS_URL);
  ws = sock;
  sock.binaryType = "arraybuffer";
  return new Promise((resolve) => {
    sock.addEventListener("open", () => {
      log({ kind: "WS", what: "open /ws", status: 101 });
      resolve(sock);
    });
    sock.addEventListener("message", (e) => {
      let body = e.data;
      try {
        body = JSON.parse(e.data);
      } catch (_) {
        // keep the text
      }
      log({ kind: "WS", what: "message", body, status: body && body.event === "error" ? "error" : "" });
    });
    sock.addEventListener("error", () => {
      // The browser hides why (e.g. a 401 or 403 before the upgrade).
      log({ kind: "WS", what: "error event", note: "details hidden by the browser" });
    });
    sock.addEventListener("close", (e) => {
      log({
        kind: "WS",
        what: "close",
        status: e.code,
        note: e.wasClean ? "clean" : "not clean",
        body: { code: e.code, reason: e.reason },
      });
      if (ws === sock) ws = null;
      resolve(sock);
    });
  });
}

async function wsSend(kind) {
  const sock = await wsOpen();
  if (sock.readyState !== WebSocket.OPEN) return;
  const messages = {
    ping: '{"op":"ping"}',
    create: JSON.stringify({ op: "create", title: `ws ${$("title").value} ${Date.now()}`, body: $("body").value }),
    malformed: '{"op": "ping"',
    binary: new Uint8Array([0xde, 0xad, 0xbe, 0xef]),
    unknown: '{"op":"teleport"}',
    panic: '{"op":"debug_panic"}',
  };
  const data = messages[kind];
  log({ kind: "WS", what: `send ${kind}`, body: typeof data === "string" ? data : "<4 binary bytes>" });
  sock.send(data);
}

// Server-Sent Events
let source = null;

function sse(path) {
  if (source) source.close();
  const es = new EventSource(API + path, { withCredentials: true });
  source = es;
  const show = (e) => {
    let body = e.data;
    try {
      body = JSON.parse(e.data);
    } catch (_) {
      // keep the text
    }
    return body;
  };
  es.addEventListener("open", () => log({ kind: "SSE", what: `open ${path}`, status: 200 }));
  for (const name of ["created", "deleted", "ping", "message"]) {
    es.addEventListener(name, (e) => log({ kind: "SSE", what: `event: ${name}`, body: show(e) }));
  }
  es.addEventListener("error", (e) => {
    if (e.data !== undefined) {
      // The server's `event: error`: a problem object, then the stream ends.
      const body = show(e);
      log({ kind: "SSE", what: "event: error", status: body && body.status, body });
    } else {
      log({
        kind: "SSE",
        what: `${path} ended or failed`,
        note: "stopped (EventSource would reconnect)",
      });
    }
    // Do not let EventSource reconnect in a loop.
    es.close();
    if (source === es) source = null;
  });
}

// The API's OpenAPI document: linked from the header, and read once to
// learn whether the /debug/* routes are on (it lists only the routes the
// service serves). Without them, the debug buttons say what to do.
async function checkFaultRoutes() {
  try {
    const res = await fetch(API + "/openapi.json");
    const doc = await res.json();
    if (doc.paths && doc.paths["/debug/panic"]) return;
  } catch (_) {
    return; // the API is not reachable: every call will say so
  }
  for (const b of document.querySelectorAll("[data-debug]")) {
    b.classList.add("off");
    b.title = "needs wirefault-demo --fault-routes";
  }
  for (const p of document.querySelectorAll("[data-debug-hint]")) p.hidden = false;
  log({
    kind: "page",
    what: "the /debug/* routes are off: start wirefault-demo with --fault-routes",
  });
}

function bind() {
  $("api-base").textContent = API;
  $("openapi-link").href = API + "/openapi.json";
  $("page-origin").textContent = location.origin;
  $("login").onclick = login;
  $("logout").onclick = () => call("/session", { method: "DELETE" });
  $("create").onclick = () => call("/notes", json("POST", note()));
  $("list").onclick = listNotes;
  for (const b of document.querySelectorAll("[data-fault]")) {
    b.onclick = faults[b.dataset.fault];
  }
  $("ws-open").onclick = wsOpen;
  for (const b of document.querySelectorAll("[data-ws]")) {
    b.onclick = () => wsSend(b.dataset.ws);
  }
  $("ws-close").onclick = () => ws && ws.close(1000, "closed by the page");
  $("sse-events").onclick = () => sse("/events");
  $("sse-fail").onclick = () => sse("/debug/events-fail");
  $("sse-stop").onclick = () => {
    if (source) source.close();
    source = null;
    log({ kind: "SSE", what: "stopped by the page" });
  };
  $("clear").onclick = () => {
    $("log").textContent = "";
  };
}

window.wf = { API, call, login, listNotes, faults, wsOpen, wsSend, sse };
bind();
checkFaultRoutes();

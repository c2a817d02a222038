// A `ws` server (noServer mode, as ws's README authenticates in the
// `upgrade` handler) whose socket is protected by HTTP Basic.
// Planted mistake (default): it never checks Origin. A browser that has
// cached the Basic credentials sends them from any page, so any site can
// open the socket as the user (cross-site WebSocket hijacking). Found by
// WF-WS-001 as an error when the auditor is given the credentials.
// Correct (`--check-origin`): a foreign Origin is refused with 403 before
// the upgrade.
// Run: node ws_node_basic_auth.js PORT [--check-origin]
"use strict";

const http = require("http");
const { WebSocketServer } = require("ws");

const USERS = { alice: "wonderland" };
const ALLOWED_ORIGINS = new Set(["http://127.0.0.1:3000"]);
const checkOrigin = process.argv.includes("--check-origin");

function user(req) {
  const [scheme, encoded] = (req.headers.authorization || "").split(" ");
  if (scheme !== "Basic" || !encoded) return null;
  const [name, password] = Buffer.from(encoded, "base64").toString().split(":");
  return USERS[name] === password ? name : null;
}

function refuse(socket, status, reason, extra = "") {
  const body = JSON.stringify({ error: reason.toLowerCase() });
  socket.write(
    `HTTP/1.1 ${status} ${reason}\r\n${extra}Content-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  socket.destroy();
}

const server = http.createServer((req, res) => {
  res.writeHead(404, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: "not found" }));
});
const wss = new WebSocketServer({ noServer: true });

wss.on("connection", (ws, req, name) => {
  ws.on("error", console.error);
  ws.on("message", (data, isBinary) => {
    ws.send(isBinary ? data : `${name}: ${data}`, { binary: isBinary });
  });
});

server.on("upgrade", (req, socket, head) => {
  socket.on("error", console.error);
  const name = user(req);
  if (name === null) {
    refuse(socket, 401, "Unauthorized", 'WWW-Authenticate: Basic realm="notes"\r\n');
    return;
  }
  if (checkOrigin && req.headers.origin && !ALLOWED_ORIGINS.has(req.headers.origin)) {
    refuse(socket, 403, "Forbidden");
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req, name));
});

server.listen(Number(process.argv[2]), "127.0.0.1");

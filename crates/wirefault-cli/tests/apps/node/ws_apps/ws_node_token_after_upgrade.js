// A `ws` live feed whose client passes `?token=` in the URL.
// Planted mistake (default): the token is checked only after
// `handleUpgrade`, and a wrong one gets the README's refusal,
// `HTTP/1.1 401 Unauthorized`, written onto the already upgraded socket:
// the client sees bytes that are not a frame. Found by WF-WS-007.
// Correct (`--check-first`): the same check before `handleUpgrade`, as
// ws's README shows it, so a wrong token is a 401 before the upgrade.
// Run: node ws_node_token_after_upgrade.js PORT [--check-first]
"use strict";

const http = require("http");
const { WebSocketServer } = require("ws");

const TOKEN = "s3cret";
const checkFirst = process.argv.includes("--check-first");

function authorized(req) {
  return new URL(req.url, "http://localhost").searchParams.get("token") === TOKEN;
}

function unauthorized(socket) {
  socket.write("HTTP/1.1 401 Unauthorized\r\n\r\n");
  socket.destroy();
}

const server = http.createServer((req, res) => {
  res.writeHead(404, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: "not found" }));
});
const wss = new WebSocketServer({ noServer: true });

wss.on("connection", (ws) => {
  ws.on("error", console.error);
  ws.on("message", (data, isBinary) => {
    if (isBinary) {
      ws.close(1003, "text messages only");
      return;
    }
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      ws.close(1007, "invalid JSON");
      return;
    }
    ws.send(JSON.stringify({ type: "ack", of: typeof message }));
  });
});

server.on("upgrade", (req, socket, head) => {
  socket.on("error", console.error);
  if (new URL(req.url, "http://localhost").pathname !== "/live") {
    socket.destroy();
    return;
  }
  if (checkFirst && !authorized(req)) {
    unauthorized(socket);
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    if (!authorized(req)) {
      unauthorized(socket);
      return;
    }
    wss.emit("connection", ws, req);
  });
});

server.listen(Number(process.argv[2]), "127.0.0.1");

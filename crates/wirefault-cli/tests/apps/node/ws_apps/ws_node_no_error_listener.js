// Planted mistake: a plain `ws` server (noServer, token in the query) with
// `maxPayload` but no `ws.on("error", ...)` listener. A message over the
// limit makes `ws` close the session with 1009 and emit "error"; with no
// listener, Node throws and the whole process exits: every client is
// dropped, and no one can connect any more. The session itself looks right
// (a 1009 close); only the next handshake shows it. Found by WF-WS-002.
// Run: node ws_node_no_error_listener.js PORT
"use strict";

const http = require("http");
const { WebSocketServer } = require("ws");

const server = http.createServer((req, res) => {
  res.writeHead(404, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: "not found" }));
});
const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });

server.on("upgrade", (req, socket, head) => {
  const url = new URL(req.url, "http://localhost");
  if (url.pathname !== "/live" || url.searchParams.get("token") !== "t0k3n") {
    socket.write("HTTP/1.1 401 Unauthorized\r\n\r\n");
    socket.destroy();
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
});

wss.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => {
    if (isBinary) {
      ws.close(1003, "binary not supported");
      return;
    }
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      ws.close(1007, "invalid JSON");
      return;
    }
    if (message.type === "subscribe" && typeof message.channel === "string") {
      ws.send(JSON.stringify({ type: "subscribed", channel: message.channel }));
      return;
    }
    ws.send(JSON.stringify({ type: "error", message: "unknown message" }));
  });
});

server.listen(Number(process.argv[2]), "127.0.0.1");

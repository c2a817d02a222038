// A chat on `ws` whose protocol starts with a join: the first message is
// the client's name; after it, every message is JSON ({"text": ...}) and is
// broadcast to the room.
// Planted mistake (default): after the join, a message that is not JSON is
// skipped silently. Only bad input sent after a join reaches it (before,
// any text is a name). Found by WF-WS-003 given the join message
// (--ws-message /chat=alice). Correct (`--correct`): it is closed with 1007.
// Run: node ws_node_join_chat.js PORT [--correct]
"use strict";

const http = require("http");
const { WebSocketServer, WebSocket } = require("ws");

const correct = process.argv.includes("--correct");
const server = http.createServer((req, res) => {
  res.writeHead(404, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: "not found" }));
});
const wss = new WebSocketServer({ server, path: "/chat" });

function broadcast(text) {
  for (const client of wss.clients) {
    if (client.readyState === WebSocket.OPEN) client.send(text);
  }
}

wss.on("connection", (ws) => {
  let name = null;
  ws.on("error", console.error);
  ws.on("message", (data) => {
    if (name === null) {
      name = String(data).slice(0, 32);
      broadcast(`${name} joined`);
      return;
    }
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      if (correct) ws.close(1007, "invalid JSON");
      return;
    }
    broadcast(`${name}: ${message && message.text}`);
  });
  ws.on("close", () => {
    if (name !== null) broadcast(`${name} left`);
  });
});

server.listen(Number(process.argv[2]), "127.0.0.1");

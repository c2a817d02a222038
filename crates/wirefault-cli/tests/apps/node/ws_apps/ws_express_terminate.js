// Planted mistake: an Express + ws JSON socket that answers a message it
// cannot parse with `ws.terminate()`: the client sees 1006 and no reason.
// Found by WF-WS-002.
// Run: node ws_express_terminate.js PORT
"use strict";

const http = require("http");
const express = require("express");
const { WebSocketServer } = require("ws");

const app = express();
app.get("/", (req, res) => res.json({ status: "ok" }));

const server = http.createServer(app);
const wss = new WebSocketServer({ server, path: "/ws", maxPayload: 64 * 1024 });

wss.on("connection", (ws) => {
  ws.on("error", console.error);
  ws.on("message", (data) => {
    let message;
    try {
      message = JSON.parse(data.toString());
    } catch {
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify({ ok: true, echo: message }));
  });
});

server.listen(Number(process.argv[2]), "127.0.0.1");

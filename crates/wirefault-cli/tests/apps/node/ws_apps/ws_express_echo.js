// Express with the `ws` package, as ws's README shows it: one HTTP server,
// the WebSocketServer in noServer mode, upgrades handed over by path.
// Correct: an anonymous echo socket.
// Run: node ws_express_echo.js PORT
"use strict";

const http = require("http");
const express = require("express");
const { WebSocketServer } = require("ws");

const app = express();
app.get("/", (req, res) => res.json({ status: "ok" }));

const server = http.createServer(app);
const wss = new WebSocketServer({ noServer: true });

wss.on("connection", (ws) => {
  ws.on("error", console.error);
  ws.on("message", (data, isBinary) => {
    ws.send(data, { binary: isBinary });
  });
});

server.on("upgrade", (request, socket, head) => {
  const { pathname } = new URL(request.url, "http://localhost");
  if (pathname !== "/echo") {
    socket.destroy();
    return;
  }
  wss.handleUpgrade(request, socket, head, (ws) => {
    wss.emit("connection", ws, request);
  });
});

server.listen(Number(process.argv[2]), "127.0.0.1");

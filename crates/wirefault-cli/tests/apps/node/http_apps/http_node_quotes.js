// Correct: a small JSON service on Node's own `http` module, the way
// Node's "Anatomy of an HTTP Transaction" guide writes one: one request
// listener that looks at the URL, `res.writeHead(404).end()` for anything
// else. Its errors are all empty bodies, its handler ignores the method,
// /add/:a/:b computes from any two numbers, and /quotes/:id fails every
// third call by design (a flaky upstream). None of that is a mistake the
// service would fix: the auditor must only note it.
// Run: node http_node_quotes.js PORT
"use strict";

const http = require("node:http");

const quotes = new Map([["1", { id: 1, text: "Simplicity is prerequisite for reliability." }]]);
let calls = 0;

const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  const parts = url.pathname.split("/").filter(Boolean);
  if (parts.length === 0) {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ service: "quotes" }));
    return;
  }
  if (parts[0] === "add" && parts.length === 3) {
    const sum = Number(parts[1]) + Number(parts[2]);
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ sum }));
    return;
  }
  if (parts[0] === "quotes" && parts.length === 2) {
    calls += 1;
    if (calls % 3 === 1) {
      res.writeHead(502).end();
      return;
    }
    const quote = quotes.get(parts[1]);
    if (!quote) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify(quote));
    return;
  }
  res.writeHead(404).end();
});

server.listen(Number(process.argv[2]), "127.0.0.1");

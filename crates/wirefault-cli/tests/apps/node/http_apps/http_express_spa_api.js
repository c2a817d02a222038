// Correct: an Express 5 app that serves a single-page app and its JSON API,
// as React Router and Express's docs set it up: the API under /api on an
// express.Router with its own JSON 404 handler and error handler, then the
// SPA's index.html for every other GET (its client-side routes, deep links).
// The page for unknown paths outside /api is the SPA's, not a hidden 404;
// TRACE on an API path gets the API's own 404 (Express has no 405).
// Run: node http_express_spa_api.js PORT
"use strict";

const express = require("express");

const INDEX = "<!doctype html><html><head><title>Users</title></head>" +
  "<body><div id=\"root\"></div><script src=\"/assets/app.js\"></script></body></html>";

const users = new Map([["1", { id: 1, name: "Ada" }]]);

const api = express.Router();
api.use(express.json());
api.get("/health", (req, res) => res.json({ ok: true }));
api.get("/users/:id", (req, res) => {
  const user = users.get(req.params.id);
  if (!user) {
    res.status(404).json({ message: "User not found" });
    return;
  }
  res.json(user);
});
api.post("/users", (req, res) => {
  if (typeof req.body?.name !== "string") {
    res.status(400).json({ message: "name must be a string" });
    return;
  }
  const user = { id: users.size + 1, name: req.body.name };
  users.set(String(user.id), user);
  res.status(201).json(user);
});
api.use((req, res) => res.status(404).json({ message: "Not found" }));
api.use((err, req, res, next) => {
  res.status(err.status || 500).json({ message: err.expose ? err.message : "Internal error" });
});

const app = express();
app.use("/api", api);
app.get("/assets/app.js", (req, res) => res.type("js").send("console.log('app');"));
app.get("/{*splat}", (req, res) => res.type("html").send(INDEX));

app.listen(Number(process.argv[2]), "127.0.0.1");

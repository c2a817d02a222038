// A notes API on Express that reads its JSON body by hand, as Node's
// stream guides do: collect the chunks, parse on 'end'.
//
// Planted mistake: the 'end' callback runs outside Express's error
// handling, so a body whose `text` is not a string (or `null`) throws
// there and ends the process (WF-HTTP-012). Every later probe finds the
// port closed.
// Run: NODE_ENV=production node http_express_crash_on_body.js PORT
"use strict";

const express = require("express");

const app = express();
const notes = [];

app.get("/api/notes", (req, res) => {
  res.json(notes);
});

app.post("/api/notes", (req, res) => {
  let raw = "";
  req.setEncoding("utf8");
  req.on("data", (chunk) => {
    raw += chunk;
  });
  req.on("end", () => {
    let body;
    try {
      body = JSON.parse(raw);
    } catch {
      res.status(400).json({ error: "the body is not JSON" });
      return;
    }
    const note = { id: notes.length + 1, text: body.text.trim() };
    notes.push(note);
    res.status(201).json(note);
  });
});

app.listen(Number(process.argv[2]), "127.0.0.1");

// An Express event stream written the way MDN's "Using server-sent events"
// and Express's docs do it: headers, flushHeaders, one `res.write` per
// event. Correct: the token and Last-Event-ID are checked before the stream
// starts and refused with 401/400; CORS for one trusted origin with
// credentials (the `cors` package).
const express = require("express");
const cors = require("cors");

const app = express();
app.use(cors({ origin: "https://app.example.com", credentials: true }));

app.get("/events", (req, res) => {
  if (req.get("authorization") !== "Bearer secret") {
    res.set("WWW-Authenticate", "Bearer");
    return res.status(401).json({ error: "invalid token" });
  }
  const last = req.get("last-event-id");
  if (last !== undefined && !/^\d+$/.test(last)) {
    return res.status(400).json({ error: "Last-Event-ID is not an event id" });
  }
  res.set({
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache",
    Connection: "keep-alive",
  });
  res.flushHeaders();
  let n = last === undefined ? 0 : Number(last) + 1;
  const timer = setInterval(() => {
    res.write(`id: ${n}\nevent: tick\ndata: ${JSON.stringify({ n })}\n\n`);
    n += 1;
  }, 200);
  req.on("close", () => clearInterval(timer));
});

app.listen(Number(process.argv[2] || 3000), "127.0.0.1");

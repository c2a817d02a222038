// An Express event stream that starts the stream first and checks the
// token after: a client without one gets 200 text/event-stream, an `error`
// event and the end of the stream (WF-SSE-002), and the `cors` package
// reflects every origin with credentials (WF-CORS-002).
const express = require("express");
const cors = require("cors");

const app = express();
app.use(cors({ origin: true, credentials: true }));

app.get("/events", (req, res) => {
  res.set({
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache",
    Connection: "keep-alive",
  });
  res.flushHeaders();
  if (req.get("authorization") !== "Bearer secret") {
    res.write(`event: error\ndata: ${JSON.stringify({ error: "unauthorized" })}\n\n`);
    return res.end();
  }
  let n = 0;
  const timer = setInterval(() => {
    res.write(`event: tick\ndata: ${n}\n\n`);
    n += 1;
  }, 200);
  req.on("close", () => clearInterval(timer));
});

app.listen(Number(process.argv[2] || 3000), "127.0.0.1");

// An Express progress feed as server-sent events, for a front end on
// another origin (cors with an allowlist): `text/event-stream`,
// `Cache-Control: no-cache` and `X-Accel-Buffering: no` (tells nginx not
// to buffer the stream), three events, then the stream ends.
//
// Correct: no finding at warning or above is expected (X-Accel-Buffering
// instructs a proxy, not a script: it needs no exposing).
// Run: NODE_ENV=production node http_express_sse.js PORT
'use strict'

const express = require('express')
const cors = require('cors')

const app = express()
app.use(cors({ origin: ['https://app.example.com'], credentials: true }))

app.get('/', (req, res) => res.json({ progress: '/api/progress' }))

app.get('/api/progress', (req, res) => {
  res.set({
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache',
    'X-Accel-Buffering': 'no'
  })
  res.flushHeaders()
  for (const percent of [0, 50, 100]) {
    res.write(`event: progress\ndata: {"percent": ${percent}}\n\n`)
  }
  res.end()
})

app.use((req, res) => res.status(404).json({ error: 'not found' }))

app.listen(Number(process.argv[2]), '127.0.0.1')

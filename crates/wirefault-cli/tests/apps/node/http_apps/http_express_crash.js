// An Express API that resizes images "in the background": the handler
// answers 202 at once and does the work in a callback. A body whose
// `width` is not a number throws inside that callback, outside any
// request, and the uncaught exception ends the process — a mistake its
// maintainers would fix (validate before queueing; the crash takes every
// other client down with it).
//
// Run: NODE_ENV=production node http_express_crash.js PORT
'use strict'

const express = require('express')

const app = express()
app.use(express.json())

const jobs = []

app.get('/', (req, res) => res.json({ jobs: '/api/jobs' }))
app.get('/api/jobs', (req, res) => res.json(jobs))

app.post('/api/jobs', (req, res) => {
  const job = { id: jobs.length + 1, status: 'queued' }
  jobs.push(job)
  setImmediate(() => {
    job.width = req.body.width.toFixed(0)
    job.status = 'done'
  })
  res.status(202).json(job)
})

app.use((req, res) => res.status(404).json({ error: 'not found' }))

app.listen(Number(process.argv[2]), '127.0.0.1')

// An Express comments API whose errors are JSON — its own 404 handler, its
// error handler, a 422 for a comment that is not text — except one: a body
// without `text` gets `res.status(400).end()`, an empty 400 its
// maintainers would fix (WF-HTTP-006).
//
// Run: NODE_ENV=production node http_express_comments_empty_400.js PORT
'use strict'

const express = require('express')

const app = express()
app.use(express.json())

const comments = [{ id: 1, text: 'first!' }]

app.get('/', (req, res) => res.json({ comments: '/api/comments' }))
app.get('/api/comments', (req, res) => res.json(comments))

app.post('/api/comments', (req, res) => {
  if (req.body?.text === undefined) {
    return res.status(400).end()
  }
  if (typeof req.body.text !== 'string') {
    return res.status(422).json({ error: 'text must be a string' })
  }
  const comment = { id: comments.length + 1, text: req.body.text }
  comments.push(comment)
  res.status(201).json(comment)
})

app.use((req, res) => res.status(404).json({ error: 'not found' }))
app.use((err, req, res, next) => {
  res.status(err.status ?? 500).json({ error: err.status ? err.message : 'internal error' })
})

app.listen(Number(process.argv[2]), '127.0.0.1')

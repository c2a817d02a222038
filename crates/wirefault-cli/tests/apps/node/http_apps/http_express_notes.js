// A notes API written the way Express's and cors' docs write one: JSON
// routes, express.json(), and cors with an allowlist and credentials.
//
// Correct, with Express's stock defaults (its HTML 404 page, no 405).
// Run: NODE_ENV=production node http_express_notes.js PORT
'use strict'

const express = require('express')
const cors = require('cors')

const app = express()

const corsOptions = {
  origin: ['https://app.example.com', 'http://localhost:5173'],
  credentials: true
}

app.use(cors(corsOptions))
app.use(express.json())

const notes = [{ id: 1, text: 'first note' }]

app.get('/api/notes', (req, res) => {
  res.json(notes)
})

app.get('/api/notes/:id', (req, res) => {
  const note = notes.find((n) => n.id === Number(req.params.id))
  if (!note) {
    return res.status(404).json({ error: 'note not found' })
  }
  res.json(note)
})

app.post('/api/notes', (req, res) => {
  const text = req.body?.text
  if (typeof text !== 'string' || text.length === 0) {
    return res.status(400).json({ error: 'text must be a non-empty string' })
  }
  const note = { id: notes.length + 1, text }
  notes.push(note)
  res.status(201).json(note)
})

app.listen(Number(process.argv[2]), '127.0.0.1')

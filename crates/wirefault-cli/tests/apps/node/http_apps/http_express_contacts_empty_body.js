// A contacts API whose errors are JSON, but for one: an empty body.
//
// Planted mistake: `{}` is answered 400 with no body at all, where every
// other error says what went wrong in JSON (WF-HTTP-006). Only `{}` gets
// there: a body with any field goes to the field checks (422 with JSON).
// Run: NODE_ENV=production node http_express_contacts_empty_body.js PORT
'use strict'

const express = require('express')

const app = express()
app.use(express.json())

const contacts = []

app.get('/api/contacts', (req, res) => res.json(contacts))

app.post('/api/contacts', (req, res) => {
  if (!req.body || Object.keys(req.body).length === 0) {
    return res.status(400).end()
  }
  const { name, email } = req.body
  if (typeof name !== 'string' || typeof email !== 'string') {
    return res.status(422).json({ error: 'name and email must be text' })
  }
  const contact = { id: contacts.length + 1, name, email }
  contacts.push(contact)
  res.status(201).json(contact)
})

app.use((req, res) => res.status(404).json({ error: 'not found' }))
app.use((err, req, res, next) => {
  res.status(err.status ?? 500).json({ error: err.status ? err.message : 'internal error' })
})

app.listen(Number(process.argv[2]), '127.0.0.1')

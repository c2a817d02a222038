// A tags API that documents its request body in /openapi.json (a schema,
// no example) but does not check it: the handler trusts `name` to be text.
//
// Planted mistake: `{"name": 1}` throws in the handler, answered 500
// (WF-HTTP-004). Nothing but a body built from the schema reaches it:
// malformed JSON is refused by express.json(), `{}` and `[]` by the
// handler's presence check.
// Run: NODE_ENV=production node http_express_documented_tags.js PORT
'use strict'

const express = require('express')

const spec = {
  openapi: '3.1.0',
  info: { title: 'tags', version: '1.0.0' },
  paths: {
    '/tags': {
      get: { responses: { 200: { description: 'the tags' } } },
      post: {
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['name'],
                properties: {
                  name: { type: 'string', maxLength: 40 },
                  color: { type: 'string', enum: ['red', 'green', 'blue'] }
                }
              }
            }
          }
        },
        responses: { 201: { description: 'created' }, 400: { description: 'no name' } }
      }
    }
  }
}

const app = express()
app.use(express.json())

const tags = []

app.get('/openapi.json', (req, res) => res.json(spec))

app.get('/tags', (req, res) => res.json(tags))

app.post('/tags', (req, res) => {
  if (!req.body || !('name' in req.body)) {
    return res.status(400).json({ error: 'a tag needs a name' })
  }
  const tag = { name: req.body.name.toLowerCase(), color: req.body.color ?? 'blue' }
  tags.push(tag)
  res.status(201).json(tag)
})

app.use((req, res) => res.status(404).json({ error: 'not found' }))
app.use((err, req, res, next) => {
  res.status(err.status ?? 500).json({ error: err.status ? err.message : 'internal error' })
})

app.listen(Number(process.argv[2]), '127.0.0.1')

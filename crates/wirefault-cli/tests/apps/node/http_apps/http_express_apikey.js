// A reports API behind an API-key middleware, with its OpenAPI document
// served at /openapi.json (an `apiKey` scheme in the `X-API-Key` header,
// required by every operation but /health). Errors are JSON.
//
// Correct: a missing key is 401 with a challenge, a wrong one 403; bodies
// are checked before they are used (422 with the field).
// Run: NODE_ENV=production node http_express_apikey.js PORT
'use strict'

const express = require('express')

const API_KEYS = new Set(['key-for-the-audit'])

const spec = {
  openapi: '3.0.3',
  info: { title: 'reports', version: '1.0.0' },
  components: {
    securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } },
    schemas: {
      NewReport: {
        type: 'object',
        required: ['title'],
        properties: { title: { type: 'string' }, pages: { type: 'integer', minimum: 1 } }
      }
    }
  },
  security: [{ apiKey: [] }],
  paths: {
    '/health': { get: { security: [], responses: { 200: { description: 'up' } } } },
    '/api/reports': {
      get: { responses: { 200: { description: 'the reports' } } },
      post: {
        requestBody: {
          content: { 'application/json': { schema: { $ref: '#/components/schemas/NewReport' } } }
        },
        responses: { 201: { description: 'created' } }
      }
    }
  }
}

function requireApiKey (req, res, next) {
  const key = req.get('x-api-key')
  if (!key) {
    res.set('WWW-Authenticate', 'ApiKey realm="reports"')
    return res.status(401).json({ error: 'an X-API-Key header is required' })
  }
  if (!API_KEYS.has(key)) {
    return res.status(403).json({ error: 'this API key is not valid' })
  }
  next()
}

const app = express()
app.use(express.json())

const reports = []

app.get('/openapi.json', (req, res) => res.json(spec))
app.get('/health', (req, res) => res.json({ status: 'ok' }))

const api = express.Router()
api.use(requireApiKey)
api.get('/reports', (req, res) => res.json(reports))
api.post('/reports', (req, res) => {
  const { title, pages } = req.body ?? {}
  if (typeof title !== 'string' || (pages !== undefined && !Number.isInteger(pages))) {
    return res.status(422).json({ error: 'title must be text and pages an integer' })
  }
  const report = { id: reports.length + 1, title: title.trim(), pages }
  reports.push(report)
  res.status(201).json(report)
})
app.use('/api', api)

app.use((req, res) => res.status(404).json({ error: 'not found' }))
app.use((err, req, res, next) => {
  res.status(err.status ?? 500).json({ error: err.status ? err.message : 'internal error' })
})

app.listen(Number(process.argv[2]), '127.0.0.1')

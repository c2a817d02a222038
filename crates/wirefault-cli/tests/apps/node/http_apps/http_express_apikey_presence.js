// A reports API whose API-key middleware only checks that the header is
// there. No OpenAPI document; errors are JSON.
//
// Planted mistake: any X-API-Key value is let in, so a bogus key is
// answered 200 (WF-HTTP-011). The auditor sees it when given a key (-H):
// without it the request is refused, with a bogus copy it is not.
// Run: NODE_ENV=production node http_express_apikey_presence.js PORT
'use strict'

const express = require('express')

function requireApiKey (req, res, next) {
  if (!req.get('x-api-key')) {
    res.set('WWW-Authenticate', 'ApiKey realm="reports"')
    return res.status(401).json({ error: 'an X-API-Key header is required' })
  }
  next()
}

const app = express()

app.get('/health', (req, res) => res.json({ status: 'ok' }))

const api = express.Router()
api.use(requireApiKey)
api.get('/reports', (req, res) => res.json([{ id: 1, title: 'Q3' }]))
app.use('/api', api)

app.use((req, res) => res.status(404).json({ error: 'not found' }))

app.listen(Number(process.argv[2]), '127.0.0.1')

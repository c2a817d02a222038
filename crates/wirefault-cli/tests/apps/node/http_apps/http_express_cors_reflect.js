// An Express API with cors({ origin: true, credentials: true }), copied
// into many projects to "make CORS work" — a mistake its maintainers would
// fix: any site reads the signed-in user's data (WF-CORS-002). Its errors
// are JSON.
//
// Run: NODE_ENV=production node http_express_cors_reflect.js PORT
'use strict'

const express = require('express')
const cors = require('cors')

const app = express()
app.use(cors({ origin: true, credentials: true }))
app.use(express.json())

app.get('/', (req, res) => res.json({ account: '/api/account' }))
app.get('/api/account', (req, res) => res.json({ name: 'Ada', balance: 120 }))

app.use((req, res) => res.status(404).json({ error: 'not found' }))

app.listen(Number(process.argv[2]), '127.0.0.1')

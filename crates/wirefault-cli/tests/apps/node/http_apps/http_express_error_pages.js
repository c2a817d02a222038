// Error pages in the manner of Express's error-pages example: the index
// links to pages that trigger a 404, a 403 and a 500.
//
// Planted mistake: run in development mode (no NODE_ENV), Express's
// default error handler sends the error's stack trace in the 500 page
// (WF-HTTP-008). No document lists /500: only the index page's links lead
// the auditor there. Run: node http_express_error_pages.js PORT
'use strict'

const express = require('express')

const app = express()

app.get('/', (req, res) => {
  res.send(`<!doctype html><title>Error pages</title>
<h1>Pages that fail</h1>
<ul>
  <li><a href="/missing">a page that does not exist</a></li>
  <li><a href="/403">a page you may not see</a></li>
  <li><a href="/500">a page that breaks</a></li>
</ul>`)
})

app.get('/403', (req, res, next) => {
  const err = new Error('not allowed!')
  err.status = 403
  next(err)
})

app.get('/500', (req, res, next) => {
  next(new Error('keyboard cat!'))
})

app.listen(Number(process.argv[2]), '127.0.0.1')

// A small HTML site served by Express, pages linking to each other.
//
// Correct: a site for people, with Express's stock HTML 404 page.
// Run: NODE_ENV=production node http_express_site.js PORT
'use strict'

const express = require('express')

const app = express()

function page (title, body) {
  return `<!doctype html><html><head><title>${title}</title></head><body>
<nav><a href="/">Home</a> <a href="/about">About</a> <a href="/contact">Contact</a></nav>
<h1>${title}</h1>${body}</body></html>`
}

app.get('/', (req, res) => {
  res.send(page('Home', '<p>Welcome to the bakery.</p>'))
})

app.get('/about', (req, res) => {
  res.send(page('About', '<p>Baking since 1984.</p>'))
})

app.get('/contact', (req, res) => {
  res.send(page('Contact', '<p>Call us.</p>'))
})

app.listen(Number(process.argv[2]), '127.0.0.1')

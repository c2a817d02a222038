// An orders API that trusts its JSON body: express.json() parses it, and
// the handler uses the fields without checking their types.
//
// Planted mistake: an order whose `item` is not a string (or is missing)
// throws in the handler, answered 500 (WF-HTTP-004). Only a valid body's
// variants (--body) show it: malformed JSON is refused by express.json().
// Run: NODE_ENV=production node http_express_orders.js PORT
'use strict'

const express = require('express')

const app = express()
app.use(express.json())

const orders = []

app.get('/api/orders', (req, res) => {
  res.json(orders)
})

app.post('/api/orders', (req, res) => {
  const { item, quantity } = req.body
  const order = { id: orders.length + 1, item: item.trim(), quantity }
  orders.push(order)
  res.status(201).json(order)
})

app.listen(Number(process.argv[2]), '127.0.0.1')

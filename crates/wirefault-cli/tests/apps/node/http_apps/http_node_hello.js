// The hello-world server of Node's own docs, with node:http only: one
// handler for every path and every method, answering text.
//
// Correct for what it is: no finding at warning or above is expected (a
// handler that ignores the method and the path is a page, not a failure).
// Run: node http_node_hello.js PORT
'use strict'

const http = require('node:http')

const server = http.createServer((req, res) => {
  res.statusCode = 200
  res.setHeader('Content-Type', 'text/plain')
  res.end('Hello, World!\n')
})

server.listen(Number(process.argv[2]), '127.0.0.1')

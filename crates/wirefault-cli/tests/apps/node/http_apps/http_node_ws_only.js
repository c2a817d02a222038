// A WebSocket-only echo server with the ws package, as its README starts
// one: `new WebSocketServer({ port })`. Every plain HTTP request is answered
// 426 Upgrade Required by ws itself.
//
// Correct: no finding at warning or above is expected (426 with Upgrade is
// the right answer to HTTP on a WebSocket endpoint).
// Run: node http_node_ws_only.js PORT
'use strict'

const { WebSocketServer } = require('ws')

const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(process.argv[2]) })

wss.on('connection', (ws) => {
  ws.on('error', console.error)
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }))
})

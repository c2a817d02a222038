// A JSON API with node:http only, routing by hand as Node's guides show:
// a JSON 404 for anything unknown, 405 with Allow for a wrong method, and a
// body read and checked before use (400 for JSON that does not parse, 422
// for a wrong shape).
//
// Correct: no finding at warning or above is expected.
// Run: node http_node_json_api.js PORT
'use strict'

const http = require('node:http')

const sensors = [{ id: 1, name: 'porch', celsius: 11.5 }]

function send (res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost')
  if (url.pathname !== '/sensors') {
    return send(res, 404, { error: 'not found' })
  }
  if (req.method === 'GET' || req.method === 'HEAD') {
    return send(res, 200, sensors)
  }
  if (req.method !== 'POST') {
    return send(res, 405, { error: 'method not allowed' }, { Allow: 'GET, HEAD, POST' })
  }
  let raw = ''
  req.setEncoding('utf8')
  req.on('data', (chunk) => { raw += chunk })
  req.on('end', () => {
    let data
    try {
      data = JSON.parse(raw)
    } catch {
      return send(res, 400, { error: 'the body is not JSON' })
    }
    if (typeof data?.name !== 'string' || typeof data?.celsius !== 'number') {
      return send(res, 422, { error: 'name (text) and celsius (number) are required' })
    }
    const sensor = { id: sensors.length + 1, name: data.name, celsius: data.celsius }
    sensors.push(sensor)
    send(res, 201, sensor)
  })
})

server.listen(Number(process.argv[2]), '127.0.0.1')

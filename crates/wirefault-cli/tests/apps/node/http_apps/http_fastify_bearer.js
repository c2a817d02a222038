// A Fastify API behind a bearer token checked in an onRequest hook, as
// Fastify's hooks guide shows: a missing or unknown token is 401 with
// `WWW-Authenticate: Bearer` and Fastify's JSON error shape.
//
// Correct: no finding at warning or above is expected, audited with the
// token its user holds (-H "Authorization: Bearer ...").
// Run: node http_fastify_bearer.js PORT
'use strict'

const fastify = require('fastify')({ logger: false })

const TOKENS = new Map([['team-token-1', 'ops']])

fastify.addHook('onRequest', async (request, reply) => {
  if (request.url === '/') return
  const [scheme, token] = (request.headers.authorization ?? '').split(' ')
  if (scheme !== 'Bearer' || !TOKENS.has(token)) {
    reply.code(401).header('WWW-Authenticate', 'Bearer realm="api"')
      .send({ statusCode: 401, error: 'Unauthorized', message: 'a valid bearer token is required' })
  }
})

fastify.get('/', async () => ({ status: '/api/status' }))
fastify.get('/api/status', async (request) => ({ ok: true, team: TOKENS.get(request.headers.authorization.split(' ')[1]) }))

fastify.listen({ host: '127.0.0.1', port: Number(process.argv[2]) })

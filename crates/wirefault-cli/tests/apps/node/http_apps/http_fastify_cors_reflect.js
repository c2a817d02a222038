// A Fastify API for a browser front end, with @fastify/cors set to
// `origin: true, credentials: true` ("reflect the request origin") — a
// mistake its maintainers would fix: every website can read a signed-in
// user's profile with their cookies (WF-CORS-002).
//
// Run: node http_fastify_cors_reflect.js PORT
'use strict'

const fastify = require('fastify')({ logger: false })

fastify.register(require('@fastify/cors'), { origin: true, credentials: true })

fastify.get('/', async () => ({ profile: '/api/profile' }))

fastify.get('/api/profile', async () => ({ name: 'Ada', email: 'ada@example.com' }))

fastify.listen({ host: '127.0.0.1', port: Number(process.argv[2]) })

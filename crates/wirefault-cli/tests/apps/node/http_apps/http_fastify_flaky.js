// A retry demo in Fastify: the quote endpoint fails one call in ten on
// purpose (the first after a start among them), so a client's retry logic
// has something to do. The same request sent again succeeds.
//
// Correct for what it is: no finding at warning or above is expected (a
// 5xx that does not come back on the same request is not the input's
// fault).
// Run: node http_fastify_flaky.js PORT
'use strict'

const fastify = require('fastify')({ logger: false })

let calls = 0

fastify.get('/', async () => ({ quote: '/quote' }))

fastify.post('/quote', async (request, reply) => {
  calls += 1
  if (calls % 10 === 1) {
    return reply.code(500).send({ statusCode: 500, error: 'Internal Server Error', message: 'simulated failure (1 call in 10)' })
  }
  const symbol = request.body?.symbol
  if (typeof symbol !== 'string') {
    return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: 'symbol must be a string' })
  }
  return { symbol, price: 42.0 }
})

fastify.listen({ host: '127.0.0.1', port: Number(process.argv[2]) })

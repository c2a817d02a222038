// A hapi API with a hand-written token check and a hand-written export
// throttle, two mistakes its maintainers would fix:
// - the 401 is built with h.response().code(401), without WWW-Authenticate
//   (WF-HTTP-009; Boom.unauthorized('...', 'Bearer') would set it);
// - the export answers Boom.tooManyRequests() with no Retry-After
//   (WF-HTTP-010).
//
// Run: node http_hapi_account.js PORT
'use strict'

const Hapi = require('@hapi/hapi')
const Boom = require('@hapi/boom')

const init = async () => {
  const server = Hapi.server({ port: Number(process.argv[2]), host: '127.0.0.1' })

  server.route({ method: 'GET', path: '/', handler: () => ({ endpoints: ['/api/me', '/api/export'] }) })
  server.route({
    method: 'GET',
    path: '/api/me',
    handler: (request, h) => {
      if (request.headers.authorization !== 'Bearer s3cret') {
        return h.response({ statusCode: 401, error: 'Unauthorized', message: 'missing token' }).code(401)
      }
      return { user: 'ada' }
    }
  })
  let exportsLeft = 0
  server.route({
    method: 'GET',
    path: '/api/export',
    handler: () => {
      if (exportsLeft <= 0) throw Boom.tooManyRequests('export limit reached')
      exportsLeft -= 1
      return { export: 'queued' }
    }
  })

  await server.start()
}

process.on('unhandledRejection', (err) => {
  console.error(err)
  process.exit(1)
})

init()

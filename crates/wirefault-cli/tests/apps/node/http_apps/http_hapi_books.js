// A books API written the way hapi's tutorial writes one: server.route
// with method/path/handler, Boom for a missing book, CORS for the front
// end in the route defaults, hapi's stock JSON errors.
//
// Correct: no finding at warning or above is expected.
// Run: node http_hapi_books.js PORT
'use strict'

const Hapi = require('@hapi/hapi')
const Boom = require('@hapi/boom')

const books = new Map([[1, { id: 1, title: 'Dune' }]])

const init = async () => {
  const server = Hapi.server({
    port: Number(process.argv[2]),
    host: '127.0.0.1',
    routes: { cors: { origin: ['https://books.example.com'], credentials: true } }
  })

  server.route({ method: 'GET', path: '/', handler: () => ({ books: '/books' }) })
  server.route({ method: 'GET', path: '/books', handler: () => [...books.values()] })
  server.route({
    method: 'GET',
    path: '/books/{id}',
    handler: (request) => {
      const book = books.get(Number(request.params.id))
      if (!book) throw Boom.notFound('book not found')
      return book
    }
  })
  server.route({
    method: 'POST',
    path: '/books',
    handler: (request, h) => {
      const title = request.payload?.title
      if (typeof title !== 'string') throw Boom.badRequest('title must be a string')
      const book = { id: books.size + 1, title }
      books.set(book.id, book)
      return h.response(book).code(201)
    }
  })

  await server.start()
}

process.on('unhandledRejection', (err) => {
  console.error(err)
  process.exit(1)
})

init()

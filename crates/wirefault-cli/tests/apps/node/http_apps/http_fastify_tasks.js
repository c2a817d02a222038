// A tasks API written the way Fastify's docs write one: routes with a JSON
// schema for params and body (Fastify validates and answers 400 itself),
// reply.code(404) for a missing task, Fastify's stock JSON errors.
//
// Correct: no finding at warning or above is expected.
// Run: node http_fastify_tasks.js PORT
'use strict'

const fastify = require('fastify')({ logger: false })

const tasks = new Map([[1, { id: 1, title: 'write docs', done: false }]])

fastify.get('/', async () => ({ tasks: '/tasks' }))

fastify.get('/tasks', async () => [...tasks.values()])

fastify.get('/tasks/:id', {
  schema: { params: { type: 'object', properties: { id: { type: 'integer' } } } }
}, async (request, reply) => {
  const task = tasks.get(request.params.id)
  if (!task) {
    return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'task not found' })
  }
  return task
})

fastify.post('/tasks', {
  schema: {
    body: {
      type: 'object',
      required: ['title'],
      properties: { title: { type: 'string' }, done: { type: 'boolean' } }
    }
  }
}, async (request, reply) => {
  const task = { id: tasks.size + 1, title: request.body.title, done: request.body.done ?? false }
  tasks.set(task.id, task)
  return reply.code(201).send(task)
})

fastify.listen({ host: '127.0.0.1', port: Number(process.argv[2]) })

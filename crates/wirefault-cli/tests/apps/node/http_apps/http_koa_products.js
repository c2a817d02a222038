// A products API in Koa with @koa/cors trusting its front end, the
// X-Response-Time middleware from Koa's README, and a paged list that sets
// X-Total-Count. The pager's header is not in exposeHeaders, a mistake its
// maintainers would fix: the front end cannot read it (WF-CORS-007).
//
// Run: node http_koa_products.js PORT
'use strict'

const Koa = require('koa')
const Router = require('@koa/router')
const cors = require('@koa/cors')
const { bodyParser } = require('@koa/bodyparser')

const app = new Koa()
const router = new Router()
const products = [{ id: 1, name: 'pen' }, { id: 2, name: 'ink' }]

app.use(async (ctx, next) => {
  const start = Date.now()
  await next()
  ctx.set('X-Response-Time', `${Date.now() - start}ms`)
})

// JSON errors for everything thrown below.
app.use(async (ctx, next) => {
  try {
    await next()
  } catch (err) {
    ctx.status = err.status || 500
    ctx.body = { error: ctx.status < 500 ? err.message : 'internal error' }
  }
})

router.get('/', (ctx) => {
  ctx.body = { products: '/api/products' }
})
router.get('/api/products', (ctx) => {
  ctx.set('X-Total-Count', String(products.length))
  ctx.body = products
})
router.get('/api/products/:id', (ctx) => {
  const product = products.find((p) => p.id === Number(ctx.params.id))
  if (!product) ctx.throw(404, 'product not found')
  ctx.body = product
})
router.post('/api/products', (ctx) => {
  const name = ctx.request.body?.name
  if (typeof name !== 'string') ctx.throw(422, 'name must be a string')
  const product = { id: products.length + 1, name }
  products.push(product)
  ctx.status = 201
  ctx.body = product
})

app.use(cors({ origin: 'https://shop.example.com', credentials: true }))
app.use(bodyParser())
app.use(router.routes())
app.use(router.allowedMethods())

app.listen(Number(process.argv[2]), '127.0.0.1')

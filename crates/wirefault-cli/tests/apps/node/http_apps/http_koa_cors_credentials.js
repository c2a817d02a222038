// A Koa API with @koa/cors given only `credentials: true`: since @koa/cors
// 5 the origin then defaults to the request's Origin header, so any site
// is granted with credentials — a mistake its maintainers would fix
// (WF-CORS-002).
//
// Run: node http_koa_cors_credentials.js PORT
'use strict'

const Koa = require('koa')
const Router = require('@koa/router')
const cors = require('@koa/cors')

const app = new Koa()
const router = new Router()

router.get('/', (ctx) => {
  ctx.body = { cart: '/api/cart' }
})
router.get('/api/cart', (ctx) => {
  ctx.body = { items: [{ sku: 'A1', qty: 2 }] }
})

app.use(cors({ credentials: true }))
app.use(router.routes())
app.use(router.allowedMethods())

app.listen(Number(process.argv[2]), '127.0.0.1')

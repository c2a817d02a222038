// A site for people in Koa, with @koa/router and its allowedMethods()
// (405 with Allow), and a middleware that answers 406 to a client that does
// not accept HTML — it runs before the router, so a JSON client gets 406
// even for a wrong method.
//
// Correct: no finding at warning or above is expected.
// Run: node http_koa_html_site.js PORT
'use strict'

const Koa = require('koa')
const Router = require('@koa/router')

const app = new Koa()
const router = new Router()

app.use(async (ctx, next) => {
  if (!ctx.accepts('html')) {
    ctx.throw(406, 'this site only serves HTML')
  }
  await next()
})

router.get('/', (ctx) => {
  ctx.body = '<!doctype html><title>Recipes</title><a href="/recipes">Recipes</a>'
})
router.get('/recipes', (ctx) => {
  ctx.body = '<!doctype html><title>Recipes</title><ul><li>Bread</li></ul>'
})

app.use(router.routes())
app.use(router.allowedMethods())

app.listen(Number(process.argv[2]), '127.0.0.1')

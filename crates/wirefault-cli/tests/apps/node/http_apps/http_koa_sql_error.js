// A Koa users API whose error middleware sends every error's message, as
// quick examples do: `ctx.body = { error: err.message }`. A user that is not
// in the cache is looked up in the database with a mistyped column, and the
// database's error text reaches the client. Two mistakes its maintainers
// would fix:
// - a user id that names nobody is answered 500 (WF-HTTP-001);
// - the 500 body is the SQL error, statement included (WF-HTTP-008).
//
// Run: node http_koa_sql_error.js PORT
'use strict'

const Koa = require('koa')
const Router = require('@koa/router')

const app = new Koa()
const router = new Router()
const cache = new Map([[1, { id: 1, email: 'ada@example.com' }]])

// Stands in for the database driver: the statement names a column that
// does not exist, so the driver rejects it the way SQLite does.
async function query (sql) {
  throw new Error(`SQLITE_ERROR: no such column: emial (while preparing: ${sql})`)
}

app.use(async (ctx, next) => {
  try {
    await next()
  } catch (err) {
    ctx.status = err.status || 500
    ctx.body = { error: err.message }
  }
})

router.get('/api/users/:id', async (ctx) => {
  const id = Number(ctx.params.id)
  ctx.body = cache.get(id) ?? await query(`SELECT id, emial FROM users WHERE id = ${id}`)
})

app.use(router.routes())
app.use(router.allowedMethods())

app.listen(Number(process.argv[2]), '127.0.0.1')

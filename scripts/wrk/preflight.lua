-- A CORS preflight for POST from ORIGIN.
wrk.method = "OPTIONS"
wrk.headers["Origin"] = os.getenv("ORIGIN")
wrk.headers["Access-Control-Request-Method"] = "POST"
wrk.headers["Access-Control-Request-Headers"] = "content-type"

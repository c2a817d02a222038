-- POST /notes with two invalid fields (422); the reference service also
-- needs its session cookie (COOKIE).
wrk.method = "POST"
wrk.body = '{"title":"","body":42}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = os.getenv("COOKIE") or ""

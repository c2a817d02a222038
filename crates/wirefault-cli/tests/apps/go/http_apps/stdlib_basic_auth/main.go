// An admin page behind HTTP Basic authentication with net/http's
// r.BasicAuth(), compared in constant time; the 401 carries the challenge
// and no body, and everything else answers net/http's stock text errors.
//
// Correct: no finding at warning or above is expected (an empty 401 with
// WWW-Authenticate, and "404 page not found", are stock answers).
// Run: stdlib_basic_auth PORT
package main

import (
	"crypto/subtle"
	"fmt"
	"log"
	"net/http"
	"os"
)

func requireAuth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(user+":"+pass), []byte("admin:hunter2")) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="admin", charset="UTF-8"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		next(w, r)
	}
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/admin", requireAuth(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "welcome, admin")
	}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:"+os.Args[1], mux))
}

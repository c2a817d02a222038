// A net/http API behind a bearer-token middleware that only checks the
// header's shape ("Bearer " and something), a mistake its maintainers
// would fix: any made-up token gets the account (WF-HTTP-011). A request
// without a token is refused correctly: 401 with the challenge.
//
// Run: stdlib_bearer_presence PORT
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"os"
	"strings"
)

func requireToken(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			json.NewEncoder(w).Encode(map[string]string{"error": "missing bearer token"})
			return
		}
		next(w, r)
	}
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/me", requireToken(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"user": "ada", "plan": "pro"})
	}))
	log.Fatal(http.ListenAndServe("127.0.0.1:"+os.Args[1], mux))
}

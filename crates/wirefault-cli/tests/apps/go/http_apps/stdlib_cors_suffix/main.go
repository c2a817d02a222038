// A net/http API with hand-written CORS middleware that trusts "our
// domain" by suffix, two mistakes its maintainers would fix:
//   - strings.HasSuffix(origin, "example.com") also grants
//     https://evilexample.com, with credentials (WF-CORS-004);
//   - the echoed origin has no Vary: Origin, so a shared cache can serve
//     one origin's answer to another (WF-CORS-005).
//
// Run: stdlib_cors_suffix PORT
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"os"
	"strings"
)

func withCORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if strings.HasSuffix(origin, "example.com") {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
			if r.Method == http.MethodOptions {
				w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
				w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/orders", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode([]map[string]interface{}{{"id": 1, "total": 9.5}})
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:"+os.Args[1], withCORS(mux)))
}

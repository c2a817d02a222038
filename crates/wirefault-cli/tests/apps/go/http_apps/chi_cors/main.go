// A session API with chi and go-chi/cors whose AllowOriginFunc returns
// true for every origin, with AllowCredentials — a mistake its maintainers
// would fix: any site reads a signed-in user's session (WF-CORS-002).
//
// Run: chi_cors PORT
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"os"

	"github.com/go-chi/chi"
	"github.com/go-chi/cors"
)

func main() {
	r := chi.NewRouter()
	r.Use(cors.Handler(cors.Options{
		AllowOriginFunc:  func(r *http.Request, origin string) bool { return true },
		AllowedMethods:   []string{"GET", "POST"},
		AllowedHeaders:   []string{"Content-Type"},
		AllowCredentials: true,
		MaxAge:           300,
	}))
	r.Get("/", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("session service"))
	})
	r.Get("/api/session", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"user": "ada", "csrf": "token-123"})
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:"+os.Args[1], r))
}

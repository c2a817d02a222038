// A chi service with middleware.Recoverer whose handler dereferences a
// map lookup without checking it, a mistake its maintainers would fix: a
// user id that names nobody panics, and Recoverer answers 500 with an
// empty body (WF-HTTP-001; the stack goes to the log only).
//
// Run: chi_recoverer PORT
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"os"

	"github.com/go-chi/chi"
	"github.com/go-chi/chi/middleware"
)

type user struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

var users = map[string]*user{"u1": {ID: "u1", Name: "Linus"}}

func main() {
	r := chi.NewRouter()
	r.Use(middleware.Recoverer)
	r.Get("/users/{userID}", func(w http.ResponseWriter, r *http.Request) {
		u := users[chi.URLParam(r, "userID")]
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"id": u.ID, "name": u.Name})
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:"+os.Args[1], r))
}

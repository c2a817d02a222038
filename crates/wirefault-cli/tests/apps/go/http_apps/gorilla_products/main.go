// A products API with gorilla/mux: JSON handlers, a {id:[0-9]+} route, and a
// recovery middleware that writes the panic and its stack into the 500
// body "to help debugging". Two mistakes its maintainers would fix:
//   - a missing id indexes past the slice: a panic, answered 500
//     (WF-HTTP-001);
//   - the 500 body shows the panic and the goroutine's stack (WF-HTTP-008).
//
// Run: gorilla_products PORT
package main

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"

	"github.com/gorilla/mux"
)

type product struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

var products = []product{{ID: 1, Name: "lamp"}, {ID: 2, Name: "desk"}}

func recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if err := recover(); err != nil {
				w.WriteHeader(http.StatusInternalServerError)
				fmt.Fprintf(w, "panic: %v\n\n%s", err, debug.Stack())
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func listProducts(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(products)
}

func getProduct(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.Atoi(mux.Vars(r)["id"])
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(products[id-1])
}

func main() {
	r := mux.NewRouter()
	r.Use(recoverer)
	r.HandleFunc("/products", listProducts).Methods("GET")
	r.HandleFunc("/products/{id:[0-9]+}", getProduct).Methods("GET")
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		json.NewEncoder(w).Encode(map[string]string{"error": "not found"})
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:"+os.Args[1], r))
}

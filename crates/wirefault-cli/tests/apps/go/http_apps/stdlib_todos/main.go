// A to-do JSON API with net/http only, as many Go tutorials write one
// before Go 1.22's method patterns: the handler checks r.Method itself.
// Two mistakes its maintainers would fix:
//   - the method check answers 405 with http.Error but no Allow header
//     (WF-HTTP-003);
//   - a body that does not decode is answered 500 with the decoder's error
//     (WF-HTTP-004).
//
// Run: stdlib_todos PORT
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"os"
	"sync"
)

type todo struct {
	ID    int    `json:"id"`
	Title string `json:"title"`
}

var (
	mu    sync.Mutex
	todos = []todo{{ID: 1, Title: "learn Go"}}
)

func todosHandler(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(todos)
	case http.MethodPost:
		var t todo
		if err := json.NewDecoder(r.Body).Decode(&t); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		mu.Lock()
		t.ID = len(todos) + 1
		todos = append(todos, t)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(t)
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func main() {
	http.HandleFunc("/todos", todosHandler)
	log.Fatal(http.ListenAndServe("127.0.0.1:"+os.Args[1], nil))
}

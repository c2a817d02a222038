// A webhook receiver with julienschmidt/httprouter as its README writes
// one: router.POST("/:hook", ...) takes any hook name, router.GET("/")
// lists them. A GET to any other one-segment path is 405 with
// `Allow: POST, OPTIONS` from httprouter: the path exists, for POST.
//
// Correct: no finding at warning or above is expected.
// Run: httprouter_publish PORT
package main

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"sync"

	"github.com/julienschmidt/httprouter"
)

var (
	mu     sync.Mutex
	counts = map[string]int{}
)

func index(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	mu.Lock()
	defer mu.Unlock()
	fmt.Fprintf(w, "hooks received: %v\n", counts)
}

func receive(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
	io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
	mu.Lock()
	counts[ps.ByName("hook")]++
	mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

func main() {
	router := httprouter.New()
	router.GET("/", index)
	router.POST("/:hook", receive)
	log.Fatal(http.ListenAndServe("127.0.0.1:"+os.Args[1], router))
}

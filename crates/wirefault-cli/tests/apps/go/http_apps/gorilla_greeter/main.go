// A greeter with gorilla/mux as its README writes routes: path variables,
// Methods("GET"), and StrictSlash(true), which redirects /NAME to /NAME/
// with 301. Every /NAME/ is a real page.
//
// gorilla/mux answers a known path with a wrong method 405 with neither
// body nor Allow header; RFC 9110 requires Allow (WF-HTTP-003), a mistake
// the app fixes with its own MethodNotAllowedHandler.
// Run: gorilla_greeter PORT
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/gorilla/mux"
)

func home(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintln(w, "Greeter: visit /yourname/")
}

func greet(w http.ResponseWriter, r *http.Request) {
	vars := mux.Vars(r)
	fmt.Fprintf(w, "Hello, %s!\n", vars["name"])
}

func main() {
	r := mux.NewRouter().StrictSlash(true)
	r.HandleFunc("/", home).Methods("GET")
	r.HandleFunc("/{name}/", greet).Methods("GET")
	log.Fatal(http.ListenAndServe("127.0.0.1:"+os.Args[1], r))
}

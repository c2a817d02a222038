// A greeting page in the style of Go's "Writing Web Applications" article:
// one handler registered on "/" (which net/http matches for every path)
// that greets whatever path it is given, whatever the method.
//
// Correct for what it is: no finding at warning or above is expected (a
// handler for every path and method is a page, not a failure).
// Run: stdlib_wiki PORT
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
)

func handler(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "Hi there, I love %s!", r.URL.Path[1:])
}

func main() {
	http.HandleFunc("/", handler)
	log.Fatal(http.ListenAndServe("127.0.0.1:"+os.Args[1], nil))
}

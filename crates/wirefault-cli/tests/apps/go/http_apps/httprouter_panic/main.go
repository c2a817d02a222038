// A devices API with julienschmidt/httprouter and a PanicHandler that
// answers 500 with the panic's text, two mistakes its maintainers would
// fix:
//   - a device id that names nothing is a nil pointer, a panic answered
//     500 (WF-HTTP-001);
//   - the 500 body carries the runtime's panic message (WF-HTTP-008).
//
// Run: httprouter_panic PORT
package main

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/julienschmidt/httprouter"
)

type device struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

var devices = map[string]*device{"a1": {ID: "a1", Name: "thermostat"}}

func getDevice(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
	d := devices[ps.ByName("id")]
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"id": d.ID, "name": d.Name})
}

func main() {
	router := httprouter.New()
	router.GET("/devices/:id", getDevice)
	router.PanicHandler = func(w http.ResponseWriter, r *http.Request, err interface{}) {
		http.Error(w, fmt.Sprintf("panic: %v", err), http.StatusInternalServerError)
	}
	log.Fatal(http.ListenAndServe("127.0.0.1:"+os.Args[1], router))
}

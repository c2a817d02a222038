// An echo server on gorilla/websocket, written the way its echo example
// is, that logs how each client closes.
//
// Planted mistake (default): the close handler is replaced by one that only
// logs. gorilla's default handler answers a close frame with a close frame;
// this one does not, so ReadMessage returns and the deferred Close drops
// TCP: the client sees 1006 for a session it ended normally (RFC 6455
// §5.5.1). Found by WF-WS-008.
// Correct (-answer-close): the handler logs, then answers as the default
// does, as gorilla's SetCloseHandler documentation asks.
//
// Build: GO111MODULE=off GOPATH=/usr/share/gocode go build
// Run: close_logger -addr 127.0.0.1:PORT [-answer-close]
package main

import (
	"flag"
	"log"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

var (
	addr        = flag.String("addr", "127.0.0.1:8080", "http service address")
	answerClose = flag.Bool("answer-close", false, "answer the client's close frame")
)

var upgrader = websocket.Upgrader{}

func echo(w http.ResponseWriter, r *http.Request) {
	c, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		log.Print("upgrade:", err)
		return
	}
	defer c.Close()
	c.SetCloseHandler(func(code int, text string) error {
		log.Printf("client closed: %d %q", code, text)
		if !*answerClose {
			return nil
		}
		message := websocket.FormatCloseMessage(code, "")
		err := c.WriteControl(websocket.CloseMessage, message, time.Now().Add(time.Second))
		if err != nil && err != websocket.ErrCloseSent {
			return err
		}
		return nil
	})
	for {
		mt, message, err := c.ReadMessage()
		if err != nil {
			log.Println("read:", err)
			break
		}
		if err := c.WriteMessage(mt, message); err != nil {
			log.Println("write:", err)
			break
		}
	}
}

func main() {
	flag.Parse()
	log.SetFlags(0)
	http.HandleFunc("/echo", echo)
	log.Fatal(http.ListenAndServe(*addr, nil))
}

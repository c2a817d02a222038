// A notes API with Echo whose errors are JSON (echo.NewHTTPError) but for
// one: the create handler answers a body that does not bind with
// c.String(400, err.Error()), a text body its maintainers would make JSON
// like the others (WF-HTTP-007).
//
// Run: echo_notes PORT
package main

import (
	"net/http"
	"os"
	"strconv"

	"github.com/labstack/echo"
)

type note struct {
	ID   int    `json:"id"`
	Text string `json:"text"`
}

var notes = []note{{ID: 1, Text: "buy milk"}}

func main() {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.GET("/notes", func(c echo.Context) error {
		return c.JSON(http.StatusOK, notes)
	})
	e.GET("/notes/:id", func(c echo.Context) error {
		id, err := strconv.Atoi(c.Param("id"))
		if err != nil || id < 1 || id > len(notes) {
			return echo.NewHTTPError(http.StatusNotFound, "note not found")
		}
		return c.JSON(http.StatusOK, notes[id-1])
	})
	e.POST("/notes", func(c echo.Context) error {
		n := new(note)
		if err := c.Bind(n); err != nil {
			return c.String(http.StatusBadRequest, err.Error())
		}
		if n.Text == "" {
			return echo.NewHTTPError(http.StatusUnprocessableEntity, "text is required")
		}
		n.ID = len(notes) + 1
		notes = append(notes, *n)
		return c.JSON(http.StatusCreated, n)
	})
	e.Logger.Fatal(e.Start("127.0.0.1:" + os.Args[1]))
}

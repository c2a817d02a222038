// A users CRUD service in the style of Echo's cookbook: echo.New(), the
// Recover and CORS middleware, c.Bind, echo.NewHTTPError for a missing
// user; Echo's stock JSON errors ({"message": ...}).
//
// Correct: no finding at warning or above is expected.
// Run: echo_users PORT
package main

import (
	"net/http"
	"os"
	"strconv"
	"sync"

	"github.com/labstack/echo"
	"github.com/labstack/echo/middleware"
)

type user struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

var (
	users = map[int]*user{1: {ID: 1, Name: "Jon"}}
	seq   = 2
	lock  sync.Mutex
)

func createUser(c echo.Context) error {
	u := &user{}
	if err := c.Bind(u); err != nil {
		return err
	}
	if u.Name == "" {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "name is required")
	}
	lock.Lock()
	defer lock.Unlock()
	u.ID = seq
	users[u.ID] = u
	seq++
	return c.JSON(http.StatusCreated, u)
}

func getUser(c echo.Context) error {
	id, err := strconv.Atoi(c.Param("id"))
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound, "user not found")
	}
	lock.Lock()
	defer lock.Unlock()
	u, ok := users[id]
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound, "user not found")
	}
	return c.JSON(http.StatusOK, u)
}

func main() {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.Use(middleware.Recover())
	e.Use(middleware.CORSWithConfig(middleware.CORSConfig{
		AllowOrigins: []string{"https://app.example.com"},
		AllowMethods: []string{http.MethodGet, http.MethodPost},
	}))
	e.GET("/", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"users": "/users"})
	})
	e.POST("/users", createUser)
	e.GET("/users/:id", getUser)
	e.Logger.Fatal(e.Start("127.0.0.1:" + os.Args[1]))
}

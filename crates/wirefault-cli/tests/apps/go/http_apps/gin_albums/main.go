// The albums service of Go's "Developing a RESTful API with Go and Gin"
// tutorial, written again: GET/POST /albums, GET /albums/:id with a JSON
// 404, c.BindJSON for the new album.
//
// c.BindJSON answers a body that does not bind with an empty 400, while
// every other error of this API is JSON — a mistake its maintainers would
// fix (ShouldBindJSON and a JSON error; WF-HTTP-006).
// Run: gin_albums PORT
package main

import (
	"net/http"
	"os"

	"github.com/gin-gonic/gin"
)

type album struct {
	ID     string  `json:"id"`
	Title  string  `json:"title"`
	Artist string  `json:"artist"`
	Price  float64 `json:"price"`
}

var albums = []album{
	{ID: "1", Title: "Blue Train", Artist: "John Coltrane", Price: 56.99},
	{ID: "2", Title: "Jeru", Artist: "Gerry Mulligan", Price: 17.99},
}

func getAlbums(c *gin.Context) {
	c.IndentedJSON(http.StatusOK, albums)
}

func postAlbums(c *gin.Context) {
	var newAlbum album
	if err := c.BindJSON(&newAlbum); err != nil {
		return
	}
	albums = append(albums, newAlbum)
	c.IndentedJSON(http.StatusCreated, newAlbum)
}

func getAlbumByID(c *gin.Context) {
	id := c.Param("id")
	for _, a := range albums {
		if a.ID == id {
			c.IndentedJSON(http.StatusOK, a)
			return
		}
	}
	c.IndentedJSON(http.StatusNotFound, gin.H{"message": "album not found"})
}

func main() {
	gin.SetMode(gin.ReleaseMode)
	router := gin.New()
	router.GET("/albums", getAlbums)
	router.GET("/albums/:id", getAlbumByID)
	router.POST("/albums", postAlbums)
	router.Run("127.0.0.1:" + os.Args[1])
}

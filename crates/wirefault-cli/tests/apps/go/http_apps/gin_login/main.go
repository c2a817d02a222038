// A login API with gin as its README writes binding: struct tags with
// binding:"required", c.ShouldBindJSON and JSON errors; gin.Default()'s
// recovery; HandleMethodNotAllowed on, so a wrong method is 405.
//
// Correct: no finding at warning or above is expected (gin's stock
// "404 page not found" text is a stock answer).
// Run: gin_login PORT
package main

import (
	"net/http"
	"os"

	"github.com/gin-gonic/gin"
)

type login struct {
	User     string `json:"user" binding:"required"`
	Password string `json:"password" binding:"required"`
}

func main() {
	gin.SetMode(gin.ReleaseMode)
	router := gin.New()
	router.Use(gin.Recovery())
	router.HandleMethodNotAllowed = true

	router.GET("/", func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"login": "/login"})
	})
	router.POST("/login", func(c *gin.Context) {
		var json login
		if err := c.ShouldBindJSON(&json); err != nil {
			c.JSON(http.StatusBadRequest, gin.H{"error": err.Error()})
			return
		}
		if json.User != "manu" || json.Password != "123" {
			c.Header("WWW-Authenticate", `Basic realm="login"`)
			c.JSON(http.StatusUnauthorized, gin.H{"status": "unauthorized"})
			return
		}
		c.JSON(http.StatusOK, gin.H{"status": "you are logged in"})
	})
	router.Run("127.0.0.1:" + os.Args[1])
}

// A calculator with gin: /add/:a/:b and /divide/:a/:b compute from any two
// numbers, and answer 400 JSON when a parameter is not a number or the
// divisor is zero.
//
// Correct: no finding at warning or above is expected (a 200 for two large
// numbers is their sum, not a missing resource).
// Run: gin_calc PORT
package main

import (
	"net/http"
	"os"
	"strconv"

	"github.com/gin-gonic/gin"
)

func operands(c *gin.Context) (float64, float64, bool) {
	a, errA := strconv.ParseFloat(c.Param("a"), 64)
	b, errB := strconv.ParseFloat(c.Param("b"), 64)
	if errA != nil || errB != nil {
		c.JSON(http.StatusBadRequest, gin.H{"error": "a and b must be numbers"})
		return 0, 0, false
	}
	return a, b, true
}

func main() {
	gin.SetMode(gin.ReleaseMode)
	router := gin.New()
	router.GET("/", func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"try": "/add/1/2"})
	})
	router.GET("/add/:a/:b", func(c *gin.Context) {
		if a, b, ok := operands(c); ok {
			c.JSON(http.StatusOK, gin.H{"result": a + b})
		}
	})
	router.GET("/divide/:a/:b", func(c *gin.Context) {
		a, b, ok := operands(c)
		if !ok {
			return
		}
		if b == 0 {
			c.JSON(http.StatusBadRequest, gin.H{"error": "division by zero"})
			return
		}
		c.JSON(http.StatusOK, gin.H{"result": a / b})
	})
	router.Run("127.0.0.1:" + os.Args[1])
}

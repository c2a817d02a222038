// An articles API in the style of chi's REST example: middleware.Recoverer,
// a sub-router under /articles, {articleID} looked up in a context
// middleware, JSON errors for a missing article.
//
// chi 5.0.7 (Debian's) answers a wrong method 405 with neither body nor
// Allow header; RFC 9110 requires Allow and chi added it in 5.0.9
// (WF-HTTP-003, fixed by upgrading chi).
// Run: chi_articles PORT
package main

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"os"

	"github.com/go-chi/chi"
	"github.com/go-chi/chi/middleware"
)

type article struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

type ctxKey struct{}

var articles = map[string]article{"1": {ID: "1", Title: "Hi"}}

func writeJSON(w http.ResponseWriter, status int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func articleCtx(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := articles[chi.URLParam(r, "articleID")]
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"status": "Resource not found."})
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, a)))
	})
}

func main() {
	r := chi.NewRouter()
	r.Use(middleware.RequestID)
	r.Use(middleware.Recoverer)

	r.Get("/", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("root."))
	})
	r.Route("/articles", func(r chi.Router) {
		r.Get("/", func(w http.ResponseWriter, r *http.Request) {
			list := make([]article, 0, len(articles))
			for _, a := range articles {
				list = append(list, a)
			}
			writeJSON(w, http.StatusOK, list)
		})
		r.Route("/{articleID}", func(r chi.Router) {
			r.Use(articleCtx)
			r.Get("/", func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusOK, r.Context().Value(ctxKey{}).(article))
			})
		})
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:"+os.Args[1], r))
}

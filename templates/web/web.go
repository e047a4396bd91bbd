// Package web holds the web UI's pages, partials and static assets, all
// embedded, and renders them. Pages are parsed once at start-up, so a
// broken page fails the server's start, not a coordinator's click.
//
// Every page is a file in pages/ that defines a "content" block (and any
// partials that htmx swaps in alone); it is rendered inside layout.html.
// Page data is a typed struct per page that embeds Base, which the layout
// reads: the signed-in user, the CSRF token, the flash message.
package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed layout.html pages/*.html static
var files embed.FS

// Viewer is the signed-in user as the pages see them.
type Viewer struct {
	ID    int64
	Name  string
	Email string
	Role  string
}

// CanEdit reports whether the viewer may change things (coordinators and admins).
func (v Viewer) CanEdit() bool { return v.Role == "admin" || v.Role == "coordinator" }

// IsAdmin reports whether the viewer may manage users, keys and settings.
func (v Viewer) IsAdmin() bool { return v.Role == "admin" }

// Label is the name to show for the viewer.
func (v Viewer) Label() string {
	if v.Name != "" {
		return v.Name
	}
	return v.Email
}

// Base is what the layout needs; every page's data embeds it.
type Base struct {
	Title   string
	Section string // the navigation item to highlight: contacts, segments, campaigns, reports, events, outbox, settings
	User    Viewer
	CSRF    string
	Flash   string // a one-time notice after a redirect
	Error   string // a problem with the request, shown above the content
}

// Renderer renders the embedded pages.
type Renderer struct {
	pages map[string]*template.Template
	Log   *slog.Logger
}

// New parses the layout with every page.
func New(log *slog.Logger) (*Renderer, error) {
	layout, err := template.New("layout.html").Funcs(Funcs).ParseFS(files, "layout.html")
	if err != nil {
		return nil, fmt.Errorf("web: layout: %w", err)
	}
	names, err := fs.Glob(files, "pages/*.html")
	if err != nil {
		return nil, err
	}
	r := &Renderer{pages: map[string]*template.Template{}, Log: log}
	for _, name := range names {
		t, err := template.Must(layout.Clone()).ParseFS(files, name)
		if err != nil {
			return nil, fmt.Errorf("web: %w", err)
		}
		r.pages[strings.TrimSuffix(path.Base(name), ".html")] = t
	}
	return r, nil
}

// Page renders a whole page: the layout around the page's content.
func (r *Renderer) Page(w http.ResponseWriter, status int, page string, data any) {
	r.render(w, status, page, "layout", data)
}

// Partial renders one block of a page alone, for htmx to swap in.
func (r *Renderer) Partial(w http.ResponseWriter, status int, page, block string, data any) {
	r.render(w, status, page, block, data)
}

func (r *Renderer) render(w http.ResponseWriter, status int, page, block string, data any) {
	t, ok := r.pages[page]
	if !ok {
		r.Log.Error("web: no such page", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	// Render into a buffer first, so a failing template gives a clean 500
	// instead of half a page.
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, data); err != nil {
		r.Log.Error("web: render failed", "page", page, "block", block, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// Static serves the embedded CSS, JavaScript and images under /static/.
func Static() http.Handler {
	sub, _ := fs.Sub(files, "static")
	fsrv := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}

// Funcs are the helpers every page may use.
var Funcs = template.FuncMap{
	"when": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			if v.IsZero() {
				return ""
			}
			return v.Format("2 Jan 2006 15:04")
		case *time.Time:
			if v == nil || v.IsZero() {
				return ""
			}
			return v.Format("2 Jan 2006 15:04")
		}
		return ""
	},
	"day": func(t time.Time) string { return t.Format("Mon 2 Jan 2006") },
	// pct formats a proportion (0..1) as a percentage.
	"pct": func(p float64) string { return fmt.Sprintf("%.0f%%", 100*p) },
	"add": func(a, b int) int { return a + b },
	"sub": func(a, b int) int { return a - b },
}

package crm

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"outreach/templates/web"
)

// Web is the web UI's front door: sign-in, sessions, CSRF checks and roles
// for every page, and the renderer the pages of every part share.
type Web struct {
	DB     *sqlx.DB
	Pages  *web.Renderer
	Log    *slog.Logger
	Secure bool // set cookies for HTTPS only (the base URL is https)
	// MaxUploadBytes bounds a multipart form (a CSV upload); other forms
	// may be 1 MiB.
	MaxUploadBytes int64
	// Proxies are the reverse proxies whose X-Forwarded-For names the
	// client, so the sign-in throttle counts each client and not every
	// sign-in behind the proxy as one.
	Proxies Proxies
}

const (
	sessionCookie    = "outreach_session"
	loginCSRFCookie  = "outreach_login_csrf"
	flashCookie      = "outreach_flash"
	csrfField        = "csrf"
	csrfHeader       = "X-CSRF-Token"
	maxFormBodyBytes = 1 << 20
)

type sessionKey struct{}

// SessionFrom returns the session the Page middleware attached.
func SessionFrom(ctx context.Context) Session {
	s, _ := ctx.Value(sessionKey{}).(Session)
	return s
}

// Routes registers sign-in, sign-out, the static assets and the start page.
func (wb *Web) Routes(mux *http.ServeMux) {
	mux.Handle("GET /static/", web.Static())
	mux.HandleFunc("GET /login", wb.showLogin)
	mux.HandleFunc("POST /login", wb.login)
	mux.HandleFunc("POST /logout", wb.Page(RoleViewer, wb.logout))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/contacts", http.StatusSeeOther)
	})
}

// Page guards a UI route: without a session it redirects to sign-in; a
// role below min gets a 403 page; a request that changes something must
// carry the session's CSRF token and come from this site.
func (wb *Web) Page(min Role, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, ok := wb.session(w, r)
		if !ok {
			return
		}
		ctx := WithPrincipal(context.WithValue(r.Context(), sessionKey{}, s), Principal{Role: s.User.Role, Name: s.User.Email})
		r = r.WithContext(ctx)
		if unsafeMethod(r.Method) {
			if err := wb.checkCSRF(r, s.CSRF); err != nil {
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					wb.Fail(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("The upload is larger than the limit of %d bytes.", tooBig.Limit))
					return
				}
				wb.Fail(w, r, http.StatusForbidden, "This form has expired or did not come from Outreach. Reload the page and try again.")
				return
			}
		}
		if !s.User.Role.Allows(min) {
			wb.Fail(w, r, http.StatusForbidden, "Your role ("+string(s.User.Role)+") can look but not change this; it needs "+string(min)+".")
			return
		}
		h(w, r)
	}
}

func (wb *Web) session(w http.ResponseWriter, r *http.Request) (Session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err == nil {
		s, err := SessionBySecret(r.Context(), wb.DB, c.Value)
		if err == nil {
			return s, true
		}
		if !errors.Is(err, ErrNotFound) {
			wb.Log.ErrorContext(r.Context(), "session lookup failed", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return Session{}, false
		}
	}
	if r.Header.Get("HX-Request") != "" { // htmx: send the whole page to sign-in
		w.Header().Set("HX-Redirect", "/login")
		w.WriteHeader(http.StatusUnauthorized)
		return Session{}, false
	}
	next := r.URL.RequestURI()
	if r.Method != http.MethodGet {
		next = "/"
	}
	http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
	return Session{}, false
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

var errCSRF = errors.New("missing or wrong CSRF token")

// checkCSRF checks the token (form field or htmx header) and, when the
// browser says where the request comes from, that it is this site. Reading
// the form field reads the body: a plain form may be 1 MiB, an upload up
// to MaxUploadBytes.
func (wb *Web) checkCSRF(r *http.Request, want string) error {
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return errCSRF
		}
	}
	got := r.Header.Get(csrfHeader)
	if got == "" {
		var err error
		if got, err = wb.formToken(r); err != nil {
			return err
		}
	} else {
		wb.limitBody(r) // the handler reads the body; bound it all the same
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return errCSRF
	}
	return nil
}

func (wb *Web) formToken(r *http.Request) (string, error) {
	multipart := wb.limitBody(r)
	if !multipart {
		if err := r.ParseForm(); err != nil {
			return "", err
		}
		return r.PostFormValue(csrfField), nil
	}
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		return "", err
	}
	return r.PostFormValue(csrfField), nil
}

// limitBody bounds the request body: 1 MiB for a plain form, the upload
// limit (plus room for the other fields and the multipart framing) for a
// multipart one. It reports whether the body is multipart.
func (wb *Web) limitBody(r *http.Request) bool {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		r.Body = http.MaxBytesReader(nil, r.Body, maxFormBodyBytes)
		return false
	}
	limit := wb.MaxUploadBytes
	if limit <= 0 {
		limit = maxFormBodyBytes
	}
	r.Body = http.MaxBytesReader(nil, r.Body, limit+64<<10)
	return true
}

// Base fills the layout's data for a page.
func (wb *Web) Base(r *http.Request, title, section string) web.Base {
	s := SessionFrom(r.Context())
	return web.Base{
		Title: title, Section: section, CSRF: s.CSRF,
		User: web.Viewer{ID: s.User.ID, Name: s.User.Name, Email: s.User.Email, Role: string(s.User.Role)},
	}
}

// Render renders a page, adding the flash message a redirect left.
func (wb *Web) Render(w http.ResponseWriter, r *http.Request, status int, page string, data any, base *web.Base) {
	if c, err := r.Cookie(flashCookie); err == nil && base != nil {
		if msg, err := url.QueryUnescape(c.Value); err == nil {
			base.Flash = msg
		}
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1})
	}
	wb.Pages.Page(w, status, page, data)
}

// Redirect answers a form post with a redirect (so a reload does not post
// again) and a one-time message for the next page.
func (wb *Web) Redirect(w http.ResponseWriter, r *http.Request, to, flash string) {
	if flash != "" {
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(flash), Path: "/", MaxAge: 60,
			HttpOnly: true, Secure: wb.Secure, SameSite: http.SameSiteLaxMode})
	}
	if r.Header.Get("HX-Request") != "" {
		w.Header().Set("HX-Redirect", to)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

type errorPage struct {
	web.Base
	Status  int
	Message string
}

// Fail renders an error page with a message for the coordinator.
func (wb *Web) Fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	p := errorPage{Base: wb.Base(r, http.StatusText(status), ""), Status: status, Message: msg}
	wb.Pages.Page(w, status, "error", p)
}

// Internal logs an unexpected error once and shows a generic error page.
func (wb *Web) Internal(w http.ResponseWriter, r *http.Request, err error) {
	wb.Log.ErrorContext(r.Context(), "page failed", "path", r.URL.Path, "err", err)
	wb.Fail(w, r, http.StatusInternalServerError, "Something went wrong on our side; it has been logged.")
}

// Problem maps a domain error to a page: validation errors and conflicts
// are the coordinator's to fix and are shown; anything else is internal.
func (wb *Web) Problem(w http.ResponseWriter, r *http.Request, err error) {
	var ve *ValidationError
	switch {
	case errors.As(err, &ve):
		wb.Fail(w, r, http.StatusBadRequest, ve.Error())
	case errors.Is(err, ErrNotFound):
		wb.Fail(w, r, http.StatusNotFound, "Not found.")
	case errors.Is(err, ErrConflict):
		wb.Fail(w, r, http.StatusConflict, err.Error())
	case BadText(err):
		wb.Fail(w, r, http.StatusBadRequest, "A field contains a NUL byte or a character that cannot be stored.")
	default:
		wb.Internal(w, r, err)
	}
}

type loginPage struct {
	web.Base
	Email string
	Next  string
}

func (wb *Web) showLogin(w http.ResponseWriter, r *http.Request) {
	wb.loginForm(w, r, http.StatusOK, "")
}

// loginForm renders the sign-in form with a fresh token for it.
func (wb *Web) loginForm(w http.ResponseWriter, r *http.Request, status int, problem string) {
	token := randomToken()
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: token, Path: "/login", HttpOnly: true,
		Secure: wb.Secure, SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	p := loginPage{Base: web.Base{Title: "Sign in", CSRF: token, Error: problem}, Next: safeNext(r.FormValue("next"))}
	wb.Pages.Page(w, status, "login", p)
}

func (wb *Web) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBodyBytes)
	// The sign-in form is checked by double submit: the token in the form
	// must match the cookie set with it, which another site cannot read.
	var token string
	if c, err := r.Cookie(loginCSRFCookie); err == nil {
		token = c.Value
	}
	if token == "" || subtle.ConstantTimeCompare([]byte(token), []byte(r.FormValue(csrfField))) != 1 {
		wb.loginForm(w, r, http.StatusForbidden, "The sign-in form expired. Please try again.")
		return
	}
	email, next := strings.TrimSpace(r.FormValue("email")), safeNext(r.FormValue("next"))
	secret, _, err := SignIn(r.Context(), wb.DB, email, r.FormValue("password"), wb.Proxies.Client(r).String())
	if err != nil {
		status, msg := http.StatusUnauthorized, "Wrong email or password."
		switch {
		case errors.Is(err, ErrTooManyAttempts):
			status, msg = http.StatusTooManyRequests, "Too many failed sign-ins. Wait a few minutes and try again."
			w.Header().Set("Retry-After", "900")
		case !errors.Is(err, ErrNotFound):
			wb.Internal(w, r, err)
			return
		}
		wb.Pages.Page(w, status, "login", loginPage{Base: web.Base{Title: "Sign in", CSRF: token, Error: msg}, Email: email, Next: next})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true, Secure: wb.Secure,
		SameSite: http.SameSiteLaxMode, Expires: time.Now().Add(SessionLifetime)})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (wb *Web) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := EndSession(r.Context(), wb.DB, c.Value); err != nil {
			wb.Internal(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1, HttpOnly: true, Secure: wb.Secure})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// safeNext keeps a post-sign-in redirect on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/contacts"
	}
	return next
}

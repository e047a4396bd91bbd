package crm

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/jmoiron/sqlx"

	"outreach/crm/jsonhttp"
)

// Principal is who makes a request: an API key or a signed-in coordinator.
type Principal struct {
	Role Role
	Name string // the key's name or the user's email, for the timeline
}

type principalKey struct{}

// PrincipalFrom returns the principal Auth attached to the request context.
func PrincipalFrom(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}

// WithPrincipal returns a context carrying p; other front doors (the web
// UI's sessions) use it to act through the same handlers.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// Auth guards API routes with bearer API keys and roles.
type Auth struct {
	DB  *sqlx.DB
	Log *slog.Logger
}

// Require answers 401 without a valid key, 403 when the key's role is
// below min, and otherwise calls h with the principal in the context.
func (a Auth) Require(min Role, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := PrincipalFrom(r.Context()), false
		if p.Role != "" {
			ok = true
		} else {
			p, ok = a.bearer(w, r)
		}
		if !ok {
			return
		}
		if !p.Role.Allows(min) {
			jsonhttp.Fail(w, http.StatusForbidden, "this needs the "+string(min)+" role; yours is "+string(p.Role))
			return
		}
		h(w, r.WithContext(WithPrincipal(r.Context(), p)))
	}
}

func (a Auth) bearer(w http.ResponseWriter, r *http.Request) (Principal, bool) {
	scheme, secret, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="outreach"`)
		jsonhttp.Fail(w, http.StatusUnauthorized, "missing API key: send Authorization: Bearer <key>")
		return Principal{}, false
	}
	k, err := APIKeyBySecret(r.Context(), a.DB, strings.TrimSpace(secret))
	if errors.Is(err, ErrNotFound) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="outreach", error="invalid_token"`)
		jsonhttp.Fail(w, http.StatusUnauthorized, "unknown or revoked API key")
		return Principal{}, false
	}
	if err != nil {
		a.Log.ErrorContext(r.Context(), "api key lookup failed", "err", err)
		jsonhttp.Fail(w, http.StatusInternalServerError, "internal error")
		return Principal{}, false
	}
	return Principal{Role: k.Role, Name: "apikey:" + k.Name}, true
}

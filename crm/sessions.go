package crm

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// SessionLifetime is how long a web session lasts without use.
const SessionLifetime = 12 * time.Hour

// Session is a signed-in coordinator in the web UI.
type Session struct {
	User User
	CSRF string // sent back with every state-changing request
}

// CreateSession starts a session for a user and returns the secret for the
// cookie. Only the secret's hash is stored.
func CreateSession(ctx context.Context, db sqlx.ExecerContext, userID int64) (string, Session, error) {
	secret, csrf := randomToken(), randomToken()
	_, err := db.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at)
		VALUES ($1, $2, $3, now() + $4 * interval '1 second')`, hashToken(secret), userID, csrf, SessionLifetime.Seconds())
	if err != nil {
		return "", Session{}, fmt.Errorf("crm: create session: %w", err)
	}
	return secret, Session{CSRF: csrf}, nil
}

// SessionBySecret returns the live session a cookie names and extends it;
// ErrNotFound for an unknown, expired or disabled user's session.
func SessionBySecret(ctx context.Context, db sqlx.QueryerContext, secret string) (Session, error) {
	var row struct {
		User
		CSRF string `db:"csrf_token"`
	}
	err := sqlx.GetContext(ctx, db, &row, `UPDATE sessions s SET last_seen_at = now(),
			expires_at = greatest(s.expires_at, now() + $2 * interval '1 second')
		FROM users u WHERE s.token_hash = $1 AND u.id = s.user_id AND s.expires_at > now() AND u.disabled_at IS NULL
		RETURNING u.id, u.email, u.name, u.role, u.created_at, s.csrf_token`, hashToken(secret), SessionLifetime.Seconds())
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNotFound
	}
	if err != nil {
		return Session{}, fmt.Errorf("crm: session: %w", err)
	}
	return Session{User: row.User, CSRF: row.CSRF}, nil
}

// EndSession signs a session out.
func EndSession(ctx context.Context, db sqlx.ExecerContext, secret string) error {
	if _, err := db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1 OR expires_at < now()`, hashToken(secret)); err != nil {
		return fmt.Errorf("crm: end session: %w", err)
	}
	return nil
}

// Login throttle: after this many failures within the window, for one
// email or from one client address, sign-in is refused until the window
// has passed. Counting in Postgres makes it hold across server processes.
const (
	LoginFailureLimit  = 5
	LoginFailureWindow = 15 * time.Minute
)

// ErrTooManyAttempts is returned by SignIn while the throttle holds.
var ErrTooManyAttempts = errors.New("too many failed sign-ins; try again in a few minutes")

// SignIn checks a password under the login throttle and starts a session.
func SignIn(ctx context.Context, db *sqlx.DB, email, password, client string) (string, Session, error) {
	var failures int
	err := db.GetContext(ctx, &failures, `SELECT greatest(
			(SELECT count(*) FROM login_failures WHERE email = lower($1) AND failed_at > now() - $3 * interval '1 second'),
			(SELECT count(*) FROM login_failures WHERE client = $2 AND failed_at > now() - $3 * interval '1 second'))`,
		email, client, LoginFailureWindow.Seconds())
	if err != nil {
		return "", Session{}, fmt.Errorf("crm: sign in: %w", err)
	}
	if failures >= LoginFailureLimit {
		return "", Session{}, ErrTooManyAttempts
	}
	u, err := CheckPassword(ctx, db, email, password)
	if errors.Is(err, ErrNotFound) {
		_, ferr := db.ExecContext(ctx, `INSERT INTO login_failures (email, client) VALUES (lower($1), $2)`, email, client)
		if ferr != nil {
			return "", Session{}, fmt.Errorf("crm: sign in: %w", ferr)
		}
		return "", Session{}, err
	}
	if err != nil {
		return "", Session{}, err
	}
	secret, s, err := CreateSession(ctx, db, u.ID)
	s.User = u
	return secret, s, err
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

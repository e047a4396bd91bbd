package crm

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/crypto/bcrypt"
)

// Role is what a coordinator or API key may do. Each role includes the
// ones below it: admin > coordinator > viewer.
type Role string

// The roles, from most to least powerful.
const (
	RoleAdmin       Role = "admin"
	RoleCoordinator Role = "coordinator"
	RoleViewer      Role = "viewer"
)

var roleRank = map[Role]int{RoleViewer: 1, RoleCoordinator: 2, RoleAdmin: 3}

// ParseRole accepts a role name in any case.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if roleRank[r] == 0 {
		return "", invalid("role", "unknown role %q (expected admin, coordinator or viewer)", s)
	}
	return r, nil
}

// Allows reports whether r includes the permissions of min.
func (r Role) Allows(min Role) bool { return roleRank[r] >= roleRank[min] }

// MinPasswordLength is the shortest password a coordinator may choose.
const MinPasswordLength = 10

// User is a coordinator account.
type User struct {
	ID        int64     `db:"id" json:"id"`
	Email     string    `db:"email" json:"email"`
	Name      string    `db:"name" json:"name"`
	Role      Role      `db:"role" json:"role"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
}

// AddUser creates a coordinator account with a bcrypt-hashed password.
func AddUser(ctx context.Context, db sqlx.QueryerContext, email, name string, role Role, password string) (User, error) {
	var u User
	email, err := NormaliseEmail(email)
	if err != nil {
		return u, err
	}
	if len([]rune(password)) < MinPasswordLength {
		return u, invalid("password", "must be at least %d characters", MinPasswordLength)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return u, invalid("password", "%v", err)
	}
	err = sqlx.GetContext(ctx, db, &u, `INSERT INTO users (email, name, role, password_hash) VALUES ($1, $2, $3, $4)
		RETURNING id, email, name, role, created_at`, email, strings.TrimSpace(name), role, string(hash))
	if isUniqueViolation(err) {
		return u, fmt.Errorf("user %s already exists: %w", email, ErrConflict)
	}
	if err != nil {
		return u, fmt.Errorf("crm: add user: %w", err)
	}
	return u, nil
}

// CheckPassword returns the user with that email and password; ErrNotFound
// for an unknown email or a wrong password alike, so a caller cannot tell
// which one was wrong.
func CheckPassword(ctx context.Context, q sqlx.QueryerContext, email, password string) (User, error) {
	var row struct {
		User
		Hash string `db:"password_hash"`
	}
	err := sqlx.GetContext(ctx, q, &row, `SELECT id, email, name, role, created_at, password_hash FROM users
		WHERE email = lower($1) AND disabled_at IS NULL`, strings.TrimSpace(email))
	if errors.Is(err, sql.ErrNoRows) {
		// Spend the same time as a real check so timing does not reveal accounts.
		bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("crm: check password: %w", err)
	}
	if bcrypt.CompareHashAndPassword([]byte(row.Hash), []byte(password)) != nil {
		return User{}, ErrNotFound
	}
	return row.User, nil
}

// dummyHash is a valid bcrypt hash to compare against for unknown users.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("not a password"), bcrypt.DefaultCost)
	return h
})

// APIKey describes a key; the secret itself is shown once, at creation.
type APIKey struct {
	ID         int64      `db:"id" json:"id"`
	Name       string     `db:"name" json:"name"`
	Role       Role       `db:"role" json:"role"`
	Prefix     string     `db:"prefix" json:"prefix"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
	LastUsedAt *time.Time `db:"last_used_at" json:"last_used_at"`
}

// keyPrefix marks Outreach keys so secret scanners and people recognise them.
const keyPrefix = "ork_"

// CreateAPIKey makes a new random key and stores only its SHA-256 hash.
// The returned secret cannot be recovered later.
func CreateAPIKey(ctx context.Context, db sqlx.QueryerContext, name string, role Role) (string, APIKey, error) {
	var k APIKey
	if strings.TrimSpace(name) == "" {
		return "", k, invalid("name", "must not be empty")
	}
	b := make([]byte, 32)
	rand.Read(b) // crypto/rand never fails on supported platforms
	secret := keyPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	err := sqlx.GetContext(ctx, db, &k, `INSERT INTO api_keys (name, role, prefix, key_hash) VALUES ($1, $2, $3, $4)
		RETURNING id, name, role, prefix, created_at, last_used_at`, strings.TrimSpace(name), role, secret[:10], hashKey(secret))
	if err != nil {
		return "", k, fmt.Errorf("crm: create api key: %w", err)
	}
	return secret, k, nil
}

func hashKey(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// APIKeyBySecret returns the live key with that secret, or ErrNotFound.
// Last use is recorded at most once a minute, so reads stay reads.
func APIKeyBySecret(ctx context.Context, db sqlx.ExtContext, secret string) (APIKey, error) {
	var k APIKey
	err := sqlx.GetContext(ctx, db, &k, `SELECT id, name, role, prefix, created_at, last_used_at
		FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`, hashKey(secret))
	if errors.Is(err, sql.ErrNoRows) {
		return k, ErrNotFound
	}
	if err != nil {
		return k, fmt.Errorf("crm: api key: %w", err)
	}
	if k.LastUsedAt == nil || time.Since(*k.LastUsedAt) > time.Minute {
		if _, err := db.ExecContext(ctx, `UPDATE api_keys SET last_used_at = now() WHERE id = $1`, k.ID); err != nil {
			return k, fmt.Errorf("crm: api key: %w", err)
		}
	}
	return k, nil
}

// UserAccount is a user as the admin's list shows it, with whether the
// account is disabled.
type UserAccount struct {
	User
	DisabledAt *time.Time `db:"disabled_at" json:"disabled_at"`
}

// Users lists every account, enabled or not, by email.
func Users(ctx context.Context, q sqlx.QueryerContext) ([]UserAccount, error) {
	out := []UserAccount{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT id, email, name, role, created_at, disabled_at FROM users ORDER BY email`)
	if err != nil {
		return nil, fmt.Errorf("crm: users: %w", err)
	}
	return out, nil
}

// SetUserDisabled disables or re-enables an account. A disabled user can
// neither sign in nor use a session already open, since sign-in and
// session lookups both skip disabled accounts.
func SetUserDisabled(ctx context.Context, db sqlx.ExecerContext, id int64, disabled bool) error {
	res, err := db.ExecContext(ctx, `UPDATE users SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) END
		WHERE id = $1`, id, disabled)
	if err != nil {
		return fmt.Errorf("crm: disable user %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// APIKeys lists the keys that have not been revoked, newest first.
func APIKeys(ctx context.Context, q sqlx.QueryerContext) ([]APIKey, error) {
	out := []APIKey{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT id, name, role, prefix, created_at, last_used_at
		FROM api_keys WHERE revoked_at IS NULL ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("crm: api keys: %w", err)
	}
	return out, nil
}

// RevokeAPIKey stops a key from working; ErrNotFound if no live key has that id.
func RevokeAPIKey(ctx context.Context, db sqlx.ExecerContext, id int64) error {
	res, err := db.ExecContext(ctx, `UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, id)
	if err != nil {
		return fmt.Errorf("crm: revoke api key %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

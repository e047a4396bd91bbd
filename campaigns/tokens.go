package campaigns

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// Link kinds carried in a token; a token for one kind never works for another.
const (
	LinkOpen        byte = 'o'
	LinkClick       byte = 'c'
	LinkRSVPYes     byte = 'y'
	LinkRSVPNo      byte = 'n'
	LinkUnsubscribe byte = 'u'
	LinkReply       byte = 'r' // in a per-recipient Reply-To plus-address
)

// macSize is the truncated HMAC length: 128 bits, beyond guessing.
const macSize = 16

// Lower-case base32 survives mail systems that change the case of an
// address's local part (the mailto: unsubscribe address carries a token).
var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Signer makes and checks the signed tokens of tracking, RSVP and
// unsubscribe links.
type Signer struct {
	key []byte
}

// NewSigner returns a signer for the secret.
func NewSigner(secret []byte) *Signer { return &Signer{key: secret} }

// Token signs a link of one kind for one recipient; extra (a click's
// target URL) is carried inside the token, so nothing needs storing.
func (s *Signer) Token(kind byte, recipientID int64, extra string) string {
	payload := binary.AppendUvarint([]byte{kind}, uint64(recipientID))
	payload = append(payload, extra...)
	return tokenEncoding.EncodeToString(payload) + "." + tokenEncoding.EncodeToString(s.mac(payload))
}

func (s *Signer) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write(payload)
	return m.Sum(nil)[:macSize]
}

// ErrBadToken is returned for a token that is forged, altered, truncated
// or of the wrong kind.
var ErrBadToken = errors.New("invalid link")

// Parse checks a token and returns its recipient and extra data.
func (s *Signer) Parse(kind byte, token string) (int64, string, error) {
	p, m, ok := strings.Cut(strings.ToLower(token), ".")
	if !ok {
		return 0, "", ErrBadToken
	}
	payload, err1 := tokenEncoding.DecodeString(p)
	mac, err2 := tokenEncoding.DecodeString(m)
	if err1 != nil || err2 != nil || len(payload) < 2 || !hmac.Equal(mac, s.mac(payload)) || payload[0] != kind {
		return 0, "", ErrBadToken
	}
	// The decoder ignores the unused low bits of the last character, so
	// several spellings decode alike; only the one Token writes is valid.
	if tokenEncoding.EncodeToString(payload) != p || tokenEncoding.EncodeToString(mac) != m {
		return 0, "", ErrBadToken
	}
	id, n := binary.Uvarint(payload[1:])
	if n <= 0 || id == 0 || id > 1<<62 {
		return 0, "", ErrBadToken
	}
	return int64(id), string(payload[1+n:]), nil
}

// LoadSecret returns the configured secret, or the one generated on first
// start and kept in the database, so links stay valid across restarts and
// across every process of one installation.
func LoadSecret(ctx context.Context, db *sqlx.DB, configured string) ([]byte, error) {
	if configured != "" {
		if len(configured) < 16 {
			return nil, fmt.Errorf("OUTREACH_SECRET must be at least 16 characters")
		}
		return []byte(configured), nil
	}
	b := make([]byte, 32)
	rand.Read(b) // crypto/rand never fails on supported platforms
	_, err := db.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('secret', $1) ON CONFLICT DO NOTHING`, hex.EncodeToString(b))
	if err != nil {
		return nil, fmt.Errorf("campaigns: store secret: %w", err)
	}
	var v string
	if err := db.GetContext(ctx, &v, `SELECT value FROM settings WHERE key = 'secret'`); err != nil {
		return nil, fmt.Errorf("campaigns: read secret: %w", err)
	}
	return bytes.Clone([]byte(v)), nil
}

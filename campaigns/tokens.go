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
	"hash"
	"strings"
	"sync"

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
// unsubscribe links. It is safe for concurrent use and must not be copied.
type Signer struct {
	key []byte
	// macs holds *macState values for reuse: a message needs about ten
	// tokens, and making a keyed HMAC is most of a token's cost.
	macs sync.Pool
}

// macState is a keyed HMAC with the buffer a token is built in.
type macState struct {
	mac hash.Hash
	buf []byte
}

// NewSigner returns a signer for the secret.
func NewSigner(secret []byte) *Signer { return &Signer{key: secret} }

func (s *Signer) state() *macState {
	st, ok := s.macs.Get().(*macState)
	if !ok {
		return &macState{mac: hmac.New(sha256.New, s.key)}
	}
	// Reset restores the keyed state saved by the first Reset, which is
	// much cheaper than keying a new HMAC.
	st.mac.Reset()
	return st
}

func (s *Signer) release(st *macState) {
	if cap(st.buf) > 4<<10 {
		st.buf = nil // a rare long click target: do not keep its buffer
	}
	s.macs.Put(st)
}

// Token signs a link of one kind for one recipient; extra (a click's
// target URL) is carried inside the token, so nothing needs storing.
func (s *Signer) Token(kind byte, recipientID int64, extra string) string {
	return s.signed("", "", "", kind, recipientID, extra)
}

// signed returns prefix, path, the token and suffix as one string, built
// in one allocation. The token's extra data is the parts of extra joined.
func (s *Signer) signed(prefix, path, suffix string, kind byte, recipientID int64, extra ...string) string {
	var b strings.Builder
	b.Grow(len(prefix) + len(path) + tokenLen(recipientID, extra) + len(suffix))
	b.WriteString(prefix)
	b.WriteString(path)
	s.writeToken(&b, kind, recipientID, extra)
	b.WriteString(suffix)
	return b.String()
}

// tokenLen is the length of the token writeToken writes.
func tokenLen(recipientID int64, extra []string) int {
	var id [binary.MaxVarintLen64]byte
	n := 1 + len(binary.AppendUvarint(id[:0], uint64(recipientID)))
	for _, e := range extra {
		n += len(e)
	}
	return tokenEncoding.EncodedLen(n) + 1 + tokenEncoding.EncodedLen(macSize)
}

// writeToken writes the encoded payload, ".", and its encoded MAC. The
// payload, MAC and encodings are all built in the pooled buffer.
func (s *Signer) writeToken(b *strings.Builder, kind byte, recipientID int64, extra []string) {
	st := s.state()
	payload := binary.AppendUvarint(append(st.buf[:0], kind), uint64(recipientID))
	for _, e := range extra {
		payload = append(payload, e...)
	}
	n := len(payload)
	st.mac.Write(payload)
	buf := st.mac.Sum(payload)
	mac := buf[n : n+macSize]
	// The encoders append after the MAC; should the buffer move, payload
	// and mac still read the old one, which is left as it was.
	buf = tokenEncoding.AppendEncode(buf, payload)
	buf = append(buf, '.')
	buf = tokenEncoding.AppendEncode(buf, mac)
	b.Write(buf[n+sha256.Size:])
	st.buf = buf[:0]
	s.release(st)
}

// mac is the truncated HMAC of payload.
func (s *Signer) mac(payload []byte) []byte {
	st := s.state()
	st.mac.Write(payload)
	sum := st.mac.Sum(make([]byte, 0, sha256.Size))[:macSize]
	s.release(st)
	return sum
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

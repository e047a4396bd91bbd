package campaigns

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"strings"
	"sync"
	"testing"
)

// referenceToken is Token as first written, with a new HMAC for every
// token: the tokens already sent must stay valid and the same.
func referenceToken(key []byte, kind byte, recipientID int64, extra string) string {
	payload := binary.AppendUvarint([]byte{kind}, uint64(recipientID))
	payload = append(payload, extra...)
	m := hmac.New(sha256.New, key)
	m.Write(payload)
	return tokenEncoding.EncodeToString(payload) + "." + tokenEncoding.EncodeToString(m.Sum(nil)[:macSize])
}

var linkKinds = []byte{LinkOpen, LinkClick, LinkRSVPYes, LinkRSVPNo, LinkUnsubscribe, LinkReply}

// FuzzToken checks the signed link tokens. A token made by Token parses
// back to its recipient and extra data, for its own kind only and only
// under its own secret; changing any one character of it (other than its
// case, which mail systems change) gets it refused; and Parse of any string
// never panics and accepts only what Token would have produced.
func FuzzToken(f *testing.F) {
	s := NewSigner([]byte("fuzz-secret-0123456789"))
	for i, kind := range linkKinds {
		f.Add(kind, int64(i+1), "https://example.org/page?x=1", s.Token(kind, int64(i+1), ""), uint(i), byte('a'))
	}
	f.Add(LinkClick, int64(1)<<62, "", "a.b", uint(0), byte('.'))
	f.Add(LinkOpen, int64(0), "\x00\xff", "", uint(3), byte('7'))
	f.Add(LinkReply, int64(-1), "é", "AEBAGBAF.AYDQQCIKBMGA2DQPCA", uint(99), byte('Z'))
	other := NewSigner([]byte("another-secret-0123456789"))
	f.Fuzz(func(t *testing.T, kind byte, id int64, extra, token string, at uint, b byte) {
		// Any string: never a panic, and an accepted one is a signed token.
		for _, k := range linkKinds {
			if rid, x, err := s.Parse(k, token); err == nil {
				if want := s.Token(k, rid, x); strings.ToLower(token) != want {
					t.Fatalf("Parse(%q, %q) accepted a token Token never makes (it makes %q)", k, token, want)
				}
			}
		}
		if id <= 0 || id > 1<<62 {
			return // not a recipient id
		}
		tok := s.Token(kind, id, extra)
		if want := referenceToken([]byte("fuzz-secret-0123456789"), kind, id, extra); tok != want {
			t.Fatalf("Token(%q, %d, %q) = %q, first written as %q", kind, id, extra, tok, want)
		}
		rid, x, err := s.Parse(kind, tok)
		if err != nil || rid != id || x != extra {
			t.Fatalf("Token(%q, %d, %q) = %q parses as %d, %q, %v", kind, id, extra, tok, rid, x, err)
		}
		if rid, x, err := s.Parse(kind, strings.ToUpper(tok)); err != nil || rid != id || x != extra {
			t.Fatalf("upper-case %q parses as %d, %q, %v", tok, rid, x, err)
		}
		for _, k := range linkKinds {
			if _, _, err := s.Parse(k, tok); k != kind && err == nil {
				t.Fatalf("a %q token is accepted as a %q token", kind, k)
			}
		}
		if _, _, err := other.Parse(kind, tok); err == nil {
			t.Fatalf("%q is accepted under another secret", tok)
		}
		i := int(at % uint(len(tok)))
		forged := tok[:i] + string(b) + tok[i+1:]
		if strings.ToLower(forged) == tok {
			return // the same token, or only its case changed
		}
		if rid, x, err := s.Parse(kind, forged); err == nil {
			t.Fatalf("%q with byte %d changed to %q (%q) is accepted as %d, %q", tok, i, b, forged, rid, x)
		}
	})
}

// TestTokenConcurrent makes and checks tokens from many goroutines at once,
// as the workers do; with -race it checks the signer's pooled HMACs.
func TestTokenConcurrent(t *testing.T) {
	key := []byte("concurrent-secret-0123456789")
	s := NewSigner(key)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				id := int64(g*1000 + i + 1)
				extra := strings.Repeat("x", i) // up to several hash blocks
				tok := s.Token(LinkClick, id, extra)
				if want := referenceToken(key, LinkClick, id, extra); tok != want {
					t.Errorf("Token = %q, want %q", tok, want)
					return
				}
				if rid, x, err := s.Parse(LinkClick, tok); err != nil || rid != id || x != extra {
					t.Errorf("Parse(%q) = %d, %q, %v", tok, rid, x, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

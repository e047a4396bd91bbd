package worker

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
)

// testKey is a generated key with its DNS TXT record.
type testKey struct {
	name string
	pem  []byte
	txt  string
}

func rsaKey(t testing.TB, pkcs8 bool) testKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	block := &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}
	name := "rsa-pkcs1"
	if pkcs8 {
		name = "rsa-pkcs8"
		block = pkcs8Block(t, k)
	}
	return testKey{name, pem.EncodeToMemory(block), "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(pub)}
}

func ed25519Key(t testing.TB) testKey {
	t.Helper()
	pub, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{"ed25519", pem.EncodeToMemory(pkcs8Block(t, k)), "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)}
}

func pkcs8Block(t testing.TB, k crypto.PrivateKey) *pem.Block {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return &pem.Block{Type: "PRIVATE KEY", Bytes: der}
}

func writeKey(t testing.TB, pemBytes []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "dkim.pem")
	if err := os.WriteFile(path, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// verify checks raw's signatures against records, a map from DNS name to
// TXT record standing in for DNS.
func verify(t *testing.T, raw []byte, records map[string]string) []*dkim.Verification {
	t.Helper()
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{
		LookupTXT: func(name string) ([]string, error) {
			if txt, ok := records[name]; ok {
				return []string{txt}, nil
			}
			return nil, fmt.Errorf("no TXT record for %s", name)
		},
	})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if len(vs) != 1 {
		t.Fatalf("%d signatures, want 1", len(vs))
	}
	return vs
}

// longUnsubscribeMessage has the long List-Unsubscribe that go-mail's own
// signer fails on.
func longUnsubscribeMessage(t testing.TB) []byte {
	m := benchMessage()
	m.UnsubscribeURL = "https://outreach.example.org/unsubscribe/" + strings.Repeat("eyJjYW1wYWlnbiI6NDIsInJlY2lwaWVudCI6MTIzNDV9", 4) + ".c2lnbmF0dXJl"
	m.UnsubscribeMailto = "mailto:unsubscribe+" + strings.Repeat("r12345x", 8) + "@outreach.example.org?subject=unsubscribe"
	m.Calendar = []byte(testICS)
	raw, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestDKIMSignVerifies(t *testing.T) {
	keys := []testKey{rsaKey(t, false), rsaKey(t, true), ed25519Key(t)}
	raw := longUnsubscribeMessage(t)
	for _, k := range keys {
		t.Run(k.name, func(t *testing.T) {
			s, err := LoadDKIM(writeKey(t, k.pem), "sel1", "")
			if err != nil {
				t.Fatal(err)
			}
			signed, err := s.Sign(raw)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(signed, []byte("DKIM-Signature: ")) || !bytes.HasSuffix(signed, raw) {
				t.Fatal("Sign did not prepend one header to the message")
			}
			v := verify(t, signed, map[string]string{"sel1._domainkey.outreach.example.org": k.txt})[0]
			if v.Err != nil {
				t.Fatalf("signature does not verify: %v", v.Err)
			}
			if v.Domain != "outreach.example.org" {
				t.Errorf("d= %q, want the From domain", v.Domain)
			}
			want := []string{"From", "To", "Subject", "Date", "Message-ID", "Reply-To",
				"List-Unsubscribe", "List-Unsubscribe-Post", "MIME-Version", "Content-Type"}
			if !slices.Equal(v.HeaderKeys, want) {
				t.Errorf("h= %v, want %v", v.HeaderKeys, want)
			}
		})
	}
}

func TestDKIMSignsOnlyPresentHeaders(t *testing.T) {
	k := ed25519Key(t)
	s, err := LoadDKIM(writeKey(t, k.pem), "sel1", "Mail.Example.COM")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := baseMessage().Bytes() // no Reply-To, no List-Unsubscribe
	if err != nil {
		t.Fatal(err)
	}
	signed, err := s.Sign(raw)
	if err != nil {
		t.Fatal(err)
	}
	v := verify(t, signed, map[string]string{"sel1._domainkey.mail.example.com": k.txt})[0]
	if v.Err != nil || v.Domain != "mail.example.com" {
		t.Fatalf("verification: err %v, domain %q; want valid for the configured domain", v.Err, v.Domain)
	}
	want := []string{"From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"}
	if !slices.Equal(v.HeaderKeys, want) {
		t.Errorf("h= %v, want %v", v.HeaderKeys, want)
	}
}

func TestDKIMDetectsTampering(t *testing.T) {
	k := ed25519Key(t)
	s, err := LoadDKIM(writeKey(t, k.pem), "sel1", "")
	if err != nil {
		t.Fatal(err)
	}
	signed, err := s.Sign(longUnsubscribeMessage(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, edit := range []struct{ old, new string }{
		{"List-Unsubscribe: <https://outreach.example.org/", "List-Unsubscribe: <https://evil.example.org/"},
		{"Subject: Invitation", "Subject: Invoice"},
		{"Dear Lea", "Dear Leo"},
	} {
		tampered := bytes.Replace(signed, []byte(edit.old), []byte(edit.new), 1)
		if bytes.Equal(tampered, signed) {
			t.Fatalf("test edit %q not applied", edit.old)
		}
		if v := verify(t, tampered, map[string]string{"sel1._domainkey.outreach.example.org": k.txt})[0]; v.Err == nil {
			t.Errorf("edit %q -> %q still verifies", edit.old, edit.new)
		}
	}
}

func TestLoadDKIMErrors(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalECPrivateKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	good := writeKey(t, ed25519Key(t).pem)
	tests := []struct {
		name, file, selector, domain, want string
	}{
		{"missing file", filepath.Join(t.TempDir(), "nope.pem"), "sel", "", "nope.pem"},
		{"not PEM", writeKey(t, []byte("hello")), "sel", "", "no PEM block"},
		{"EC key", writeKey(t, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER})), "sel", "", "EC PRIVATE KEY"},
		{"EC in PKCS#8", writeKey(t, pem.EncodeToMemory(pkcs8Block(t, ec))), "sel", "", "want RSA or Ed25519"},
		{"corrupt PKCS#8", writeKey(t, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}})), "sel", "", "dkim.pem"},
		{"bad selector", good, "sel 1", "", "selector"},
		{"empty selector", good, "", "", "selector"},
		{"bad domain", good, "sel", "exa mple.org", "domain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadDKIM(tt.file, tt.selector, tt.domain)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestDKIMSignRefusesMalformed(t *testing.T) {
	s, err := LoadDKIM(writeKey(t, ed25519Key(t).pem), "sel", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{"Subject: x\r\nno blank line", "Subject: x\r\n\r\nbody without From\r\n", "From: not an address\r\n\r\nx\r\n"} {
		if _, err := s.Sign([]byte(raw)); err == nil {
			t.Errorf("Sign(%q) succeeded", raw)
		}
	}
}

func BenchmarkSign(b *testing.B) {
	for _, k := range []testKey{rsaKey(b, false), ed25519Key(b)} {
		b.Run(k.name, func(b *testing.B) {
			s, err := LoadDKIM(writeKey(b, k.pem), "sel1", "")
			if err != nil {
				b.Fatal(err)
			}
			raw := longUnsubscribeMessage(b)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Sign(raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

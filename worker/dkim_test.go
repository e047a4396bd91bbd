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
	for _, raw := range []string{"Subject: x\r\nno blank line", "Subject: x\r\n\r\nbody without From\r\n", "From: not an address\r\n\r\nx\r\n", "From: a@[192.0.2.1]\r\n\r\nx\r\n"} {
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

// testHeader is a header block with the fields Outreach signs.
const testHeader = "From: \"Ana Example\" <ana@outreach.example.org>\r\n" +
	"To: \"Lea Lead\" <lea@example.net>\r\n" +
	"Subject: Invitation\r\n" +
	"Date: Mon, 3 Mar 2025 09:00:00 +0000\r\n" +
	"Message-ID: <r1.abc@outreach.example.org>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: text/plain; charset=UTF-8\r\n"

// signAndVerify signs raw with s and reports go-msgauth's verdict on the result.
func signAndVerify(t *testing.T, s *DKIMSigner, txt string, raw []byte) (signed []byte, err error) {
	t.Helper()
	signed, err = s.Sign(raw)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	checkSignatureField(t, signed)
	return signed, verify(t, signed, map[string]string{"sel1._domainkey.outreach.example.org": txt})[0].Err
}

// checkSignatureField checks the layout of the prepended field: tags in
// the documented order and no line longer than 78 columns.
func checkSignatureField(t *testing.T, signed []byte) {
	t.Helper()
	field := string(signed[:sigFieldEnd(signed)])
	if !strings.HasPrefix(string(signed), "DKIM-Signature: v=1; a=") {
		t.Errorf("signature field starts %.40q", field)
	}
	for line := range strings.SplitSeq(field, "\r\n") {
		if len(line) > 78 {
			t.Errorf("signature line of %d columns: %q", len(line), line)
		}
	}
	var tags []string
	for tag := range strings.SplitSeq(strings.Join(strings.Fields(field[len("DKIM-Signature:"):]), ""), ";") {
		name, _, _ := strings.Cut(tag, "=")
		tags = append(tags, name)
	}
	if want := []string{"v", "a", "c", "d", "s", "t", "h", "bh", "b"}; !slices.Equal(tags, want) {
		t.Errorf("tags %v, want %v", tags, want)
	}
}

// sigFieldEnd returns the length of the signature field at the start of
// signed, up to its final CRLF.
func sigFieldEnd(signed []byte) int {
	end := 0
	for {
		end += bytes.Index(signed[end:], []byte("\r\n"))
		if c := signed[end+2]; c != ' ' && c != '\t' {
			return end
		}
		end += 2
	}
}

// testSigner is a signer for sel1._domainkey.outreach.example.org with
// the TXT record to publish.
type testSigner struct {
	name string
	s    *DKIMSigner
	txt  string
}

// testSigners returns signers for RSA 2048 and Ed25519.
func testSigners(t *testing.T) []testSigner {
	var signers []testSigner
	for _, k := range []testKey{rsaKey(t, false), ed25519Key(t)} {
		s, err := LoadDKIM(writeKey(t, k.pem), "sel1", "")
		if err != nil {
			t.Fatal(err)
		}
		signers = append(signers, testSigner{k.name, s, k.txt})
	}
	return signers
}

func TestDKIMSignVariedMessages(t *testing.T) {
	long := strings.Repeat("Dear Lea, we would be glad to see you.  ", 100)
	m := baseMessage()
	m.Subject = "Einladung: Finanzkreis über Mikrokredite – 10. März, Wien, mit Anmeldung und Anfahrtsbeschreibung"
	m.UnsubscribeURL = "https://outreach.example.org/u/" + strings.Repeat("eyJyIjoxMjN9", 10)
	m.UnsubscribeMailto = "mailto:unsub+r1@outreach.example.org"
	m.Calendar = []byte(testICS)
	rendered, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, raw string }{
		{"trailing white space", testHeader + "\r\nHello \r\nworld\t\r\n \r\n"},
		{"tabs and runs of spaces", testHeader + "\r\na \t b    c\r\n\td  \te\r\n"},
		{"trailing empty lines", testHeader + "\r\nHello\r\n\r\n\r\n\r\n"},
		{"no final CRLF", testHeader + "\r\nHello\r\nworld"},
		{"empty body", testHeader + "\r\n"},
		{"only CRLFs", testHeader + "\r\n\r\n\r\n\r\n"},
		{"only white space", testHeader + "\r\n \t \r\n  \r\n"},
		{"long lines", testHeader + "\r\n" + long + "\r\n" + strings.Repeat("x", 5000) + "\r\n"},
		{"lone CR", testHeader + "\r\na \rb\r\n"},
		{"folded headers", strings.Replace(testHeader, "Subject: Invitation\r\n",
			"Subject: Invitation to the\r\n finance   circle\r\n\tin Vienna \r\n"+
				"List-Unsubscribe: <https://outreach.example.org/u/"+strings.Repeat("tok", 30)+">,\r\n <mailto:unsub@outreach.example.org>\r\n"+
				"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", 1) + "\r\nHello\r\n"},
		{"odd-case names", strings.NewReplacer("Subject:", "SUBJECT:", "From:", "from:", "Message-ID:", "message-Id:").Replace(testHeader) + "\r\nHello\r\n"},
		{"WSP around colons", strings.NewReplacer("Subject: ", "Subject \t:  ", "To: ", "To:").Replace(testHeader) + "\r\nHello\r\n"},
		{"To twice", testHeader + "To: second@example.net\r\n\r\nHello\r\n"},
		{"From twice", "From: other@outreach.example.org\r\n" + testHeader + "\r\nHello\r\n"},
		{"encoded-word subject", strings.Replace(testHeader, "Subject: Invitation",
			"Subject: =?UTF-8?q?Einladung_=C3=BCber_Mikrokredite?=\r\n =?UTF-8?b?4oCTIFdpZW4=?=", 1) + "\r\nHello\r\n"},
		{"raw UTF-8 subject", strings.Replace(testHeader, "Subject: Invitation", "Subject: Einladung über  Mikrokredite", 1) + "\r\nHallo\r\n"},
		{"unsigned extra headers", testHeader + "X-Outreach-Campaign: 42\r\nReferences: <a@b>\r\n\r\nHello\r\n"},
		{"Message.Bytes with calendar", string(rendered)},
	}
	for _, k := range testSigners(t) {
		for _, tt := range tests {
			t.Run(k.name+"/"+tt.name, func(t *testing.T) {
				if _, err := signAndVerify(t, k.s, k.txt, []byte(tt.raw)); err != nil {
					t.Errorf("signature does not verify: %v", err)
				}
			})
		}
	}
}

// TestDKIMSignLongNames checks the folding with a d= and s= that leave
// little room on their lines.
func TestDKIMSignLongNames(t *testing.T) {
	k := ed25519Key(t)
	selector := "s2025-" + strings.Repeat("x", 50)
	domain := strings.Repeat("mail-", 10) + "outreach.example.org"
	s, err := LoadDKIM(writeKey(t, k.pem), selector, domain)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := s.Sign([]byte(testHeader + "List-Unsubscribe: <https://outreach.example.org/u/tok>\r\nReply-To: <r@example.org>\r\n\r\nHello\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	checkSignatureField(t, signed)
	if v := verify(t, signed, map[string]string{selector + "._domainkey." + domain: k.txt})[0]; v.Err != nil || v.Domain != domain {
		t.Fatalf("verification: err %v, domain %q; want valid for %s", v.Err, v.Domain, domain)
	}
}

// TestDKIMSignedText checks what the signature covers: edits that relaxed
// canonicalisation ignores keep it valid, any other edit of the body or of
// a signed field breaks it.
func TestDKIMSignedText(t *testing.T) {
	k := ed25519Key(t)
	s, err := LoadDKIM(writeKey(t, k.pem), "sel1", "")
	if err != nil {
		t.Fatal(err)
	}
	raw := testHeader + "List-Unsubscribe: <https://outreach.example.org/u/tok>\r\nTo: second@example.net\r\nX-Outreach-Campaign: 42\r\n" +
		"\r\nDear Lea,\r\n\r\nsee you in Vienna.\r\n"
	signed, err := signAndVerify(t, s, k.txt, []byte(raw))
	if err != nil {
		t.Fatalf("signature does not verify: %v", err)
	}
	tests := []struct {
		name, old, new string
		valid          bool
	}{
		{"body character", "Dear Lea", "Dear Leo", false},
		{"body line added", "see you", "do not\r\nsee you", false},
		{"body line end removed", "Lea,\r\n\r\n", "Lea,\r\n", false},
		{"signed field value", "Subject: Invitation", "Subject: Invoice", false},
		{"List-Unsubscribe", "https://outreach.example.org/u/tok", "https://evil.example.org/u/tok", false},
		{"bottom-most To", "To: second@example.net", "To: third@example.net", false},
		{"top To, not signed", "To: \"Lea Lead\" <lea@example.net>", "To: <lea@example.org>", true},
		{"unsigned field", "X-Outreach-Campaign: 42", "X-Outreach-Campaign: 43", true},
		{"signed field renamed", "Message-ID:", "Message-Id:", true},
		{"signed field refolded", "Subject: Invitation", "Subject:\r\n \t Invitation  ", true},
		{"body WSP", "see you in Vienna.", "see  you\tin Vienna. \t", true},
		{"body empty lines at the end", "Vienna.\r\n", "Vienna.\r\n\r\n\r\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := sigFieldEnd(signed) // edit the message, not the signature
			if strings.HasPrefix(tt.name, "body") {
				from = bytes.Index(signed, []byte("\r\n\r\n"))
			}
			i := bytes.Index(signed[from:], []byte(tt.old))
			if i < 0 {
				t.Fatalf("test edit %q not found", tt.old)
			}
			i += from
			edited := append(append(slices.Clip(signed[:i]), tt.new...), signed[i+len(tt.old):]...)
			err := verify(t, edited, map[string]string{"sel1._domainkey.outreach.example.org": k.txt})[0].Err
			if tt.valid && err != nil {
				t.Errorf("edit %q -> %q breaks the signature: %v", tt.old, tt.new, err)
			}
			if !tt.valid && err == nil {
				t.Errorf("edit %q -> %q still verifies", tt.old, tt.new)
			}
		})
	}
}

// FuzzDKIMSign signs a fixed header with an arbitrary body, its lone LFs
// made CRLF as a message writer would, and an arbitrary Subject, its line
// breaks made folds, and checks go-msgauth verifies the result.
func FuzzDKIMSign(f *testing.F) {
	for _, body := range []string{"", "\r\n", "Hello\r\n", "a \t b  \r\n\r\n", "x\ny \n\n", "a\rb \r", " \t", long8(), "=?UTF-8?Q?=C3=BC?=\r\n"} {
		f.Add([]byte(body), "Invitation")
	}
	f.Add([]byte("Hi\r\n"), "Einladung\n über\t Kredite  ")
	k := ed25519Key(f)
	s, err := LoadDKIM(writeKey(f, k.pem), "sel1", "")
	if err != nil {
		f.Fatal(err)
	}
	records := map[string]string{"sel1._domainkey.outreach.example.org": k.txt}
	f.Fuzz(func(t *testing.T, body []byte, subject string) {
		subject = strings.ReplaceAll(strings.ReplaceAll(subject, "\r", "\n"), "\n", "\r\n ")
		head := strings.Replace(testHeader, "Subject: Invitation", "Subject: "+subject, 1)
		raw := append([]byte(head+"\r\n"), crlfLines(body)...)
		signed, err := s.Sign(raw)
		if err != nil {
			t.Fatalf("Sign: %v", err)
		}
		if v := verify(t, signed, records)[0]; v.Err != nil {
			t.Fatalf("signature does not verify: %v\n%q", v.Err, signed)
		}
	})
}

// crlfLines makes every LF not after a CR a CRLF.
func crlfLines(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/16)
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out
}

// long8 is a body whose special bytes fall on every offset of an
// eight-byte word.
func long8() string {
	var b strings.Builder
	for i := range 24 {
		b.WriteString(strings.Repeat("x", i) + "  y \t\r\n" + strings.Repeat("z", i) + " \r\n")
	}
	return b.String()
}

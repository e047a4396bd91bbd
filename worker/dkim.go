package worker

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	netmail "net/mail"
	"os"
	"strconv"
	"strings"
	"time"
)

// dkimHeaders are the header fields signed when present, in this order:
// those a receiver shows or acts on (RFC 6376 5.4.1), plus the
// List-Unsubscribe pair, since RFC 8058 requires one-click unsubscribe
// headers to be covered by a valid signature.
var dkimHeaders = []string{
	"From", "To", "Subject", "Date", "Message-ID", "Reply-To",
	"List-Unsubscribe", "List-Unsubscribe-Post", "MIME-Version", "Content-Type",
}

// minRSABits is the smallest RSA key receivers accept (RFC 8301).
const minRSABits = 1024

// DKIMSigner adds a DKIM-Signature (relaxed/relaxed, SHA-256) to outgoing
// messages. It signs without a library: go-mail's built-in signer corrupts
// the signature once the signed-header list grows past about 71 characters,
// as it does with List-Unsubscribe included, and go-msgauth's streams the
// message through a goroutine and canonicalises it byte by byte, which cost
// a quarter of the sender's CPU. Safe for concurrent use.
type DKIMSigner struct {
	key      crypto.Signer
	selector string
	domain   string // empty: the domain of each message's From address
}

// LoadDKIM reads a PEM private key from keyFile: RSA in PKCS#1 ("RSA
// PRIVATE KEY") or PKCS#8 ("PRIVATE KEY"), or Ed25519 in PKCS#8. When
// domain is empty, each message is signed for the domain of its From
// address, so one key serves every sender the DNS record is published for.
func LoadDKIM(keyFile, selector, domain string) (*DKIMSigner, error) {
	if !validDNSName(selector) {
		return nil, fmt.Errorf("worker: DKIM selector %q is not a DNS label", selector)
	}
	if domain != "" && !validDNSName(domain) {
		return nil, fmt.Errorf("worker: DKIM domain %q is not a domain name", domain)
	}
	pemBytes, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("worker: DKIM key: %w", err)
	}
	key, err := parseDKIMKey(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("worker: DKIM key %s: %w", keyFile, err)
	}
	return &DKIMSigner{key: key, selector: selector, domain: strings.ToLower(domain)}, nil
}

// parseDKIMKey decodes the first PEM block and checks it is a key type
// DKIM verifiers support.
func parseDKIMKey(pemBytes []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("no PEM block found")
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("PEM block %q: want an unencrypted \"PRIVATE KEY\" or \"RSA PRIVATE KEY\"", block.Type)
	}
	if err != nil {
		return nil, err
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if k.N.BitLen() < minRSABits {
			return nil, fmt.Errorf("RSA key of %d bits: receivers want at least %d (2048 recommended)", k.N.BitLen(), minRSABits)
		}
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	}
	return nil, fmt.Errorf("key type %T: want RSA or Ed25519", key)
}

// Sign returns raw with a DKIM-Signature header prepended. raw must be a
// complete message with CRLF line endings, as Message.Bytes renders it.
// The signing domain is the one given to LoadDKIM or, if none was, the
// domain of raw's From address.
func (s *DKIMSigner) Sign(raw []byte) ([]byte, error) {
	head, ok := headerBlock(raw)
	if !ok {
		return nil, errors.New("worker: DKIM: message has no header/body separator")
	}
	var buf [32]headerField // room for a rendered message's fields
	fields := splitHeader(buf[:0], head)
	domain, err := s.signingDomain(fromValue(fields))
	if err != nil {
		return nil, err
	}
	signed, err := s.sign(raw, len(head)+2, fields, domain)
	if err != nil {
		return nil, fmt.Errorf("worker: DKIM sign: %w", err)
	}
	return signed, nil
}

// sign returns raw, whose body starts at bodyStart, with the signature
// field prepended. The field is built in place at the start of the output,
// so the signed text is exactly the text sent.
func (s *DKIMSigner) sign(raw []byte, bodyStart int, fields []headerField, domain string) ([]byte, error) {
	algo, err := keyAlgorithm(s.key)
	if err != nil {
		return nil, err
	}
	keys := signedKeys(fields)
	var bh [sha256.Size]byte
	bodyHash := sha256.New()
	writeRelaxedBody(bodyHash, raw[bodyStart:])

	f := sigFolder{b: make([]byte, 0, s.sigFieldSize(domain)+len(raw))}
	f.b = append(f.b, dkimFieldName+":"...)
	f.tag("v=", "1")
	f.tag("a=", algo)
	f.tag("c=", "relaxed/relaxed")
	f.tag("d=", domain)
	f.tag("s=", s.selector)
	f.tagInt("t=", time.Now().Unix())
	f.list("h=", keys)
	f.base64("bh=", bodyHash.Sum(bh[:0]), ";")
	f.fold() // b= on its own lines: it is the longest value
	f.b = append(f.b, "b="...)

	digest := headerHash(fields, keys, f.b)
	sig, err := signDigest(s.key, digest[:])
	if err != nil {
		return nil, err
	}
	f.appendBase64(sig, "")
	f.b = append(f.b, crlf...)
	return append(f.b, raw...), nil
}

// headerHash hashes what the signature covers (RFC 6376 3.7): the relaxed
// form of the bottom-most field of each name in keys, then of the
// signature field itself with b= still empty and without its final CRLF.
func headerHash(fields []headerField, keys []string, sigField []byte) [sha256.Size]byte {
	var buf [2048]byte
	data := buf[:0]
	for _, k := range keys {
		if f, ok := lastField(fields, k); ok {
			data = appendRelaxedHeader(data, f.name, f.raw)
		}
	}
	data = appendRelaxedHeader(data, []byte(dkimFieldName), sigField)
	return sha256.Sum256(data[:len(data)-2])
}

// keyAlgorithm names the a= algorithm for key.
func keyAlgorithm(key crypto.Signer) (string, error) {
	switch key.(type) {
	case *rsa.PrivateKey:
		return "rsa-sha256", nil
	case ed25519.PrivateKey:
		return "ed25519-sha256", nil
	}
	return "", fmt.Errorf("key type %T: want RSA or Ed25519", key)
}

// signDigest signs the SHA-256 digest of the signed headers: Ed25519 signs
// the digest bytes themselves (RFC 8463 3), RSA uses PKCS #1 v1.5. The
// concrete calls, unlike crypto.Signer's, leave digest on the stack.
func signDigest(key crypto.Signer, digest []byte) ([]byte, error) {
	switch k := key.(type) {
	case ed25519.PrivateKey:
		return ed25519.Sign(k, digest), nil
	case *rsa.PrivateKey:
		return rsa.SignPKCS1v15(nil, k, crypto.SHA256, digest)
	}
	return nil, fmt.Errorf("key type %T: want RSA or Ed25519", key)
}

// sigFieldSize estimates the length of the signature field, so the output
// is allocated once: the other tags and folds take about 320 bytes besides
// d= and s=, and b= 4/3 of the signature plus a fold per line.
func (s *DKIMSigner) sigFieldSize(domain string) int {
	sigLen := ed25519.SignatureSize
	if k, ok := s.key.(*rsa.PrivateKey); ok {
		sigLen = k.Size()
	}
	b64 := base64.StdEncoding.EncodedLen(sigLen)
	return 320 + len(domain) + len(s.selector) + b64 + 3*(b64/70+1)
}

const dkimFieldName = "DKIM-Signature"

// foldWidth is the line length, CRLF excluded, that the signature field
// keeps to where its values allow (RFC 5322 2.1.1).
const foldWidth = 78

// sigFolder appends the tags of a DKIM-Signature field, folding between
// tags, after the colons of h= and inside base64 values, where RFC 6376
// 3.5 allows white space, so that lines stay within foldWidth.
type sigFolder struct {
	b         []byte
	lineStart int // index in b of the current line's first byte
}

func (f *sigFolder) col() int { return len(f.b) - f.lineStart }

// fold ends the line; the continuation line starts with a space.
func (f *sigFolder) fold() {
	f.b = append(f.b, "\r\n "...)
	f.lineStart = len(f.b) - 1
}

// gap separates the next n bytes from what precedes them: by a space if
// they fit on the line, else by a fold.
func (f *sigFolder) gap(n int) {
	if f.col()+1+n > foldWidth {
		f.fold()
		return
	}
	f.b = append(f.b, ' ')
}

// tag appends "name=value;".
func (f *sigFolder) tag(name, value string) {
	f.gap(len(name) + len(value) + 1)
	f.b = append(append(append(f.b, name...), value...), ';')
}

// tagInt appends "name=v;".
func (f *sigFolder) tagInt(name string, v int64) {
	var num [20]byte
	f.tag(name, string(strconv.AppendInt(num[:0], v, 10)))
}

// list appends "name=k1:k2:...;", folding after a colon where the next
// name would not fit.
func (f *sigFolder) list(name string, keys []string) {
	for i, k := range keys {
		if i == 0 {
			f.gap(len(name) + len(k) + 1)
			f.b = append(f.b, name...)
		} else if f.col()+len(k)+1 > foldWidth {
			f.fold()
		}
		f.b = append(f.b, k...)
		if i < len(keys)-1 {
			f.b = append(f.b, ':')
		} else {
			f.b = append(f.b, ';')
		}
	}
}

// base64 appends "name=", data in base64 and suffix: on the current line if
// all fit, else from a new line on.
func (f *sigFolder) base64(name string, data []byte, suffix string) {
	f.gap(len(name) + base64.StdEncoding.EncodedLen(len(data)) + len(suffix))
	f.b = append(f.b, name...)
	f.appendBase64(data, suffix)
}

// appendBase64 appends data in base64, folding whenever the line is full,
// then suffix. The last character stays on the suffix's line: go-msgauth
// finds the b= value to blank with the pattern b\s*=[^;]+, which a bh=
// value ending in "b=" would match if a fold came before its ";".
func (f *sigFolder) appendBase64(data []byte, suffix string) {
	var buf [1024]byte // an RSA 4096 signature takes 684
	enc := base64.StdEncoding.AppendEncode(buf[:0], data)
	for {
		room := foldWidth - f.col()
		if len(enc)+len(suffix) <= room {
			f.b = append(append(f.b, enc...), suffix...)
			return
		}
		n := min(max(room, 1), len(enc)-1)
		if n > 0 {
			f.b = append(f.b, enc[:n]...)
			enc = enc[n:]
		}
		f.fold()
	}
}

// signingDomain picks the d= domain: the configured one, else From's.
func (s *DKIMSigner) signingDomain(from string) (string, error) {
	if s.domain != "" {
		return s.domain, nil
	}
	if from == "" {
		return "", errors.New("worker: DKIM: message has no From header to take the signing domain from")
	}
	addr, err := netmail.ParseAddress(from)
	if err != nil {
		return "", fmt.Errorf("worker: DKIM: From header: %w", err)
	}
	domain := strings.ToLower(addr.Address[strings.LastIndexByte(addr.Address, '@')+1:])
	if !validDNSName(domain) { // a domain literal such as [192.0.2.1] has no DKIM record
		return "", fmt.Errorf("worker: DKIM: From domain %q is not a domain name", domain)
	}
	return domain, nil
}

// signedKeys keeps the dkimHeaders the message has: h= then lists only
// fields that exist, and From is always among them.
func signedKeys(fields []headerField) []string {
	keys := make([]string, 0, len(dkimHeaders))
	for _, k := range dkimHeaders {
		if _, ok := lastField(fields, k); ok || k == "From" {
			keys = append(keys, k)
		}
	}
	return keys
}

// headerBlock returns the header section of raw, up to the blank line.
func headerBlock(raw []byte) ([]byte, bool) {
	i := bytes.Index(raw, []byte("\r\n\r\n"))
	if i < 0 {
		return nil, false
	}
	return raw[:i+2], true
}

// fromValue returns the unfolded value of the last From field, or "" if
// there is none.
func fromValue(fields []headerField) string {
	f, ok := lastField(fields, "From")
	if !ok {
		return ""
	}
	return string(fieldValue(f))
}

// validDNSName accepts letters, digits, hyphens and dots, as selectors
// and domains in a DKIM DNS name must be.
func validDNSName(s string) bool {
	if s == "" || len(s) > 253 || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for _, r := range s {
		ok := r == '-' || r == '.' || r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !ok {
			return false
		}
	}
	return true
}

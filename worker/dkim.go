package worker

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	netmail "net/mail"
	"os"
	"strings"

	"github.com/emersion/go-msgauth/dkim"
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
// messages. It signs with go-msgauth rather than go-mail's built-in signer,
// which corrupts the signature once the signed-header list grows past about
// 71 characters, as it does with List-Unsubscribe included. Safe for
// concurrent use.
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
	present, from := scanHeaders(head)
	domain, err := s.signingDomain(from)
	if err != nil {
		return nil, err
	}
	sig, err := s.signature(raw, domain, signedKeys(present))
	if err != nil {
		return nil, fmt.Errorf("worker: DKIM sign: %w", err)
	}
	out := make([]byte, 0, len(sig)+len(raw))
	return append(append(out, sig...), raw...), nil
}

func (s *DKIMSigner) signature(raw []byte, domain string, keys []string) (string, error) {
	signer, err := dkim.NewSigner(&dkim.SignOptions{
		Domain:                 domain,
		Selector:               s.selector,
		Signer:                 s.key,
		Hash:                   crypto.SHA256,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed,
		BodyCanonicalization:   dkim.CanonicalizationRelaxed,
		HeaderKeys:             keys,
	})
	if err != nil {
		return "", err
	}
	if _, err := signer.Write(raw); err != nil {
		_ = signer.Close()
		return "", err
	}
	if err := signer.Close(); err != nil {
		return "", err
	}
	return signer.Signature(), nil
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
	return strings.ToLower(addr.Address[strings.LastIndexByte(addr.Address, '@')+1:]), nil
}

// signedKeys keeps the dkimHeaders the message has: h= then lists only
// fields that exist, and From is always among them.
func signedKeys(present map[string]bool) []string {
	keys := make([]string, 0, len(dkimHeaders))
	for _, k := range dkimHeaders {
		if present[strings.ToLower(k)] || k == "From" {
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

// scanHeaders lists the (lower-cased) field names in head and returns the
// unfolded value of From.
func scanHeaders(head []byte) (present map[string]bool, from string) {
	present = make(map[string]bool, 16)
	var fromVal []byte
	inFrom := false
	for line := range bytes.SplitSeq(bytes.TrimSuffix(head, []byte("\r\n")), []byte("\r\n")) {
		if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
			if inFrom {
				fromVal = append(fromVal, line...)
			}
			continue
		}
		name, val, _ := bytes.Cut(line, []byte(":"))
		key := strings.ToLower(string(bytes.TrimSpace(name)))
		present[key] = true
		inFrom = key == "from"
		if inFrom {
			fromVal = append(fromVal[:0], val...)
		}
	}
	return present, strings.TrimSpace(string(fromVal))
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

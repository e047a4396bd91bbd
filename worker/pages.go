package worker

import (
	"context"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"net/http"
	"time"

	"github.com/emersion/go-imap/v2"

	"outreach/crm"
	"outreach/templates/web"
)

// MailSettings is the admin's page about mail: where messages are sent,
// which mailbox is read for replies, how messages are signed, and buttons
// that test the connections. The configuration comes from the environment,
// so the page shows it and never changes it; passwords are never shown.
type MailSettings struct {
	Web  *crm.Web
	SMTP *SMTPConfig // nil: no server, messages stay in the outbox
	IMAP *IMAPConfig // nil: replies are not read
	DKIM *DKIMSigner // nil: messages are not signed
	// TLSConfig, if set, is used by the connection tests (tests trust
	// their own CA with it).
	TLSConfig *tls.Config
}

// NewMailSettings reads the SMTP and IMAP URLs as the worker and the reply
// poller do; an empty URL means that part is not configured.
func NewMailSettings(ui *crm.Web, smtpURL, imapURL string, dkim *DKIMSigner) (*MailSettings, error) {
	m := &MailSettings{Web: ui, DKIM: dkim}
	if smtpURL != "" {
		c, err := ParseSMTPURL(smtpURL)
		if err != nil {
			return nil, fmt.Errorf("OUTREACH_SMTP_URL: %w", err)
		}
		m.SMTP = &c
	}
	if imapURL != "" {
		c, err := ParseIMAPURL(imapURL)
		if err != nil {
			return nil, fmt.Errorf("OUTREACH_IMAP_URL: %w", err)
		}
		m.IMAP = &c
	}
	return m, nil
}

// mailTestTimeout bounds a connection test, so that a server that does not
// answer gives the admin an error rather than a spinner.
const mailTestTimeout = 10 * time.Second

// Routes registers the mail settings page and its connection tests.
func (m *MailSettings) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /settings/mail", m.Web.Page(crm.RoleAdmin, m.page))
	mux.HandleFunc("POST /settings/mail/test-smtp", m.Web.Page(crm.RoleAdmin, m.testSMTP))
	mux.HandleFunc("POST /settings/mail/test-imap", m.Web.Page(crm.RoleAdmin, m.testIMAP))
}

type mailPage struct {
	web.Base
	SMTP       *SMTPConfig
	IMAP       *IMAPConfig
	DKIM       *dkimView
	SMTPResult *mailTestResult // after a test without htmx
	IMAPResult *mailTestResult
}

// dkimView is the signing key as an admin publishes it in DNS.
type dkimView struct {
	Selector  string
	Domain    string // "" when each message is signed for its From domain
	Algorithm string // rsa or ed25519
	Bits      int    // RSA key size
	Name      string // the DNS name of the TXT record
	Record    string // its value
}

// mailTestResult is the answer of a connection test, for the partial
// with the id ID.
type mailTestResult struct {
	ID      string
	Tested  bool
	OK      bool
	Message string
}

func (m *MailSettings) data(r *http.Request) *mailPage {
	d := &mailPage{Base: m.Web.Base(r, "Mail settings", "settings"), IMAP: m.IMAP}
	if m.SMTP != nil {
		c, err := m.SMTP.normalize()
		if err != nil { // cannot happen for a parsed URL; show it as given
			c = *m.SMTP
		}
		d.SMTP = &c
	}
	if m.IMAP != nil {
		if c, err := m.IMAP.normalize(); err == nil {
			d.IMAP = &c
		}
	}
	if m.DKIM != nil {
		d.DKIM = describeDKIM(m.DKIM)
	}
	return d
}

func (m *MailSettings) page(w http.ResponseWriter, r *http.Request) {
	d := m.data(r)
	m.Web.Render(w, r, http.StatusOK, "mailsettings", d, &d.Base)
}

// describeDKIM derives the TXT record to publish from the private key:
// "v=DKIM1; k=rsa; p=<SubjectPublicKeyInfo>" for RSA (RFC 6376) and the
// raw 32-byte key for Ed25519 (RFC 8463).
func describeDKIM(s *DKIMSigner) *dkimView {
	v := &dkimView{Selector: s.selector, Domain: s.domain}
	domain := s.domain
	if domain == "" {
		domain = "<your sending domain>"
	}
	v.Name = s.selector + "._domainkey." + domain
	var p []byte
	switch k := s.key.Public().(type) {
	case *rsa.PublicKey:
		v.Algorithm, v.Bits = "rsa", k.N.BitLen()
		p, _ = x509.MarshalPKIXPublicKey(k)
	case ed25519.PublicKey:
		v.Algorithm, p = "ed25519", []byte(k)
	default:
		v.Algorithm = fmt.Sprintf("%T", k) // LoadDKIM accepts only the two above
		return v
	}
	v.Record = "v=DKIM1; k=" + v.Algorithm + "; p=" + base64.StdEncoding.EncodeToString(p)
	return v
}

func (m *MailSettings) testSMTP(w http.ResponseWriter, r *http.Request) {
	res := &mailTestResult{ID: "smtp-test-result", Tested: true}
	if m.SMTP == nil {
		res.Message = "No SMTP server is configured: messages go to the outbox."
	} else if err := m.checkSMTP(r.Context()); err != nil {
		res.Message = err.Error()
	} else {
		res.OK, res.Message = true, "connected"
	}
	m.answer(w, r, res, func(d *mailPage) { d.SMTPResult = res })
}

func (m *MailSettings) testIMAP(w http.ResponseWriter, r *http.Request) {
	res := &mailTestResult{ID: "imap-test-result", Tested: true}
	if m.IMAP == nil {
		res.Message = "No reply mailbox is configured."
	} else if err := m.checkIMAP(r.Context()); err != nil {
		res.Message = err.Error()
	} else {
		res.OK, res.Message = true, "connected"
	}
	m.answer(w, r, res, func(d *mailPage) { d.IMAPResult = res })
}

// answer sends htmx the result alone and a browser without JavaScript the
// whole page with the result in place.
func (m *MailSettings) answer(w http.ResponseWriter, r *http.Request, res *mailTestResult, set func(*mailPage)) {
	if r.Header.Get("HX-Request") != "" {
		m.Web.Pages.Partial(w, http.StatusOK, "mailsettings", "mail-test-result", res)
		return
	}
	d := m.data(r)
	set(d)
	m.Web.Render(w, r, http.StatusOK, "mailsettings", d, &d.Base)
}

// checkSMTP connects, starts TLS and logs in as sending would, then quits.
func (m *MailSettings) checkSMTP(ctx context.Context) error {
	cfg := *m.SMTP
	cfg.MaxConns = 1
	if cfg.Timeout == 0 || cfg.Timeout > mailTestTimeout {
		cfg.Timeout = mailTestTimeout
	}
	s, err := newSMTP(cfg, m.TLSConfig)
	if err != nil {
		return err
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(ctx, mailTestTimeout)
	defer cancel()
	return s.Check(ctx)
}

// checkIMAP connects and logs in as the poller would, and opens the
// mailbox read-only, so a misspelt mailbox shows here and not in the logs.
func (m *MailSettings) checkIMAP(ctx context.Context) error {
	cfg, err := m.IMAP.normalize()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, mailTestTimeout)
	defer cancel()
	p := &Poller{Config: cfg, TLSConfig: m.TLSConfig}
	s, err := p.open(ctx, cfg, nil)
	if err != nil {
		return err
	}
	defer s.close(ctx)
	if _, err := s.c.Select(cfg.Mailbox, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return fmt.Errorf("worker: IMAP select %q: %w", cfg.Mailbox, err)
	}
	return nil
}

package worker

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"outreach/crm"
	"outreach/migrations/testdb"
	"outreach/templates/web"
	"outreach/worker/smtptest"
)

// mailSettingsUI serves the mail settings as newMux does and returns the
// server's URL with session cookies and CSRF tokens by role.
func mailSettingsUI(t *testing.T, m *MailSettings) (string, map[crm.Role][2]string) {
	t.Helper()
	db, _ := testdb.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	pages, err := web.New(log)
	if err != nil {
		t.Fatal(err)
	}
	m.Web = &crm.Web{DB: db, Pages: pages, Log: log}
	mux := http.NewServeMux()
	m.Web.Routes(mux)
	m.Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	sessions := map[crm.Role][2]string{}
	for _, role := range []crm.Role{crm.RoleAdmin, crm.RoleCoordinator} {
		u, err := crm.AddUser(context.Background(), db, string(role)+"@example.org", "", role, "a-long-password")
		if err != nil {
			t.Fatal(err)
		}
		secret, s, err := crm.CreateSession(context.Background(), db, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		sessions[role] = [2]string{secret, s.CSRF}
	}
	return srv.URL, sessions
}

// mailRequest sends a GET, or a POST with the CSRF token (as htmx does
// when htmx is set), with the session of s.
func mailRequest(t *testing.T, method, u string, s [2]string, htmx bool) (int, string) {
	t.Helper()
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(url.Values{"csrf": {s[1]}}.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "outreach_session", Value: s[0]})
	if htmx {
		req.Header.Set("HX-Request", "true")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// resultText is the text of the element with that id, tags removed.
func resultText(t *testing.T, body, id string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<div id="` + id + `" role="status">(.*?)</div>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no #%s in:\n%s", id, body)
	}
	return html.UnescapeString(strings.TrimSpace(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[1], "")))
}

func TestMailSettingsPageShowsConfigWithoutSecrets(t *testing.T) {
	key := rsaKey(t, false)
	dkim, err := LoadDKIM(writeKey(t, key.pem), "outreach", "partners.example.org")
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMailSettings(nil, "smtp://mailer:Sup3rSecretPW@smtp.example.org:2525?tls=starttls&per_minute=30",
		"imaps://replies%40example.org:Imap5ecretPW@imap.example.org/Replies", dkim)
	if err != nil {
		t.Fatal(err)
	}
	base, sessions := mailSettingsUI(t, m)
	status, body := mailRequest(t, http.MethodGet, base+"/settings/mail", sessions[crm.RoleAdmin], false)
	if status != http.StatusOK {
		t.Fatalf("GET /settings/mail: %d\n%s", status, body)
	}
	for _, want := range []string{"smtp.example.org", "<dd>2525</dd>", "<dd>starttls</dd>", "mailer", "30 messages a minute",
		"imap.example.org", "<dd>993</dd>", "replies@example.org", "Replies",
		"outreach._domainkey.partners.example.org", key.txt, "2048 bits",
		`id="smtp-test"`, `id="imap-test"`, `id="smtp-test-result"`, `id="imap-test-result"`} {
		if !strings.Contains(html.UnescapeString(body), want) {
			t.Errorf("page lacks %s", want)
		}
	}
	for _, secret := range []string{"Sup3rSecretPW", "Imap5ecretPW"} {
		if strings.Contains(body, secret) {
			t.Errorf("page shows the password %s", secret)
		}
	}

	if status, _ := mailRequest(t, http.MethodGet, base+"/settings/mail", sessions[crm.RoleCoordinator], false); status != http.StatusForbidden {
		t.Errorf("coordinator GET: %d, want 403", status)
	}
	if status, _ := mailRequest(t, http.MethodPost, base+"/settings/mail/test-smtp", sessions[crm.RoleCoordinator], true); status != http.StatusForbidden {
		t.Errorf("coordinator test: %d, want 403", status)
	}
}

func TestMailSettingsWithoutConfig(t *testing.T) {
	base, sessions := mailSettingsUI(t, &MailSettings{})
	_, body := mailRequest(t, http.MethodGet, base+"/settings/mail", sessions[crm.RoleAdmin], false)
	for _, want := range []string{"No SMTP server configured: messages go to the outbox", "No reply mailbox configured", "No DKIM key"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	_, body = mailRequest(t, http.MethodPost, base+"/settings/mail/test-smtp", sessions[crm.RoleAdmin], true)
	if got := resultText(t, body, "smtp-test-result"); !strings.Contains(got, "outbox") {
		t.Errorf("SMTP test without a server: %q", got)
	}
}

func TestMailSettingsDKIMRecordEd25519(t *testing.T) {
	key := ed25519Key(t)
	dkim, err := LoadDKIM(writeKey(t, key.pem), "s1", "")
	if err != nil {
		t.Fatal(err)
	}
	v := describeDKIM(dkim)
	if v.Record != key.txt || v.Algorithm != "ed25519" || !strings.HasPrefix(v.Name, "s1._domainkey.") {
		t.Errorf("record %+v, want %s", v, key.txt)
	}
}

func TestMailSettingsSMTPTest(t *testing.T) {
	sink := smtptest.NewServer(t)
	m, err := NewMailSettings(nil, "smtp://"+sink.Addr+"?tls=none", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	base, sessions := mailSettingsUI(t, m)
	status, body := mailRequest(t, http.MethodPost, base+"/settings/mail/test-smtp", sessions[crm.RoleAdmin], true)
	if status != http.StatusOK || strings.Contains(body, "<html") {
		t.Fatalf("test-smtp: %d\n%s", status, body)
	}
	if got := resultText(t, body, "smtp-test-result"); got != "connected" {
		t.Errorf("result = %q, want connected", got)
	}
	if sink.Sessions() == 0 {
		t.Error("the test did not reach the server")
	}

	// Without htmx the whole page comes back, with the result in it.
	_, body = mailRequest(t, http.MethodPost, base+"/settings/mail/test-smtp", sessions[crm.RoleAdmin], false)
	if !strings.Contains(body, "<html") || resultText(t, body, "smtp-test-result") != "connected" {
		t.Errorf("page after the test:\n%s", body)
	}

	// A port nobody listens on gives the error.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	cfg, _ := ParseSMTPURL("smtp://" + closed + "?tls=none")
	m.SMTP = &cfg
	_, body = mailRequest(t, http.MethodPost, base+"/settings/mail/test-smtp", sessions[crm.RoleAdmin], true)
	got := resultText(t, body, "smtp-test-result")
	if got == "connected" || !strings.Contains(got, "refused") {
		t.Errorf("closed port: result = %q, want the connection error", got)
	}
}

func TestMailSettingsIMAPTest(t *testing.T) {
	srv := startIMAP(t, nil)
	cfg := srv.config(IMAPAfterSeen)
	m := &MailSettings{IMAP: &cfg}
	base, sessions := mailSettingsUI(t, m)
	_, body := mailRequest(t, http.MethodPost, base+"/settings/mail/test-imap", sessions[crm.RoleAdmin], true)
	if got := resultText(t, body, "imap-test-result"); got != "connected" {
		t.Errorf("result = %q, want connected", got)
	}

	wrong := cfg
	wrong.Password = "not-the-password"
	m.IMAP = &wrong
	_, body = mailRequest(t, http.MethodPost, base+"/settings/mail/test-imap", sessions[crm.RoleAdmin], true)
	got := resultText(t, body, "imap-test-result")
	if !strings.Contains(got, "login refused") || strings.Contains(got, "not-the-password") {
		t.Errorf("wrong password: result = %q", got)
	}

	missing := cfg
	missing.Mailbox = "Nope"
	m.IMAP = &missing
	_, body = mailRequest(t, http.MethodPost, base+"/settings/mail/test-imap", sessions[crm.RoleAdmin], true)
	if got := resultText(t, body, "imap-test-result"); !strings.Contains(got, `"Nope"`) {
		t.Errorf("missing mailbox: result = %q", got)
	}
}

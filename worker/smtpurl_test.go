package worker

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseSMTPURL(t *testing.T) {
	tests := []struct {
		in   string
		want SMTPConfig
	}{
		{"smtp://mail.example.org", SMTPConfig{Host: "mail.example.org", Port: 587, TLS: TLSStartTLS, MaxConns: 4, Timeout: 15 * time.Second}},
		{"smtp://127.0.0.1:1025?tls=none", SMTPConfig{Host: "127.0.0.1", Port: 1025, TLS: TLSNone, MaxConns: 4, Timeout: 15 * time.Second}},
		{"smtp://localhost?tls=none", SMTPConfig{Host: "localhost", Port: 25, TLS: TLSNone, MaxConns: 4, Timeout: 15 * time.Second}},
		{"smtps://mail.example.org", SMTPConfig{Host: "mail.example.org", Port: 465, TLS: TLSImplicit, MaxConns: 4, Timeout: 15 * time.Second}},
		{"smtp://mail.example.org?tls=TLS", SMTPConfig{Host: "mail.example.org", Port: 465, TLS: TLSImplicit, MaxConns: 4, Timeout: 15 * time.Second}},
		{
			"smtp://ana%40example.org:p%40ss%2Fw%3Ard@mail.example.org:2525?tls=starttls&per_minute=30&max_conns=2&helo=out.example.org&timeout=30s",
			SMTPConfig{Host: "mail.example.org", Port: 2525, Username: "ana@example.org", Password: "p@ss/w:rd", TLS: TLSStartTLS,
				PerMinute: 30, MaxConns: 2, HELO: "out.example.org", Timeout: 30 * time.Second},
		},
		// Unescaped specials in the password still work: the credentials
		// end at the last '@'.
		{"smtp://ana:pa/ss?w#rd@mail.example.org", SMTPConfig{Host: "mail.example.org", Port: 587, Username: "ana", Password: "pa/ss?w#rd", TLS: TLSStartTLS, MaxConns: 4, Timeout: 15 * time.Second}},
		{"smtp://ana@mail.example.org/", SMTPConfig{Host: "mail.example.org", Port: 587, Username: "ana", TLS: TLSStartTLS, MaxConns: 4, Timeout: 15 * time.Second}},
		{"smtp://[::1]:25?tls=none", SMTPConfig{Host: "::1", Port: 25, TLS: TLSNone, MaxConns: 4, Timeout: 15 * time.Second}},
		{"smtp://mail.example.org?chunking=OFF", SMTPConfig{Host: "mail.example.org", Port: 587, TLS: TLSStartTLS, MaxConns: 4, Timeout: 15 * time.Second, NoChunking: true}},
		{"smtp://mail.example.org?chunking=on", SMTPConfig{Host: "mail.example.org", Port: 587, TLS: TLSStartTLS, MaxConns: 4, Timeout: 15 * time.Second}},
	}
	for _, tt := range tests {
		got, err := ParseSMTPURL(tt.in)
		if err != nil {
			t.Errorf("ParseSMTPURL(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseSMTPURL(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestParseSMTPURLErrors(t *testing.T) {
	const pw = "Sekr1tPW"
	tests := []struct{ in, want string }{
		{"mail.example.org:25", "smtp://"},
		{"http://u:" + pw + "@mail.example.org", "scheme"},
		{"smtp://u:" + pw + "@", "no host"},
		{"smtp://u:" + pw + "@mail.example.org:abc", "port"},
		{"smtp://u:" + pw + "@mail.example.org:70000", "port"},
		{"smtp://u:" + pw + "%zz@mail.example.org", "password"},
		{"smtp://u%zz:" + pw + "@mail.example.org", "username"},
		{"smtp://u:" + pw + "@mail.example.org?tls=ssl", "tls"},
		{"smtps://u:" + pw + "@mail.example.org?tls=none", "smtps"},
		{"smtp://u:" + pw + "@mail.example.org?tsl=none", `"tsl"`},
		{"smtp://u:" + pw + "@mail.example.org?per_minute=x", "per_minute"},
		{"smtp://u:" + pw + "@mail.example.org?per_minute=-1", "per_minute"},
		{"smtp://u:" + pw + "@mail.example.org?max_conns=0", "max_conns"},
		{"smtp://u:" + pw + "@mail.example.org?timeout=soon", "timeout"},
		{"smtp://u:" + pw + "@mail.example.org?chunking=no", "chunking"},
		{"smtp://u:" + pw + "@mail.example.org?timeout=-1s", "timeout"},
		{"smtp://u:" + pw + "@mail.example.org?helo=a%0d%0aRCPT", "helo"},
		{"smtp://u:" + pw + "@mail.example.org?tls=none&tls=tls", "tls"},
		{"smtp://u:" + pw + "@mail.example.org/path", "path"},
		{"smtp://u:" + pw + "%0d%0a@mail.example.org", "control character"},
	}
	for _, tt := range tests {
		_, err := ParseSMTPURL(tt.in)
		if err == nil {
			t.Errorf("ParseSMTPURL(%q) succeeded", tt.in)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseSMTPURL(%q) = %q, want it to mention %q", tt.in, err, tt.want)
		}
		if strings.Contains(err.Error(), pw) {
			t.Errorf("ParseSMTPURL(%q) error shows the password: %q", tt.in, err)
		}
	}
}

func TestSMTPConfigRedacted(t *testing.T) {
	cfg, err := ParseSMTPURL("smtp://ana:Sekr1tPW@mail.example.org?per_minute=30")
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.Redacted()
	want := "smtp://ana:xxxxx@mail.example.org:587?max_conns=4&per_minute=30&timeout=15s&tls=starttls"
	if got != want {
		t.Errorf("Redacted() = %q, want %q", got, want)
	}
	if got := (SMTPConfig{Host: "mail.example.org", Username: "ana"}).Redacted(); got != "smtp://ana@mail.example.org:587?max_conns=4&timeout=15s&tls=starttls" {
		t.Errorf("Redacted() of a config without defaults = %q", got)
	}
	back, err := ParseSMTPURL(got)
	if err != nil || back.Host != cfg.Host || back.PerMinute != 30 {
		t.Errorf("Redacted() does not parse back: %+v, %v", back, err)
	}
}

func TestNewSMTPDefaults(t *testing.T) {
	s, err := NewSMTP(SMTPConfig{Host: "mail.example.org"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.cfg.Port != 587 || s.cfg.TLS != TLSStartTLS || s.cfg.MaxConns != 4 || s.cfg.Timeout != 15*time.Second {
		t.Errorf("defaults not applied: %+v", s.cfg)
	}
	if _, err := NewSMTP(SMTPConfig{}); err == nil {
		t.Error("NewSMTP accepted a config without host")
	}
}

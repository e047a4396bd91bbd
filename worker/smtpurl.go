package worker

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// TLS modes of an SMTP account, as written in OUTREACH_SMTP_URL's tls parameter.
const (
	TLSNone     = "none"     // plain text: local test sinks only
	TLSStartTLS = "starttls" // STARTTLS is mandatory; the submission port 587
	TLSImplicit = "tls"      // TLS from the first byte; port 465 (smtps)
)

// Defaults applied to an SMTPConfig's zero values.
const (
	DefaultSMTPMaxConns = 4
	DefaultSMTPTimeout  = 15 * time.Second
)

// SMTPConfig is one sending account: where to submit mail, how to
// authenticate, and the limits its provider imposes.
type SMTPConfig struct {
	Host               string
	Port               int // 0: 25 for none, 587 for starttls, 465 for tls
	Username, Password string
	TLS                string        // TLSNone, TLSStartTLS (default) or TLSImplicit
	PerMinute          int           // provider limit for this account, 0 = none; enforced by the rate limiter, not by SMTP
	MaxConns           int           // connections open at once; 0 = DefaultSMTPMaxConns
	HELO               string        // name sent in EHLO; empty = this machine's host name
	Timeout            time.Duration // per dial and per message; 0 = DefaultSMTPTimeout
	// NoChunking keeps to DATA with a server that offers CHUNKING: an
	// escape hatch for a server (or a proxy in front of it) whose BDAT is
	// broken. URL parameter chunking=off.
	NoChunking bool
}

// ParseSMTPURL reads an account from a URL of the form
//
//	smtp://user:pass@host:port?tls=none|starttls|tls&per_minute=N&max_conns=N&helo=name&timeout=15s&chunking=off
//
// The scheme smtps:// means tls=tls. User and password are URL-decoded.
// Errors name the part that is wrong and never contain the password.
func ParseSMTPURL(s string) (SMTPConfig, error) {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return SMTPConfig{}, errors.New("worker: SMTP URL: want smtp://[user:pass@]host[:port][?params]")
	}
	scheme = strings.ToLower(scheme)
	if scheme != "smtp" && scheme != "smtps" {
		return SMTPConfig{}, fmt.Errorf("worker: SMTP URL: scheme %q is not smtp or smtps", scheme)
	}
	// The credentials are split off by hand before url.Parse sees the rest,
	// because url.Parse quotes the input in its errors, password included,
	// and a password with an unescaped '/', '?' or '#' would be mistaken for
	// part of the path or query.
	var cfg SMTPConfig
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		user, pass, err := parseUserinfo(rest[:at])
		if err != nil {
			return SMTPConfig{}, err
		}
		cfg.Username, cfg.Password = user, pass
		rest = rest[at+1:]
	}
	if err := parseAddress(&cfg, scheme, rest); err != nil {
		return SMTPConfig{}, err
	}
	return cfg.normalize()
}

// parseUserinfo decodes "user:pass"; its errors say which half is wrong
// without quoting either.
func parseUserinfo(info string) (user, pass string, err error) {
	rawUser, rawPass, _ := strings.Cut(info, ":")
	if user, err = url.PathUnescape(rawUser); err != nil {
		return "", "", errors.New("worker: SMTP URL: the username is not valid percent-encoding")
	}
	if pass, err = url.PathUnescape(rawPass); err != nil {
		return "", "", errors.New("worker: SMTP URL: the password is not valid percent-encoding")
	}
	return user, pass, nil
}

// parseAddress reads host, port and parameters from what follows the
// credentials.
func parseAddress(cfg *SMTPConfig, scheme, rest string) error {
	u, err := url.Parse("smtp://" + rest)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("worker: SMTP URL: host part: %v", err)
	}
	if u.Path != "" && u.Path != "/" {
		return fmt.Errorf("worker: SMTP URL: unexpected path %q", u.Path)
	}
	if cfg.Host = u.Hostname(); cfg.Host == "" {
		return errors.New("worker: SMTP URL: no host")
	}
	if p := u.Port(); p != "" {
		if cfg.Port, err = strconv.Atoi(p); err != nil {
			return fmt.Errorf("worker: SMTP URL: port %q is not a number", p)
		}
	}
	if scheme == "smtps" {
		cfg.TLS = TLSImplicit
	}
	return parseParams(cfg, scheme, u.RawQuery)
}

// parseParams applies the query parameters; an unknown one is an error so
// that a typo (tsl=none) does not silently fall back to a default.
func parseParams(cfg *SMTPConfig, scheme, rawQuery string) error {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return fmt.Errorf("worker: SMTP URL: parameters: %v", err)
	}
	for key, vals := range q {
		if len(vals) != 1 {
			return fmt.Errorf("worker: SMTP URL: parameter %q given %d times", key, len(vals))
		}
		if err := setParam(cfg, scheme, key, vals[0]); err != nil {
			return fmt.Errorf("worker: SMTP URL: %w", err)
		}
	}
	return nil
}

func setParam(cfg *SMTPConfig, scheme, key, val string) error {
	var err error
	switch key {
	case "tls":
		val = strings.ToLower(val)
		if scheme == "smtps" && val != TLSImplicit {
			return fmt.Errorf("tls=%s contradicts the smtps scheme", val)
		}
		cfg.TLS = val
	case "per_minute":
		cfg.PerMinute, err = strconv.Atoi(val)
	case "max_conns":
		cfg.MaxConns, err = strconv.Atoi(val)
		if err == nil && cfg.MaxConns < 1 {
			return fmt.Errorf("max_conns=%s: want at least 1", val)
		}
	case "helo":
		cfg.HELO = val
	case "timeout":
		cfg.Timeout, err = time.ParseDuration(val)
		if err == nil && cfg.Timeout <= 0 {
			return fmt.Errorf("timeout=%s: want a positive duration", val)
		}
	case "chunking":
		switch strings.ToLower(val) {
		case "on":
			cfg.NoChunking = false
		case "off":
			cfg.NoChunking = true
		default:
			return fmt.Errorf("chunking=%s: want on or off", val)
		}
	default:
		return fmt.Errorf("unknown parameter %q (want tls, per_minute, max_conns, helo, timeout, chunking)", key)
	}
	if err != nil {
		return fmt.Errorf("%s=%q is not valid", key, val)
	}
	return nil
}

// normalize fills in defaults and checks every field. NewSMTP calls it too,
// so a config built in code gets the same defaults as one parsed from a URL.
func (c SMTPConfig) normalize() (SMTPConfig, error) {
	if c.TLS == "" {
		c.TLS = TLSStartTLS
	}
	if c.Port == 0 {
		c.Port = defaultPort(c.TLS)
	}
	if c.MaxConns == 0 {
		c.MaxConns = DefaultSMTPMaxConns
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultSMTPTimeout
	}
	return c, c.check()
}

func defaultPort(mode string) int {
	switch mode {
	case TLSNone:
		return 25
	case TLSImplicit:
		return 465
	}
	return 587
}

func (c SMTPConfig) check() error {
	switch {
	case c.Host == "" || strings.ContainsAny(c.Host, " /\\@") || hasControl(c.Host):
		return fmt.Errorf("worker: SMTP host %q is not valid", c.Host)
	case c.TLS != TLSNone && c.TLS != TLSStartTLS && c.TLS != TLSImplicit:
		return fmt.Errorf("worker: SMTP tls=%q: want none, starttls or tls", c.TLS)
	case c.Port < 1 || c.Port > 65535:
		return fmt.Errorf("worker: SMTP port %d is out of range", c.Port)
	case c.PerMinute < 0:
		return fmt.Errorf("worker: SMTP per_minute=%d: want 0 (no limit) or more", c.PerMinute)
	case c.MaxConns < 1:
		return fmt.Errorf("worker: SMTP max_conns=%d: want at least 1", c.MaxConns)
	case c.Timeout < 0:
		return fmt.Errorf("worker: SMTP timeout %s: want a positive duration", c.Timeout)
	case c.HELO != "" && !validHELO(c.HELO):
		return fmt.Errorf("worker: SMTP helo=%q is not a host name", c.HELO)
	case hasControl(c.Username) || hasControl(c.Password):
		return errors.New("worker: SMTP username or password contains a control character")
	}
	return nil
}

// validHELO accepts a domain name or an address literal such as [192.0.2.1];
// anything else could smuggle extra commands into the EHLO line.
func validHELO(s string) bool {
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		return net.ParseIP(strings.TrimPrefix(s[1:len(s)-1], "IPv6:")) != nil
	}
	for _, r := range s {
		ok := r == '-' || r == '.' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !ok {
			return false
		}
	}
	return len(s) <= 255
}

// Redacted returns the account as a URL with the password masked, for logs
// and the settings page.
func (c SMTPConfig) Redacted() string {
	if n, err := c.normalize(); err == nil {
		c = n // show the defaults that apply
	}
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(c.Host, strconv.Itoa(c.Port))}
	switch {
	case c.Username != "" && c.Password != "":
		u.User = url.UserPassword(c.Username, "xxxxx")
	case c.Username != "":
		u.User = url.User(c.Username)
	}
	q := url.Values{}
	if c.TLS != "" {
		q.Set("tls", c.TLS)
	}
	if c.PerMinute > 0 {
		q.Set("per_minute", strconv.Itoa(c.PerMinute))
	}
	if c.MaxConns > 0 {
		q.Set("max_conns", strconv.Itoa(c.MaxConns))
	}
	if c.HELO != "" {
		q.Set("helo", c.HELO)
	}
	if c.Timeout > 0 {
		q.Set("timeout", c.Timeout.String())
	}
	u.RawQuery = q.Encode()
	return u.String()
}

package main

import (
	"flag"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"outreach/crm"
)

// config is read once from the environment, then flags may override it.
// Every field has a default that works on a developer machine with local
// Postgres and Redis.
type config struct {
	DatabaseURL    string
	RedisAddr      string
	SMTPURL        string
	IMAPURL        string
	BaseURL        string
	Listen         string
	Secret         string
	DKIMKeyFile    string
	DKIMSelector   string
	DKIMDomain     string
	MaxImportBytes int64
	CalendarName   string
	TrustedProxies crm.Proxies
}

// envDefaults lists each variable with its default, in README order.
var envDefaults = []struct{ name, def, help string }{
	{"OUTREACH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/outreach?sslmode=disable", "Postgres connection URL; `outreach migrate` creates the database if it is missing"},
	{"OUTREACH_REDIS_ADDR", "127.0.0.1:6379", "Redis for the task queue and rate limits: host:port, or redis://[:password@]host:port/db"},
	{"OUTREACH_SMTP_URL", "", "smtp://user:pass@host:port?tls=none|starttls|tls; empty keeps messages in the outbox"},
	{"OUTREACH_IMAP_URL", "", "imaps://user:pass@host:993/INBOX to poll for replies and bounces; empty turns polling off"},
	{"OUTREACH_BASE_URL", "http://127.0.0.1:8080", "public root URL used in tracking, RSVP and unsubscribe links"},
	{"OUTREACH_LISTEN", "127.0.0.1:8080", "address the HTTP server listens on"},
	{"OUTREACH_SECRET", "", "key for signing links and cookies; empty: generated once and kept in the database"},
	{"OUTREACH_DKIM_KEY_FILE", "", "PEM RSA or Ed25519 private key; empty turns DKIM signing off"},
	{"OUTREACH_DKIM_SELECTOR", "outreach", "DKIM selector"},
	{"OUTREACH_DKIM_DOMAIN", "", "DKIM signing domain; empty: the From address's domain"},
	{"OUTREACH_IMPORT_MAX_BYTES", "268435456", "largest CSV file an import accepts, in bytes"},
	{"OUTREACH_CALENDAR_NAME", "Events", "name of the shared calendar (/calendar.ics) in subscribers' calendar apps"},
	{"OUTREACH_TRUSTED_PROXIES", "", "reverse proxies in front of Outreach (IPs or CIDRs, comma-separated) whose X-Forwarded-For is believed"},
}

func loadConfig(getenv func(string) string) (config, error) {
	get := func(name string) string {
		if v := getenv(name); v != "" {
			return v
		}
		for _, e := range envDefaults {
			if e.name == name {
				return e.def
			}
		}
		return ""
	}
	c := config{
		DatabaseURL: get("OUTREACH_DATABASE_URL"), RedisAddr: get("OUTREACH_REDIS_ADDR"),
		SMTPURL: get("OUTREACH_SMTP_URL"), IMAPURL: get("OUTREACH_IMAP_URL"),
		BaseURL: get("OUTREACH_BASE_URL"), Listen: get("OUTREACH_LISTEN"), Secret: get("OUTREACH_SECRET"),
		DKIMKeyFile: get("OUTREACH_DKIM_KEY_FILE"), DKIMSelector: get("OUTREACH_DKIM_SELECTOR"),
		DKIMDomain: get("OUTREACH_DKIM_DOMAIN"), CalendarName: get("OUTREACH_CALENDAR_NAME"),
	}
	n, err := strconv.ParseInt(get("OUTREACH_IMPORT_MAX_BYTES"), 10, 64)
	if err != nil || n < 1 {
		return c, fmt.Errorf("OUTREACH_IMPORT_MAX_BYTES: want a positive number of bytes, got %q", get("OUTREACH_IMPORT_MAX_BYTES"))
	}
	c.MaxImportBytes = n
	if c.TrustedProxies, err = parsePrefixes(get("OUTREACH_TRUSTED_PROXIES")); err != nil {
		return c, fmt.Errorf("OUTREACH_TRUSTED_PROXIES: %w", err)
	}
	return c, nil
}

// parsePrefixes reads a comma-separated list of IP addresses and CIDR
// prefixes; a bare address is a prefix of one.
func parsePrefixes(list string) (crm.Proxies, error) {
	var out crm.Proxies
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an IP address nor a CIDR prefix", f)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// bind lets flags override the connection settings every command needs.
func (c *config) bind(fs *flag.FlagSet) {
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "Postgres URL (env OUTREACH_DATABASE_URL)")
	fs.StringVar(&c.RedisAddr, "redis-addr", c.RedisAddr, "Redis address (env OUTREACH_REDIS_ADDR)")
}

// redisOptions reads OUTREACH_REDIS_ADDR as host:port or a redis:// URL
// (for a password or a database number).
func (c config) redisOptions() *redis.Options {
	if o, err := redis.ParseURL(c.RedisAddr); err == nil {
		return o
	}
	return &redis.Options{Addr: c.RedisAddr}
}

// asynqOptions is the same connection for the task queue.
func (c config) asynqOptions() asynq.RedisClientOpt {
	o := c.redisOptions()
	return asynq.RedisClientOpt{Addr: o.Addr, Username: o.Username, Password: o.Password, DB: o.DB}
}

// validate checks what every command relies on; it runs after flags.
func (c config) validate() error {
	if strings.HasPrefix(c.RedisAddr, "redis://") {
		if _, err := redis.ParseURL(c.RedisAddr); err != nil {
			return fmt.Errorf("OUTREACH_REDIS_ADDR: %v", err)
		}
	}
	u, err := url.Parse(c.DatabaseURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return fmt.Errorf("database URL: want postgres://user@host:port/dbname, got %q", c.DatabaseURL)
	}
	b, err := url.Parse(c.BaseURL)
	if err != nil || b.Scheme == "" || b.Host == "" {
		return fmt.Errorf("OUTREACH_BASE_URL: want an absolute URL such as https://outreach.example.org, got %q", c.BaseURL)
	}
	return nil
}

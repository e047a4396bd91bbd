package worker

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
)

// What a Poller does with a message once Handle has accepted it, as
// written in OUTREACH_IMAP_URL's after parameter.
const (
	IMAPAfterSeen   = "seen"   // flag it \Seen, so people reading the mailbox see it was dealt with
	IMAPAfterDelete = "delete" // flag it \Deleted and expunge it
	IMAPAfterNone   = "none"   // leave it untouched; the saved UID alone keeps it from being read twice
)

// How a Poller logs in, as written in OUTREACH_IMAP_URL's auth parameter.
const (
	IMAPAuthPlain   = "plain"   // AUTHENTICATE PLAIN where offered, else LOGIN
	IMAPAuthXOAUTH2 = "xoauth2" // the password is an OAuth2 access token (Gmail, Microsoft 365)
)

// DefaultIMAPInterval is how often a Poller looks for new mail on a server
// without IDLE.
const DefaultIMAPInterval = time.Minute

const (
	// imapReIdle ends each IDLE before the 30 minutes after which RFC 9051
	// lets a server log out an inactive client; the poll it triggers also
	// catches anything a server failed to announce.
	imapReIdle      = 25 * time.Minute
	imapMinBackoff  = time.Second
	imapMaxBackoff  = 5 * time.Minute
	imapDialTimeout = 30 * time.Second
)

// IMAPConfig is a mailbox to poll, read from OUTREACH_IMAP_URL.
type IMAPConfig struct {
	Host               string
	Port               int // 0: 993 for tls, 143 otherwise
	Username, Password string
	Mailbox            string        // "" = INBOX
	TLS                string        // TLSImplicit, TLSStartTLS (default) or TLSNone
	Auth               string        // IMAPAuthPlain (default) or IMAPAuthXOAUTH2
	After              string        // IMAPAfterSeen (default), IMAPAfterDelete or IMAPAfterNone
	Interval           time.Duration // poll interval without IDLE; 0 = DefaultIMAPInterval
}

// ParseIMAPURL reads a mailbox from a URL of the form
//
//	imaps://user:pass@host[:993]/INBOX?auth=plain|xoauth2&after=seen|delete|none&interval=1m
//	imap://user:pass@host[:143]/INBOX?tls=starttls|none&...
//
// imaps means implicit TLS; imap means STARTTLS unless tls=none. The path
// is the mailbox (default INBOX). With auth=xoauth2 the password is an
// OAuth2 access token. User, password and mailbox are URL-decoded; an '@'
// in the mailbox or the parameters must be written %40. Errors name the
// part that is wrong and never contain the password.
func ParseIMAPURL(s string) (IMAPConfig, error) {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return IMAPConfig{}, errors.New("worker: IMAP URL: want imaps://user:pass@host[:port]/mailbox[?params]")
	}
	scheme = strings.ToLower(scheme)
	if scheme != "imap" && scheme != "imaps" {
		return IMAPConfig{}, fmt.Errorf("worker: IMAP URL: scheme %q is not imap or imaps", scheme)
	}
	// As in ParseSMTPURL, the credentials are split off before url.Parse
	// sees the rest: its errors quote the input, and an unescaped '/', '?'
	// or '#' in a password would otherwise end the host part.
	var cfg IMAPConfig
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		user, pass, err := imapUserinfo(rest[:at])
		if err != nil {
			return IMAPConfig{}, err
		}
		cfg.Username, cfg.Password = user, pass
		rest = rest[at+1:]
	}
	if err := cfg.parseLocation(scheme, rest); err != nil {
		return IMAPConfig{}, err
	}
	return cfg.normalize()
}

// imapUserinfo decodes "user:pass" without quoting either in its errors.
func imapUserinfo(info string) (user, pass string, err error) {
	rawUser, rawPass, _ := strings.Cut(info, ":")
	if user, err = url.PathUnescape(rawUser); err != nil {
		return "", "", errors.New("worker: IMAP URL: the username is not valid percent-encoding")
	}
	if pass, err = url.PathUnescape(rawPass); err != nil {
		return "", "", errors.New("worker: IMAP URL: the password is not valid percent-encoding")
	}
	return user, pass, nil
}

// parseLocation reads host, port, mailbox and parameters from what follows
// the credentials.
func (c *IMAPConfig) parseLocation(scheme, rest string) error {
	u, err := url.Parse("imap://" + rest)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("worker: IMAP URL: host part: %v", err)
	}
	if c.Host = u.Hostname(); c.Host == "" {
		return errors.New("worker: IMAP URL: no host")
	}
	if p := u.Port(); p != "" {
		if c.Port, err = strconv.Atoi(p); err != nil {
			return fmt.Errorf("worker: IMAP URL: port %q is not a number", p)
		}
	}
	c.Mailbox = strings.TrimPrefix(u.Path, "/")
	if scheme == "imaps" {
		c.TLS = TLSImplicit
	}
	return c.parseParams(scheme, u.RawQuery)
}

// parseParams applies the query parameters; an unknown one is an error so
// that a typo (afer=delete) does not silently fall back to a default.
func (c *IMAPConfig) parseParams(scheme, rawQuery string) error {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return fmt.Errorf("worker: IMAP URL: parameters: %v", err)
	}
	for key, vals := range q {
		if len(vals) != 1 {
			return fmt.Errorf("worker: IMAP URL: parameter %q given %d times", key, len(vals))
		}
		if err := c.setParam(scheme, key, vals[0]); err != nil {
			return fmt.Errorf("worker: IMAP URL: %w", err)
		}
	}
	return nil
}

func (c *IMAPConfig) setParam(scheme, key, val string) error {
	switch key {
	case "tls":
		val = strings.ToLower(val)
		if scheme == "imaps" && val != TLSImplicit {
			return fmt.Errorf("tls=%s contradicts the imaps scheme", val)
		}
		c.TLS = val
	case "auth":
		c.Auth = strings.ToLower(val)
	case "after":
		c.After = strings.ToLower(val)
	case "interval":
		d, err := time.ParseDuration(val)
		if err != nil || d <= 0 {
			return fmt.Errorf("interval=%q: want a positive duration such as 1m", val)
		}
		c.Interval = d
	default:
		return fmt.Errorf("unknown parameter %q (want tls, auth, after, interval)", key)
	}
	return nil
}

// normalize fills in defaults and checks every field. Pollers call it too,
// so a config built in code gets the same defaults as one parsed from a URL.
func (c IMAPConfig) normalize() (IMAPConfig, error) {
	if c.TLS == "" {
		c.TLS = TLSStartTLS
	}
	if c.Port == 0 {
		c.Port = 143
		if c.TLS == TLSImplicit {
			c.Port = 993
		}
	}
	if c.Mailbox == "" {
		c.Mailbox = "INBOX"
	}
	if c.Auth == "" {
		c.Auth = IMAPAuthPlain
	}
	if c.After == "" {
		c.After = IMAPAfterSeen
	}
	if c.Interval == 0 {
		c.Interval = DefaultIMAPInterval
	}
	return c, c.check()
}

func (c IMAPConfig) check() error {
	switch {
	case c.Host == "" || strings.ContainsAny(c.Host, " /\\@") || hasControl(c.Host):
		return fmt.Errorf("worker: IMAP host %q is not valid", c.Host)
	case c.TLS != TLSNone && c.TLS != TLSStartTLS && c.TLS != TLSImplicit:
		return fmt.Errorf("worker: IMAP tls=%q: want none, starttls or tls", c.TLS)
	case c.Port < 1 || c.Port > 65535:
		return fmt.Errorf("worker: IMAP port %d is out of range", c.Port)
	case c.Auth != IMAPAuthPlain && c.Auth != IMAPAuthXOAUTH2:
		return fmt.Errorf("worker: IMAP auth=%q: want plain or xoauth2", c.Auth)
	case c.After != IMAPAfterSeen && c.After != IMAPAfterDelete && c.After != IMAPAfterNone:
		return fmt.Errorf("worker: IMAP after=%q: want seen, delete or none", c.After)
	case c.Interval < 0:
		return fmt.Errorf("worker: IMAP interval %s: want a positive duration", c.Interval)
	case c.Username == "":
		return errors.New("worker: IMAP URL has no username")
	case c.Password == "" && c.Auth == IMAPAuthXOAUTH2:
		return errors.New("worker: IMAP auth=xoauth2 needs the access token in the password")
	case c.Password == "":
		return errors.New("worker: IMAP URL has no password")
	case hasControl(c.Username) || hasControl(c.Password):
		// XOAUTH2 separates its fields with \x01, and LOGIN would carry a
		// CR LF as a literal the server may not expect.
		return errors.New("worker: IMAP username or password contains a control character")
	case hasControl(c.Mailbox):
		return errors.New("worker: IMAP mailbox name contains a control character")
	}
	return nil
}

// Redacted returns the mailbox as a URL with the password masked, for
// logs and the settings page.
func (c IMAPConfig) Redacted() string {
	if n, err := c.normalize(); err == nil {
		c = n // show the defaults that apply
	}
	u := url.URL{Scheme: "imap", Host: c.addr(), Path: "/" + c.Mailbox}
	if c.Password != "" {
		u.User = url.UserPassword(c.Username, "xxxxx")
	} else if c.Username != "" {
		u.User = url.User(c.Username)
	}
	q := url.Values{}
	if c.TLS == TLSImplicit {
		u.Scheme = "imaps"
	} else if c.TLS != "" {
		q.Set("tls", c.TLS)
	}
	setNonEmpty(q, "auth", c.Auth)
	setNonEmpty(q, "after", c.After)
	if c.Interval > 0 {
		q.Set("interval", c.Interval.String())
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func setNonEmpty(q url.Values, key, val string) {
	if val != "" {
		q.Set(key, val)
	}
}

func (c IMAPConfig) addr() string {
	return net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
}

// IMAPState remembers how far a mailbox was read: its UIDVALIDITY and the
// last UID handled. The caller keeps it (Outreach keeps it in Postgres),
// so that a restart neither skips nor repeats messages.
type IMAPState struct {
	UIDValidity uint32
	LastUID     uint32
}

// Poller reads new messages from a mailbox and hands each raw message to
// Handle. Delivery is at least once: a crash between Handle and Save, or a
// mailbox re-created under a new UIDVALIDITY, hands a message over again,
// so Handle must be idempotent (match on Message-ID).
type Poller struct {
	Config IMAPConfig
	// Handle processes one raw RFC 5322 message. An error stops the poll
	// before the message is marked handled, so it is retried next time;
	// return one only for failures a retry can fix (the database is
	// down), since a message that always fails holds back those after it.
	Handle func(ctx context.Context, raw []byte) error
	// Load and Save persist the state between polls and processes.
	Load func(ctx context.Context) (IMAPState, error)
	Save func(ctx context.Context, s IMAPState) error
	// Log receives connection failures and mailbox resets; nil discards them.
	Log *slog.Logger
	// TLSConfig, if set, is used for TLS (tests trust their own CA with it).
	TLSConfig *tls.Config
}

// PollOnce connects, selects the mailbox, and hands every message with a
// UID above the saved one (all of them if UIDVALIDITY changed) to Handle in
// UID order. The state is saved after each message, then After is applied.
// It logs out and returns how many messages were handled.
func (p *Poller) PollOnce(ctx context.Context) (int, error) {
	cfg, err := p.setup()
	if err != nil {
		return 0, err
	}
	s, err := p.open(ctx, cfg, nil)
	if err != nil {
		return 0, err
	}
	defer s.close(ctx)
	return p.poll(ctx, s)
}

// Run polls until ctx ends, then returns nil. It keeps one connection open
// and waits in IDLE when the server offers it (waking on new mail, and
// re-issuing IDLE every 25 minutes); otherwise it polls every
// Config.Interval. Errors, a wrong password included, are logged and
// retried on a new connection with a backoff from 1 s to 5 min. Only an
// invalid Poller makes Run return an error.
func (p *Poller) Run(ctx context.Context) error {
	cfg, err := p.setup()
	if err != nil {
		return err
	}
	backoff := imapMinBackoff
	for {
		settled, err := p.serve(ctx, cfg)
		if ctx.Err() != nil {
			return nil
		}
		if settled {
			backoff = imapMinBackoff // a working connection dropped: come back quickly
		}
		p.log().Error("imap mailbox poll failed", "imap_host", cfg.Host, "mailbox", cfg.Mailbox,
			"retry_in", backoff, "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, imapMaxBackoff)
	}
}

func (p *Poller) setup() (IMAPConfig, error) {
	if p.Handle == nil || p.Load == nil || p.Save == nil {
		return IMAPConfig{}, errors.New("worker: IMAP Poller needs Handle, Load and Save")
	}
	return p.Config.normalize()
}

func (p *Poller) log() *slog.Logger {
	if p.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return p.Log
}

// serve polls on one connection until it fails or ctx ends. settled
// reports that it failed while waiting after a good poll, a dropped
// connection, rather than in a poll: a failing Handle or a refused login
// must keep backing off instead of retrying every second.
func (p *Poller) serve(ctx context.Context, cfg IMAPConfig) (settled bool, err error) {
	wake := make(chan struct{}, 1)
	s, err := p.open(ctx, cfg, wake)
	if err != nil {
		return false, err
	}
	defer s.close(ctx)
	idle := s.c.Caps().Has(imap.CapIdle)
	p.log().Info("imap watching mailbox", "imap_host", cfg.Host, "mailbox", cfg.Mailbox, "idle", idle)
	for {
		n, err := p.poll(ctx, s)
		if err != nil {
			return false, err
		}
		if n > 0 {
			p.log().Info("imap messages handled", "imap_host", cfg.Host, "mailbox", cfg.Mailbox, "count", n)
		}
		if idle {
			err = s.idle(ctx, wake)
		} else {
			err = s.sleep(ctx, cfg.Interval)
		}
		if err != nil {
			return true, err
		}
	}
}

// poll selects the mailbox afresh, so that every round sees the current
// UIDVALIDITY, and hands over each message newer than the saved state.
func (p *Poller) poll(ctx context.Context, s *imapSession) (int, error) {
	sel, err := s.c.Select(s.cfg.Mailbox, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("worker: IMAP select %q: %w", s.cfg.Mailbox, err)
	}
	st, err := p.Load(ctx)
	if err != nil {
		return 0, fmt.Errorf("worker: IMAP load state: %w", err)
	}
	st = p.resync(st, sel.UIDValidity, s.cfg)
	uids, err := s.newUIDs(st.LastUID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, uid := range uids {
		handled, err := p.handleOne(ctx, s, &st, uid)
		if handled {
			n++
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// resync forgets the last UID when the mailbox's UIDVALIDITY differs from
// the saved one: the mailbox was re-created, and its UIDs now name other
// messages (RFC 9051 section 2.3.1.1), so everything in it is read again.
func (p *Poller) resync(st IMAPState, validity uint32, cfg IMAPConfig) IMAPState {
	if st.UIDValidity == validity {
		return st
	}
	if st.UIDValidity != 0 {
		p.log().Warn("imap UIDVALIDITY changed, reading the whole mailbox again", "imap_host", cfg.Host,
			"mailbox", cfg.Mailbox, "uid_validity", validity, "saved_uid_validity", st.UIDValidity)
	}
	return IMAPState{UIDValidity: validity}
}

// handleOne hands one message to Handle, then saves the state, then applies
// After. Saving before After means a connection lost in between leaves a
// message unflagged rather than handled twice. handled is false when
// Handle was not called or failed.
func (p *Poller) handleOne(ctx context.Context, s *imapSession, st *IMAPState, uid imap.UID) (handled bool, err error) {
	raw, err := s.fetch(uid)
	if err != nil || raw == nil {
		return false, err // raw == nil: another client expunged it meanwhile
	}
	if err := p.Handle(ctx, raw); err != nil {
		return false, fmt.Errorf("worker: IMAP message uid %d: %w", uid, err)
	}
	st.LastUID = uint32(uid)
	if err := p.Save(ctx, *st); err != nil {
		return true, fmt.Errorf("worker: IMAP save state after uid %d: %w", uid, err)
	}
	return true, s.after(uid)
}

// imapSession is one logged-in connection.
type imapSession struct {
	c    *imapclient.Client
	cfg  IMAPConfig
	stop func() bool // detaches the watcher that closes the connection when ctx ends
}

// open connects and logs in. wake, if not nil, receives a signal whenever
// the server reports a new message count (during IDLE or after a command).
func (p *Poller) open(ctx context.Context, cfg IMAPConfig, wake chan<- struct{}) (*imapSession, error) {
	conn, err := (&net.Dialer{Timeout: imapDialTimeout}).DialContext(ctx, "tcp", cfg.addr())
	if err != nil {
		return nil, fmt.Errorf("worker: IMAP connect: %w", err)
	}
	// go-imap takes no context; closing the connection is how a cancelled
	// ctx interrupts a command (or TLS handshake) that is waiting.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	c, err := newIMAPClient(ctx, conn, cfg, p.clientOptions(cfg, wake))
	if err != nil {
		stop()
		conn.Close()
		return nil, fmt.Errorf("worker: IMAP %s: %s: %w", cfg.addr(), cfg.TLS, err)
	}
	s := &imapSession{c: c, cfg: cfg, stop: stop}
	if err := s.login(); err != nil {
		// No LOGOUT: after a refused XOAUTH2 the server still awaits a
		// SASL line and would take LOGOUT for it, leaving us waiting.
		stop()
		c.Close()
		return nil, err
	}
	return s, nil
}

func (p *Poller) clientOptions(cfg IMAPConfig, wake chan<- struct{}) *imapclient.Options {
	conf := &tls.Config{}
	if p.TLSConfig != nil {
		conf = p.TLSConfig.Clone()
	}
	if conf.ServerName == "" {
		conf.ServerName = cfg.Host
	}
	opts := &imapclient.Options{TLSConfig: conf}
	if wake != nil {
		opts.UnilateralDataHandler = &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages == nil {
					return
				}
				select { // never block the client's reader: one pending wake is enough
				case wake <- struct{}{}:
				default:
				}
			},
		}
	}
	return opts
}

// newIMAPClient starts the client on conn, first negotiating TLS as the
// config asks. Failing STARTTLS is an error, never a fall back to plain text.
func newIMAPClient(ctx context.Context, conn net.Conn, cfg IMAPConfig, opts *imapclient.Options) (*imapclient.Client, error) {
	switch cfg.TLS {
	case TLSImplicit:
		conf := opts.TLSConfig.Clone()
		conf.NextProtos = []string{"imap"}
		tc := tls.Client(conn, conf)
		hctx, cancel := context.WithTimeout(ctx, imapDialTimeout) // a silent server must not hang us
		defer cancel()
		if err := tc.HandshakeContext(hctx); err != nil {
			return nil, err
		}
		return imapclient.New(tc, opts), nil
	case TLSStartTLS:
		return imapclient.NewStartTLS(conn, opts)
	}
	return imapclient.New(conn, opts), nil
}

// login authenticates. Plain passwords prefer AUTHENTICATE PLAIN, which
// RFC 9051 makes mandatory and which carries any UTF-8, and fall back to
// LOGIN for servers that do not offer it.
func (s *imapSession) login() error {
	var err error
	switch {
	case s.cfg.Auth == IMAPAuthXOAUTH2:
		err = s.c.Authenticate(xoauth2{user: s.cfg.Username, token: s.cfg.Password})
	case s.c.Caps().Has(imap.AuthCap(sasl.Plain)):
		err = s.c.Authenticate(sasl.NewPlainClient("", s.cfg.Username, s.cfg.Password))
	default:
		err = s.c.Login(s.cfg.Username, s.cfg.Password).Wait()
	}
	var refused *imap.Error
	switch {
	case errors.As(err, &refused) || errors.Is(err, errXOAUTH2):
		return fmt.Errorf("worker: IMAP %s: login refused, check the username and %s: %w", s.cfg.addr(), s.secretName(), err)
	case err != nil:
		return fmt.Errorf("worker: IMAP %s: login: %w", s.cfg.addr(), err)
	}
	return nil
}

func (s *imapSession) secretName() string {
	if s.cfg.Auth == IMAPAuthXOAUTH2 {
		return "access token (it may have expired)"
	}
	return "password"
}

// close logs out politely unless ctx has already cut the connection.
func (s *imapSession) close(ctx context.Context) {
	s.stop()
	if ctx.Err() == nil {
		_ = s.c.Logout().Wait()
	}
	_ = s.c.Close()
}

// newUIDs lists the UIDs above last in ascending order. The filter is
// needed because "last+1:*" always matches the highest UID in the
// mailbox, even when that is last itself (RFC 9051 section 6.4.9).
func (s *imapSession) newUIDs(last uint32) ([]imap.UID, error) {
	if last == math.MaxUint32 {
		return nil, nil
	}
	var set imap.UIDSet
	set.AddRange(imap.UID(last+1), 0) // 0 is "*"
	data, err := s.c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{set}}, nil).Wait()
	if err != nil {
		return nil, fmt.Errorf("worker: IMAP search for new messages: %w", err)
	}
	uids := slices.DeleteFunc(data.AllUIDs(), func(u imap.UID) bool { return uint32(u) <= last })
	slices.Sort(uids)
	return uids, nil
}

// fetch returns one message, whole and unchanged. BODY.PEEK[] leaves
// \Seen alone: After decides that, and only once Handle has succeeded.
// Messages are fetched one at a time so that a mailbox with a large
// backlog is never held in memory at once.
func (s *imapSession) fetch(uid imap.UID) ([]byte, error) {
	section := &imap.FetchItemBodySection{Peek: true}
	opts := &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}
	msgs, err := s.c.Fetch(imap.UIDSetNum(uid), opts).Collect()
	if err != nil {
		return nil, fmt.Errorf("worker: IMAP fetch uid %d: %w", uid, err)
	}
	for _, m := range msgs {
		if m.UID == uid {
			return m.FindBodySection(section), nil
		}
	}
	return nil, nil
}

// after applies Config.After to a handled message.
func (s *imapSession) after(uid imap.UID) error {
	switch s.cfg.After {
	case IMAPAfterSeen:
		return s.flag(uid, imap.FlagSeen)
	case IMAPAfterDelete:
		if err := s.flag(uid, imap.FlagDeleted); err != nil {
			return err
		}
		return s.expunge(uid)
	}
	return nil
}

func (s *imapSession) flag(uid imap.UID, f imap.Flag) error {
	store := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{f}}
	if err := s.c.Store(imap.UIDSetNum(uid), store, nil).Close(); err != nil {
		return fmt.Errorf("worker: IMAP flag uid %d %s: %w", uid, f, err)
	}
	return nil
}

// expunge removes a message flagged \Deleted. Without UIDPLUS (implied by
// IMAP4rev2) only a plain EXPUNGE exists, which also removes whatever else
// someone flagged \Deleted in this mailbox; that is what flagging meant.
func (s *imapSession) expunge(uid imap.UID) error {
	var err error
	if s.c.Caps().Has(imap.CapUIDPlus) {
		err = s.c.UIDExpunge(imap.UIDSetNum(uid)).Close()
	} else {
		err = s.c.Expunge().Close()
	}
	if err != nil {
		return fmt.Errorf("worker: IMAP expunge uid %d: %w", uid, err)
	}
	return nil
}

// idle waits in IDLE until the server reports new mail, imapReIdle passes
// or ctx ends.
func (s *imapSession) idle(ctx context.Context, wake <-chan struct{}) error {
	cmd, err := s.c.Idle()
	if err != nil {
		return fmt.Errorf("worker: IMAP IDLE: %w", err)
	}
	timer := time.NewTimer(imapReIdle)
	defer timer.Stop()
	select {
	case <-wake:
	case <-timer.C:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.c.Closed():
		return errors.New("worker: IMAP connection closed during IDLE")
	}
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("worker: IMAP end IDLE: %w", err)
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("worker: IMAP IDLE: %w", err)
	}
	return nil
}

// sleep waits between polls on a server without IDLE.
func (s *imapSession) sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-s.c.Closed():
		return errors.New("worker: IMAP connection closed")
	}
}

// errXOAUTH2 marks a token the server refused.
var errXOAUTH2 = errors.New("XOAUTH2 refused")

// xoauth2 is the SASL client for XOAUTH2, the OAuth2 login of Gmail and
// Microsoft 365. go-sasl has only the standardised OAUTHBEARER, which
// Microsoft 365 does not document for IMAP.
type xoauth2 struct{ user, token string }

// Start sends the whole exchange as the initial response.
func (a xoauth2) Start() (mech string, ir []byte, err error) {
	return "XOAUTH2", []byte("user=" + a.user + "\x01auth=Bearer " + a.token + "\x01\x01"), nil
}

// Next receives the JSON error a server sends when it refuses the token.
// The protocol would have us answer with an empty line and then get NO;
// ending here keeps the server's status, and the caller drops the
// connection anyway.
func (a xoauth2) Next(challenge []byte) ([]byte, error) {
	var e struct {
		Status string `json:"status"`
	}
	if json.Unmarshal(challenge, &e) != nil || e.Status == "" {
		return nil, errXOAUTH2
	}
	return nil, fmt.Errorf("%w (status %s)", errXOAUTH2, e.Status)
}

package worker

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// Pool tuning. Providers drop idle connections after one to five minutes
// and some cap messages per connection; staying under both avoids failures
// that would otherwise surface as errors on the next message.
const (
	idleTimeout        = 30 * time.Second
	maxMessagesPerConn = 100
	quitTimeout        = 5 * time.Second
)

// aLongTimeAgo is a deadline in the past: setting it makes blocked I/O on a
// connection return at once, which is how a cancelled context aborts an
// SMTP exchange.
var aLongTimeAgo = time.Unix(1, 0)

var errClosed = errors.New("mailer is closed")

// SMTP delivers already-rendered messages to one SMTP account over a small
// pool of reused connections. At most cfg.MaxConns are open at once; each
// carries many messages, is reset (RSET) before each reuse, replaced when it
// breaks, and closed after idling. Safe for concurrent use.
//
// Messages go out as raw bytes at go-mail's SMTP client level
// (mail.Client.DialToSMTPClientWithContext, then Mail/Rcpt/Data on the
// returned smtp.Client). go-mail has no send call for bytes: its Send
// methods take a *mail.Msg and render it themselves, so signed bytes would
// have to be parsed back (EMLToMsgFromReader) and rendered again, which
// costs a second render and breaks the DKIM signature (new boundaries and
// Date). The mail.Client still does the dialling, EHLO and STARTTLS.
type SMTP struct {
	cfg     SMTPConfig
	addr    string
	client  *mail.Client // connection settings only; it holds no connection itself
	tlsConf *tls.Config
	slots   chan struct{} // a token per connection that may be open
	idleFor time.Duration

	mu     sync.Mutex
	idle   []*smtpConn // most recently used last
	reaper *time.Timer
	closed bool
}

// smtpConn is one pooled SMTP connection.
type smtpConn struct {
	sc        *smtp.Client
	nc        net.Conn // as dialled, below any STARTTLS layer: for deadlines and a hard close
	sent      int
	idleSince time.Time
	clean     bool // the last transaction completed: no RSET needed

	// pipelining: the server takes MAIL, RCPT and DATA in one write (RFC
	// 2920); mailParams are what go-mail's Mail would add to MAIL FROM.
	pipelining bool
	mailParams string
	// chunking: the server takes a message as a BDAT chunk (RFC 3030),
	// which with pipelining makes a whole transaction one write.
	chunking bool
	data     []byte // what goes out in one write: a message and its framing
}

// NewSMTP prepares a sender for cfg, applying the same defaults as
// ParseSMTPURL. It does not connect; use Check to test the account.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	return newSMTP(cfg, nil)
}

// newSMTP takes a TLS configuration so tests can trust their own CA.
func newSMTP(cfg SMTPConfig, tlsConf *tls.Config) (*SMTP, error) {
	cfg, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	if tlsConf == nil {
		tlsConf = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	tlsConf = tlsConf.Clone()
	tlsConf.ServerName = cfg.Host
	s := &SMTP{
		cfg:     cfg,
		addr:    net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)),
		tlsConf: tlsConf,
		slots:   make(chan struct{}, cfg.MaxConns),
		idleFor: idleTimeout,
	}
	s.client, err = mail.NewClient(cfg.Host, s.clientOptions()...)
	if err != nil {
		return nil, fmt.Errorf("worker: SMTP client: %w", err)
	}
	return s, nil
}

// clientOptions configures go-mail. Dialling goes through s.dialContext in
// every mode: it records the connection, which go-mail leaves open when
// EHLO or STARTTLS fails after the dial, and it builds the address with
// net.JoinHostPort, where go-mail's own "%s:%d" breaks IPv6 literals.
// Authentication is done by s.authenticate, not by go-mail; see there.
func (s *SMTP) clientOptions() []mail.Option {
	opts := []mail.Option{
		mail.WithPort(s.cfg.Port),
		mail.WithTimeout(s.cfg.Timeout),
		mail.WithDialContextFunc(s.dialContext),
		mail.WithTLSConfig(s.tlsConf),
	}
	if s.cfg.HELO != "" {
		opts = append(opts, mail.WithHELO(s.cfg.HELO))
	}
	switch s.cfg.TLS {
	case TLSStartTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	default: // none, or implicit TLS already set up by dialContext
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	return opts
}

// Send delivers raw to one recipient, with from as the envelope sender
// (MAIL FROM). Errors are *SendError; Temporary says whether to retry.
func (s *SMTP) Send(ctx context.Context, from, to string, raw []byte) error {
	if err := checkEnvelope(from, to); err != nil {
		return err
	}
	if err := s.acquire(ctx); err != nil {
		return err
	}
	defer s.release()
	c, err := s.ready(ctx)
	if err != nil {
		return err
	}
	hot := c.clean && c.sent > 0
	err = c.transaction(ctx, s.cfg.Timeout, from, to, raw)
	if hot && droppedAtMail(err) && ctx.Err() == nil {
		// A connection reused without an RSET check had been dropped by the
		// server; nothing was sent, so try once more on a checked one.
		c.close()
		if c, err = s.ready(ctx); err != nil {
			return err
		}
		err = c.transaction(ctx, s.cfg.Timeout, from, to, raw)
	}
	s.putBack(c, err)
	return err
}

// droppedAtMail reports a connection that failed at its first command
// without an SMTP reply: the server had closed it.
func droppedAtMail(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Code == 0 && strings.HasPrefix(se.Msg, "MAIL")
}

// Check dials, says EHLO, starts TLS and authenticates as configured, then
// quits: for a "test connection" button and start-up checks. Its errors
// are *SendError: Code tells a refused login (535) from an unreachable
// server (0). Both are Temporary, as they are for Send, because they are
// the account's problem, not the recipient's.
func (s *SMTP) Check(ctx context.Context) error {
	if err := s.acquire(ctx); err != nil {
		return err
	}
	defer s.release()
	c, err := s.dial(ctx)
	if err != nil {
		return err
	}
	c.quit()
	return nil
}

// Close quits the idle connections and makes further Sends fail;
// connections in use are closed when their message is done. QUIT failures
// are not reported: the connection is gone either way.
func (s *SMTP) Close() error {
	s.mu.Lock()
	s.closed = true
	idle := s.idle
	s.idle = nil
	if s.reaper != nil {
		s.reaper.Stop()
		s.reaper = nil
	}
	s.mu.Unlock()
	for _, c := range idle {
		c.quit()
	}
	return nil
}

// acquire takes a connection slot, waiting while cfg.MaxConns are busy.
func (s *SMTP) acquire(ctx context.Context) error {
	select {
	case s.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return &SendError{Temporary: true, Msg: "waiting for a connection: " + ctx.Err().Error(), err: ctx.Err()}
	}
}

func (s *SMTP) release() { <-s.slots }

// hotConn is how long after a completed message a connection is reused
// without an RSET check.
const hotConn = time.Second

// ready returns a connection that is known to be alive: an idle one that
// answers RSET, or a new one. RSET both clears state a failed transaction
// left behind and finds connections the server dropped while they idled, which
// are discarded without failing the message.
func (s *SMTP) ready(ctx context.Context) (*smtpConn, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, classify(ctx, stageReset, err)
		}
		c, err := s.takeIdle()
		if err != nil {
			return nil, err
		}
		if c == nil {
			return s.dial(ctx)
		}
		// A connection that just finished a message is in a clean state and
		// alive; skipping RSET saves a round trip per message at full speed.
		if c.clean && time.Since(c.idleSince) < hotConn {
			return c, nil
		}
		if err := c.reset(ctx, s.cfg.Timeout); err == nil {
			return c, nil
		}
		c.close()
		if ctx.Err() != nil { // not the connection's fault: keep the other idle ones
			return nil, classify(ctx, stageReset, ctx.Err())
		}
	}
}

func (s *SMTP) takeIdle() (*smtpConn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, &SendError{Temporary: true, Msg: errClosed.Error(), err: errClosed}
	}
	n := len(s.idle)
	if n == 0 {
		return nil, nil
	}
	c := s.idle[n-1]
	s.idle = s.idle[:n-1]
	return c, nil
}

// putBack returns c to the pool after a message, unless the message's
// error means the connection is unusable or c has carried enough messages.
func (s *SMTP) putBack(c *smtpConn, sendErr error) {
	if !reusable(sendErr) {
		c.close()
		return
	}
	if c.sent >= maxMessagesPerConn {
		c.quit()
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.quit()
		return
	}
	c.idleSince, c.clean = time.Now(), sendErr == nil
	s.idle = append(s.idle, c)
	if s.reaper == nil {
		s.reaper = time.AfterFunc(s.idleFor, s.reap)
	}
	s.mu.Unlock()
}

// reusable reports whether a connection survives err: a 4xx or 5xx reply
// other than 421 leaves it in a known state; anything else (I/O error,
// timeout, cancellation, 421 "closing channel", an out-of-sequence reply)
// does not.
func reusable(err error) bool {
	var se *SendError
	if err == nil {
		return true
	}
	return errors.As(err, &se) && se.Code >= 400 && se.Code < 600 && se.Code != 421
}

// reap closes connections idle for longer than s.idleFor and re-arms itself
// while any remain, so an unused mailer holds no connections and no timer.
func (s *SMTP) reap() {
	s.mu.Lock()
	now := time.Now()
	n := 0
	for n < len(s.idle) && now.Sub(s.idle[n].idleSince) >= s.idleFor {
		n++
	}
	expired := append([]*smtpConn(nil), s.idle[:n]...)
	s.idle = append(s.idle[:0], s.idle[n:]...)
	s.reaper = nil
	if len(s.idle) > 0 && !s.closed {
		s.reaper = time.AfterFunc(s.idle[0].idleSince.Add(s.idleFor).Sub(now), s.reap)
	}
	s.mu.Unlock()
	for _, c := range expired {
		c.quit()
	}
}

// dialSlot carries the connection out of go-mail's dial, so that it can be
// closed when go-mail fails after dialling, and a context for aborting it.
type dialSlot struct {
	ctx  context.Context
	conn net.Conn
	stop func() bool
}

type dialSlotKey struct{}

// dial opens and authenticates a new connection.
func (s *SMTP) dial(ctx context.Context) (*smtpConn, error) {
	slot := &dialSlot{ctx: ctx}
	sc, err := s.client.DialToSMTPClientWithContext(context.WithValue(ctx, dialSlotKey{}, slot))
	if slot.stop != nil && !slot.stop() && err == nil {
		err = ctx.Err() // cancelled after the handshake finished: the deadline is spoilt
	}
	if err != nil {
		if slot.conn != nil {
			_ = slot.conn.Close()
		}
		return nil, classify(ctx, stageConnect, err)
	}
	c := &smtpConn{sc: sc, nc: slot.conn}
	if err := s.authenticate(ctx, c); err != nil {
		c.close()
		return nil, classify(ctx, stageAuth, err)
	}
	c.pipelining, _ = sc.Extension("PIPELINING")
	c.chunking, _ = sc.Extension("CHUNKING")
	c.chunking = c.chunking && !s.cfg.NoChunking
	if ok, _ := sc.Extension("8BITMIME"); ok {
		c.mailParams += " BODY=8BITMIME"
	}
	if ok, _ := sc.Extension("SMTPUTF8"); ok {
		c.mailParams += " SMTPUTF8"
	}
	return c, nil
}

// dialContext is go-mail's dial function: TCP, plus TLS for implicit-TLS
// accounts. go-mail passes its own context, derived from the one given to
// dial, so the slot is found there.
func (s *SMTP) dialContext(ctx context.Context, network, _ string) (net.Conn, error) {
	d := &net.Dialer{}
	var conn net.Conn
	var err error
	if s.cfg.TLS == TLSImplicit {
		conn, err = (&tls.Dialer{NetDialer: d, Config: s.tlsConf}).DialContext(ctx, network, s.addr)
	} else {
		conn, err = d.DialContext(ctx, network, s.addr)
	}
	if err != nil {
		return nil, err
	}
	if slot, ok := ctx.Value(dialSlotKey{}).(*dialSlot); ok {
		slot.conn = conn
		slot.stop = context.AfterFunc(slot.ctx, func() { _ = conn.SetDeadline(aLongTimeAgo) })
	}
	return conn, nil
}

// authenticate logs in when a username is configured. It picks the
// mechanism itself and makes a fresh go-mail smtp.Auth per connection:
// go-mail's AutoDiscover never picks PLAIN or LOGIN on a connection it
// believes unencrypted (which includes our own implicit-TLS dial), and its
// opportunistic mode rewrites the shared Client's settings during a dial.
// go-mail's PLAIN and LOGIN still refuse to send a password in clear text
// to anything but localhost.
func (s *SMTP) authenticate(ctx context.Context, c *smtpConn) error {
	if s.cfg.Username == "" {
		return nil
	}
	ok, mechs := c.sc.Extension("AUTH")
	if !ok {
		return errors.New("the server offers no AUTH, but a username is configured")
	}
	var auth smtp.Auth
	switch {
	case hasWord(mechs, "PLAIN"):
		auth = smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.cfg.Host, false)
	case hasWord(mechs, "LOGIN"):
		auth = smtp.LoginAuth(s.cfg.Username, s.cfg.Password, s.cfg.Host, false)
	default:
		return fmt.Errorf("the server offers AUTH %s; supported are PLAIN and LOGIN", mechs)
	}
	defer c.guard(ctx, s.cfg.Timeout)()
	return c.sc.Auth(auth)
}

// guard bounds one exchange on c by timeout and aborts it when ctx ends.
// A deadline of ctx is left to the AfterFunc rather than copied onto the
// connection, so that by the time I/O fails ctx.Err() says why. The
// returned func reports whether ctx stayed alive.
func (c *smtpConn) guard(ctx context.Context, timeout time.Duration) func() bool {
	_ = c.nc.SetDeadline(time.Now().Add(timeout))
	return context.AfterFunc(ctx, func() { _ = c.nc.SetDeadline(aLongTimeAgo) })
}

// reset sends RSET before a connection is reused.
func (c *smtpConn) reset(ctx context.Context, timeout time.Duration) error {
	defer c.guard(ctx, timeout)()
	return c.sc.Reset()
}

// transaction runs MAIL, RCPT and DATA (or BDAT) for one message, in as
// few writes as the server's extensions allow.
func (c *smtpConn) transaction(ctx context.Context, timeout time.Duration, from, to string, raw []byte) error {
	defer c.guard(ctx, timeout)()
	if c.pipelining && c.chunking && canonical(raw) {
		return c.chunked(ctx, from, to, raw)
	}
	if c.pipelining {
		return c.pipelined(ctx, from, to, raw)
	}
	if err := c.sc.Mail("<" + from + ">"); err != nil {
		return classify(ctx, stageMail, err)
	}
	if err := c.sc.Rcpt("<" + to + ">"); err != nil {
		return classify(ctx, stageRcpt, err)
	}
	w, err := c.sc.Data()
	if err != nil {
		return classify(ctx, stageData, err)
	}
	if _, err := w.Write(raw); err != nil {
		return classify(ctx, stageBody, err)
	}
	// Close sends the final dot and reads the reply. Losing the connection
	// here is ambiguous: the server may have accepted the message.
	if err := w.Close(); err != nil {
		return classify(ctx, stageEnd, err)
	}
	c.sent++
	return nil
}

// pipelined is transaction for a server that offers PIPELINING: MAIL,
// RCPT and DATA go out in one write and their three replies are read
// together, two round trips per message instead of four. Every reply is
// read even after a refusal, so the connection stays in step.
func (c *smtpConn) pipelined(ctx context.Context, from, to string, raw []byte) error {
	t := c.sc.Text
	t.W.WriteString("MAIL FROM:<" + from + ">" + c.mailParams + "\r\nRCPT TO:<" + to + ">\r\nDATA\r\n")
	if err := t.W.Flush(); err != nil {
		return classify(ctx, stageMail, err)
	}
	var errs [3]error
	for i, st := range []stage{stageMail, stageRcpt, stageData} {
		_, _, err := t.ReadResponse([]int{250, 25, 354}[i])
		var reply *textproto.Error
		if err != nil && !errors.As(err, &reply) {
			return classify(ctx, st, err) // no reply: the connection is gone
		}
		errs[i] = err
	}
	switch {
	case errs[0] != nil || errs[1] != nil:
		if errs[2] == nil {
			// A server must refuse DATA after a refused MAIL or RCPT; one
			// that did not waits for a message. An empty one ends it.
			if err := c.endStrayData(); err != nil {
				return classify(ctx, stageData, err)
			}
		}
		if errs[0] != nil {
			return classify(ctx, stageMail, errs[0])
		}
		return classify(ctx, stageRcpt, errs[1])
	case errs[2] != nil:
		return classify(ctx, stageData, errs[2])
	}
	// Losing the connection from here on is ambiguous: the server may
	// have accepted the message.
	if err := writeData(t, raw, &c.data); err != nil {
		return classify(ctx, stageEnd, err)
	}
	if _, _, err := t.ReadResponse(250); err != nil {
		return classify(ctx, stageEnd, err)
	}
	c.sent++
	return nil
}

// chunked is pipelined for a server that also offers CHUNKING: MAIL, RCPT
// and the whole message as one "BDAT n LAST" chunk go out in one write and
// their three replies come back together, one round trip per message
// instead of two. BDAT gives the message's length, so nothing is
// dot-stuffed, and a server that refused MAIL or RCPT still reads and
// drops the chunk (RFC 3030 4.2), so the connection stays in step.
//
// The message is on its way before any reply, so a connection lost after
// MAIL's reply leaves the outcome unknown. One lost before it is a server
// that had closed the connection: it answers commands in order and cannot
// have taken a message without answering MAIL first.
func (c *smtpConn) chunked(ctx context.Context, from, to string, raw []byte) error {
	t := c.sc.Text
	b := append(c.data[:0], "MAIL FROM:<"...)
	b = append(append(append(b, from...), '>'), c.mailParams...)
	b = append(append(append(b, "\r\nRCPT TO:<"...), to...), ">\r\nBDAT "...)
	b = append(strconv.AppendInt(b, int64(len(raw)), 10), " LAST\r\n"...)
	b = append(b, raw...)
	if cap(b) <= maxDataBuffer {
		c.data = b
	}
	t.W.Write(b)
	if err := t.W.Flush(); err != nil {
		return classify(ctx, stageMail, err) // not all of it left: nothing can have been taken
	}
	var errs [3]error
	for i, st := range []stage{stageMail, stageRcptChunked, stageChunk} {
		_, _, err := t.ReadResponse([]int{250, 25, 250}[i])
		var reply *textproto.Error
		if err != nil && !errors.As(err, &reply) {
			return classify(ctx, st, err)
		}
		errs[i] = err
	}
	switch {
	case errs[0] != nil:
		return classify(ctx, stageMail, errs[0])
	case errs[1] != nil:
		return classify(ctx, stageRcpt, errs[1])
	case errs[2] != nil:
		return classify(ctx, stageChunk, errs[2])
	}
	c.sent++
	return nil
}

// writeData sends a message after DATA's 354: dot-stuffed, with CRLF line
// ends, then the lone dot (RFC 5321 4.5.2). textproto's DotWriter does
// this a byte at a time, 15 µs for a 6 KB invitation; a message built here
// has CRLF line ends throughout and rarely a line that starts with a dot,
// so it goes out as it is, and any other through DotWriter. The message
// and its dot are copied into buf (the connection's, reused) to go out in
// one write: two would wake the server twice.
func writeData(t *textproto.Conn, raw []byte, buf *[]byte) error {
	if needsDotWriter(raw) {
		w := t.DotWriter()
		if _, err := w.Write(raw); err != nil {
			return err
		}
		return w.Close()
	}
	b := append(append((*buf)[:0], raw...), ".\r\n"...)
	if cap(b) <= maxDataBuffer {
		*buf = b
	}
	t.W.Write(b)
	return t.W.Flush()
}

// maxDataBuffer bounds the buffer a connection keeps between messages; a
// rare larger message gets one of its own.
const maxDataBuffer = 256 << 10

// needsDotWriter reports whether raw has a line that starts with a dot, a
// CR or LF that is not part of a CRLF, or no line end at its end.
func needsDotWriter(raw []byte) bool {
	return !canonical(raw) || raw[0] == '.' || bytes.Contains(raw, dotLine)
}

// canonical reports whether raw ends lines with CRLF only, its last line
// included: what a message must be on the wire, where DotWriter would
// otherwise fix it up and a BDAT chunk goes as it is.
func canonical(raw []byte) bool {
	if len(raw) < 2 || !bytes.HasSuffix(raw, crlf) {
		return false
	}
	n := bytes.Count(raw, crlf)
	return bytes.Count(raw, lf) == n && bytes.Count(raw, cr) == n
}

var lf, dotLine = []byte("\n"), []byte("\n.")

// endStrayData ends a DATA phase the server should not have begun.
func (c *smtpConn) endStrayData() error {
	t := c.sc.Text
	if _, err := t.W.WriteString(".\r\n"); err != nil {
		return err
	}
	if err := t.W.Flush(); err != nil {
		return err
	}
	_, _, err := t.ReadResponse(0)
	return err
}

// quit ends the connection politely, within quitTimeout.
func (c *smtpConn) quit() {
	_ = c.nc.SetDeadline(time.Now().Add(quitTimeout))
	_ = c.sc.Quit()
	_ = c.nc.Close()
}

// close drops the connection without QUIT, for connections in an unknown state.
func (c *smtpConn) close() {
	_ = c.nc.Close()
	_ = c.sc.Close()
}

// checkEnvelope validates the SMTP envelope: a CR or LF here would inject
// SMTP commands, and a malformed address would only bounce later.
func checkEnvelope(from, to string) error {
	for _, a := range []struct{ name, addr string }{{"sender", from}, {"recipient", to}} {
		parsed, err := netmail.ParseAddress(a.addr)
		if err != nil || parsed.Address != a.addr || hasControl(a.addr) {
			return &SendError{Msg: fmt.Sprintf("envelope %s %q is not an email address", a.name, a.addr)}
		}
	}
	return nil
}

// SendError is a failed delivery, classified for the retry decision.
type SendError struct {
	// Temporary says to retry later: 4xx replies, network errors, timeouts,
	// a dropped connection, and any failure to connect or log in whatever
	// its code. It is false only when the server refused this recipient or
	// this message: a 5xx reply to RCPT TO, DATA or the message data.
	// A 5xx to MAIL FROM counts as temporary, because it is about the
	// sending account (a From it may not use), and a permanent verdict
	// would bounce and suppress every recipient of a misconfigured campaign.
	Temporary bool
	Code      int    // SMTP reply code, 0 if none
	Enhanced  string // RFC 3463 status such as "5.1.1", "" if none
	Msg       string // what failed, with the server's text

	// Ambiguous is set when the connection failed after the whole message
	// was sent, before the server's reply: it may have been accepted, so a
	// retry risks a duplicate.
	Ambiguous bool

	err error
}

// Error returns "smtp: CODE ENHANCED MSG" with the parts that are known.
func (e *SendError) Error() string {
	var b strings.Builder
	b.WriteString("smtp: ")
	if e.Code != 0 {
		b.WriteString(strconv.Itoa(e.Code) + " ")
	}
	if e.Enhanced != "" {
		b.WriteString(e.Enhanced + " ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the underlying error, such as a *textproto.Error or
// context.Canceled.
func (e *SendError) Unwrap() error { return e.err }

// stage is a step of an SMTP exchange, for error messages and verdicts.
type stage struct {
	name string
	// refusal: a 5xx here rejects this recipient or message, not the account.
	refusal bool
	// afterBody: an I/O failure here leaves the outcome unknown.
	afterBody bool
}

var (
	stageConnect = stage{name: "connect"}
	stageReset   = stage{name: "RSET"}
	stageAuth    = stage{name: "authenticate"}
	stageMail    = stage{name: "MAIL FROM"}
	stageRcpt    = stage{name: "RCPT TO", refusal: true}
	stageData    = stage{name: "DATA", refusal: true}
	stageBody    = stage{name: "message body"}
	stageEnd     = stage{name: "end of DATA", refusal: true, afterBody: true}
	// With BDAT the message has left before RCPT is answered.
	stageRcptChunked = stage{name: "RCPT TO", refusal: true, afterBody: true}
	stageChunk       = stage{name: "BDAT", refusal: true, afterBody: true}
)

// classify turns an error from stage st into a *SendError. Our own
// classification is used rather than go-mail's SendError, which calls a
// dropped connection permanent and reads codes off the error text.
func classify(ctx context.Context, st stage, err error) *SendError {
	var reply *textproto.Error
	if errors.As(err, &reply) {
		enhanced, text := splitEnhanced(reply.Code, reply.Msg)
		return &SendError{
			Temporary: !(st.refusal && reply.Code/100 == 5),
			Code:      reply.Code, Enhanced: enhanced,
			Msg: st.name + ": " + text, err: err,
		}
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		err = ctxErr // the I/O error is only the symptom of the cancellation
	}
	return &SendError{Temporary: true, Ambiguous: st.afterBody, Msg: st.name + ": " + err.Error(), err: err}
}

// splitEnhanced takes an RFC 3463 status code ("5.1.1") off the front of a
// reply text when its class matches the reply code's.
func splitEnhanced(code int, text string) (enhanced, rest string) {
	first, after, _ := strings.Cut(text, " ")
	parts := strings.Split(first, ".")
	if len(parts) != 3 || parts[0] != strconv.Itoa(code/100) || !digits(parts[1]) || !digits(parts[2]) {
		return "", text
	}
	return first, after
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return len(s) > 0 && len(s) <= 3
}

// hasWord reports whether the space-separated list holds w.
func hasWord(list, w string) bool {
	for f := range strings.FieldsSeq(list) {
		if strings.EqualFold(f, w) {
			return true
		}
	}
	return false
}

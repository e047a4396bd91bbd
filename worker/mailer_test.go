package worker

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"outreach/worker/smtptest"
)

// sink is an in-process SMTP server that records what it receives. The
// recipient's local part steers it: tempfail@ gets 451 4.7.1, unknown@
// gets 550 5.1.1, drop@ has its connection closed during RCPT, slow@
// stalls until the test ends.
type sink struct {
	srv      *gosmtp.Server
	host     string
	port     int
	accepts  atomic.Int64 // TCP connections accepted
	open     atomic.Int64 // connections whose handler has not logged out yet
	received atomic.Int64
	discard  bool // count messages without keeping them (benchmarks)
	user     string
	pass     string
	stall    chan struct{}

	mu    sync.Mutex
	msgs  []captured
	conns map[*gosmtp.Conn]bool
}

type captured struct {
	from, to string
	data     []byte
}

type sinkOption func(*sink, *gosmtp.Server)

func withAuth(user, pass string) sinkOption {
	return func(s *sink, srv *gosmtp.Server) { s.user, s.pass, srv.AllowInsecureAuth = user, pass, true }
}

func withDiscard() sinkOption { return func(s *sink, _ *gosmtp.Server) { s.discard = true } }

func withTLS(conf *tls.Config) sinkOption {
	return func(_ *sink, srv *gosmtp.Server) { srv.TLSConfig = conf }
}

// startSink serves on 127.0.0.1:0; with implicitTLS the listener speaks
// TLS from the first byte.
func startSink(t testing.TB, implicitTLS *tls.Config, opts ...sinkOption) *sink {
	t.Helper()
	s := &sink{conns: map[*gosmtp.Conn]bool{}, stall: make(chan struct{})}
	s.srv = gosmtp.NewServer(s)
	s.srv.Domain = "localhost"
	for _, o := range opts {
		o(s, s.srv)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var l net.Listener = &countingListener{Listener: ln, n: &s.accepts}
	if implicitTLS != nil {
		l = tls.NewListener(l, implicitTLS)
	}
	addr := ln.Addr().(*net.TCPAddr)
	s.host, s.port = addr.IP.String(), addr.Port
	go func() { _ = s.srv.Serve(l) }()
	t.Cleanup(func() {
		close(s.stall)
		_ = s.srv.Close()
	})
	return s
}

type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

func (s *sink) config() SMTPConfig {
	return SMTPConfig{Host: s.host, Port: s.port, TLS: TLSNone, Username: s.user, Password: s.pass, Timeout: 5 * time.Second}
}

func (s *sink) messages() []captured {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]captured(nil), s.msgs...)
}

// dropAll closes every connection from the server side, as a server does
// with connections that idled too long.
func (s *sink) dropAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		_ = c.Conn().Close()
	}
}

func (s *sink) NewSession(c *gosmtp.Conn) (gosmtp.Session, error) {
	s.open.Add(1)
	s.mu.Lock()
	s.conns[c] = true
	s.mu.Unlock()
	sess := &sinkHandler{sink: s, conn: c}
	if s.user != "" {
		return &authHandler{sess}, nil
	}
	return sess, nil
}

type sinkHandler struct {
	sink     *sink
	conn     *gosmtp.Conn
	authed   bool
	from, to string
}

func (ss *sinkHandler) Mail(from string, _ *gosmtp.MailOptions) error {
	if ss.sink.user != "" && !ss.authed {
		return gosmtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *sinkHandler) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	local, _, _ := strings.Cut(to, "@")
	switch local {
	case "tempfail":
		return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 7, 1}, Message: "Greylisted, try later"}
	case "unknown":
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	case "spam", "busy": // refused once the message is in: see Data
	case "drop":
		_ = ss.conn.Conn().Close()
	case "slow":
		<-ss.sink.stall
	case "slowish": // long enough for concurrent senders to overlap
		time.Sleep(20 * time.Millisecond)
	}
	ss.to = to
	return nil
}

func (ss *sinkHandler) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	switch local, _, _ := strings.Cut(ss.to, "@"); local {
	case "spam":
		return &gosmtp.SMTPError{Code: 554, EnhancedCode: gosmtp.EnhancedCode{5, 7, 1}, Message: "Looks like spam"}
	case "busy":
		return &gosmtp.SMTPError{Code: 452, EnhancedCode: gosmtp.EnhancedCode{4, 3, 1}, Message: "Queue full"}
	}
	ss.sink.received.Add(1)
	if ss.sink.discard {
		return nil
	}
	ss.sink.mu.Lock()
	ss.sink.msgs = append(ss.sink.msgs, captured{from: ss.from, to: ss.to, data: data})
	ss.sink.mu.Unlock()
	return nil
}

func (ss *sinkHandler) Reset() { ss.from, ss.to = "", "" }

func (ss *sinkHandler) Logout() error {
	ss.sink.open.Add(-1)
	ss.sink.mu.Lock()
	delete(ss.sink.conns, ss.conn)
	ss.sink.mu.Unlock()
	return nil
}

// authHandler adds AUTH PLAIN to a sinkHandler.
type authHandler struct{ *sinkHandler }

func (as *authHandler) AuthMechanisms() []string { return []string{sasl.Plain} }

func (as *authHandler) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != as.sink.user || pass != as.sink.pass {
			return gosmtp.ErrAuthFailed
		}
		as.authed = true
		return nil
	}), nil
}

func newTestSMTP(t testing.TB, cfg SMTPConfig) *SMTP {
	t.Helper()
	s, err := NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func testRaw(t testing.TB, to string) []byte {
	t.Helper()
	raw, err := Message{
		From: "ana@outreach.example.org", FromName: "Ana Example", To: to, ToName: "Lea Lead",
		ReplyTo: "reply+r1@outreach.example.org", Subject: "Invitation: finance circle",
		Text: "Hello Lea,\r\nyou are invited.", HTML: "<p>Hello Lea,</p><p>you are invited.</p>",
		MessageID:         "r1.abc@outreach.example.org",
		UnsubscribeURL:    "https://outreach.example.org/u/tok123",
		UnsubscribeMailto: "mailto:unsub+r1@outreach.example.org",
		Calendar:          []byte(testICS),
		Headers:           map[string]string{"X-Outreach-Campaign": "42"},
	}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestSMTPDeliversContent(t *testing.T) {
	srv := startSink(t, nil)
	s := newTestSMTP(t, srv.config())
	raw := testRaw(t, "lea@example.net")
	if err := s.Send(context.Background(), "bounces+r1@outreach.example.org", "lea@example.net", raw); err != nil {
		t.Fatalf("Send: %v", err)
	}
	msgs := srv.messages()
	if len(msgs) != 1 {
		t.Fatalf("server got %d messages, want 1", len(msgs))
	}
	got := msgs[0]
	if got.from != "bounces+r1@outreach.example.org" || got.to != "lea@example.net" {
		t.Errorf("envelope = %q -> %q", got.from, got.to)
	}
	if !bytes.Equal(got.data, raw) {
		t.Errorf("server received different bytes than sent")
	}
	m, err := netmail.ReadMessage(bytes.NewReader(got.data))
	if err != nil {
		t.Fatal(err)
	}
	wantHeaders := map[string]string{
		"Message-Id":            "<r1.abc@outreach.example.org>",
		"List-Unsubscribe":      "<https://outreach.example.org/u/tok123>, <mailto:unsub+r1@outreach.example.org>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"X-Outreach-Campaign":   "42",
	}
	for k, want := range wantHeaders {
		if v := m.Header.Get(k); v != want {
			t.Errorf("%s = %q, want %q", k, v, want)
		}
	}
	types := partTypes(t, m)
	want := []string{"text/plain", "text/html", "text/calendar;method=REQUEST", "application/ics;attachment"}
	if fmt.Sprint(types) != fmt.Sprint(want) {
		t.Errorf("parts = %v, want %v", types, want)
	}
}

// partTypes flattens the MIME tree into the leaf media types, with the
// calendar method and attachment disposition noted.
func partTypes(t *testing.T, m *netmail.Message) []string {
	t.Helper()
	var out []string
	var walk func(ct string, body io.Reader, disposition string)
	walk = func(ct string, body io.Reader, disposition string) {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatalf("Content-Type %q: %v", ct, err)
		}
		if !strings.HasPrefix(mt, "multipart/") {
			if m := params["method"]; m != "" {
				mt += ";method=" + m
			}
			if strings.HasPrefix(disposition, "attachment") {
				mt += ";attachment"
			}
			out = append(out, mt)
			return
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			walk(p.Header.Get("Content-Type"), p, p.Header.Get("Content-Disposition"))
		}
	}
	walk(m.Header.Get("Content-Type"), m.Body, "")
	return out
}

func TestSMTPReusesConnections(t *testing.T) {
	srv := startSink(t, nil)
	cfg := srv.config()
	cfg.MaxConns = 2
	s := newTestSMTP(t, cfg)
	raw := testRaw(t, "lea@example.net")
	for i := range 30 {
		if err := s.Send(context.Background(), "ana@outreach.example.org", "lea@example.net", raw); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	if n := srv.accepts.Load(); n != 1 {
		t.Errorf("30 sequential messages used %d connections, want 1", n)
	}
}

// A server that offers PIPELINING and CHUNKING gets each message in one
// write with MAIL and RCPT, one round trip; one that offers PIPELINING
// only gets MAIL, RCPT and DATA in one write, then the message: two round
// trips. One that offers neither gets one command at a time, and every
// message arrives in each case.
func TestSMTPPipelinesWhenOffered(t *testing.T) {
	for _, tc := range []struct {
		offer      string
		roundTrips float64
	}{{"PIPELINING CHUNKING", 1}, {"PIPELINING", 2}, {"", 4}} {
		sink := smtptest.NewCounter(t)
		switch tc.offer {
		case "":
			sink.DisablePipelining()
		case "PIPELINING":
			sink.DisableChunking()
		}
		host, port, _ := net.SplitHostPort(sink.Addr)
		p, _ := strconv.Atoi(port)
		s := newTestSMTP(t, SMTPConfig{Host: host, Port: p, TLS: TLSNone, Timeout: 5 * time.Second})
		const n = 10
		for i := range n {
			to := fmt.Sprintf("p%d@example.net", i)
			if err := s.Send(context.Background(), "ana@outreach.example.org", to, testRaw(t, to)); err != nil {
				t.Fatalf("offering %q, message %d: %v", tc.offer, i, err)
			}
		}
		if got := len(sink.PerRecipient()); got != n {
			t.Errorf("offering %q: %d recipients got a message, want %d", tc.offer, got, n)
		}
		perMessage := float64(sink.RoundTrips()-2) / n // less the greeting and EHLO
		if perMessage != tc.roundTrips {
			t.Errorf("offering %q: %.1f round trips per message, want %.0f", tc.offer, perMessage, tc.roundTrips)
		}
	}
}

func TestSMTPRecyclesAfterMaxMessages(t *testing.T) {
	srv := startSink(t, nil, withDiscard())
	s := newTestSMTP(t, srv.config())
	raw := testRaw(t, "lea@example.net")
	for i := range maxMessagesPerConn + 1 {
		if err := s.Send(context.Background(), "ana@outreach.example.org", "lea@example.net", raw); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	if n := srv.accepts.Load(); n != 2 {
		t.Errorf("%d messages used %d connections, want 2", maxMessagesPerConn+1, n)
	}
}

func TestSMTPConcurrentSend(t *testing.T) {
	srv := startSink(t, nil)
	cfg := srv.config()
	cfg.MaxConns = 3
	s := newTestSMTP(t, cfg)
	raw := testRaw(t, "lea@example.net")
	// Fewer messages than one connection may carry (maxMessagesPerConn),
	// so no connection is retired and replaced: every accepted connection
	// is one the pool held at once.
	const goroutines, each = 8, 12
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*each)
	for range goroutines {
		wg.Go(func() {
			for range each {
				if err := s.Send(context.Background(), "ana@outreach.example.org", "lea@example.net", raw); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Send: %v", err)
	}
	if n := len(srv.messages()); n != goroutines*each {
		t.Errorf("server got %d messages, want %d", n, goroutines*each)
	}
	if n := srv.accepts.Load(); n > int64(cfg.MaxConns) {
		t.Errorf("%d connections opened, MaxConns is %d", n, cfg.MaxConns)
	}
}

// Refusals keep their code and say where they came: at RCPT, or of the
// message itself (at the end of DATA, or at BDAT when the server offers
// CHUNKING). Each leaves the connection usable.
func TestSMTPReplyCodes(t *testing.T) {
	for _, chunking := range []bool{true, false} {
		srv := startSink(t, nil)
		cfg := srv.config()
		cfg.NoChunking = !chunking
		s := newTestSMTP(t, cfg)
		end := map[bool]string{true: "BDAT", false: "end of DATA"}[chunking]
		tests := []struct {
			to   string
			want SendError
		}{
			{"tempfail@example.net", SendError{Temporary: true, Code: 451, Enhanced: "4.7.1", Msg: "RCPT TO: Greylisted, try later"}},
			{"unknown@example.net", SendError{Temporary: false, Code: 550, Enhanced: "5.1.1", Msg: "RCPT TO: No such user"}},
			{"spam@example.net", SendError{Temporary: false, Code: 554, Enhanced: "5.7.1", Msg: end + ": Looks like spam"}},
			{"busy@example.net", SendError{Temporary: true, Code: 452, Enhanced: "4.3.1", Msg: end + ": Queue full"}},
		}
		for _, tt := range tests {
			err := s.Send(context.Background(), "ana@outreach.example.org", tt.to, testRaw(t, tt.to))
			var se *SendError
			if !errors.As(err, &se) {
				t.Fatalf("chunking %v, %s: error %v (%T), want *SendError", chunking, tt.to, err, err)
			}
			got := SendError{Temporary: se.Temporary, Code: se.Code, Enhanced: se.Enhanced, Msg: se.Msg}
			if got != tt.want {
				t.Errorf("chunking %v, %s: got %+v, want %+v", chunking, tt.to, got, tt.want)
			}
		}
		if err := s.Send(context.Background(), "ana@outreach.example.org", "lea@example.net", testRaw(t, "lea@example.net")); err != nil {
			t.Fatal(err)
		}
		if n := srv.accepts.Load(); n != 1 {
			t.Errorf("chunking %v: used %d connections, want 1", chunking, n)
		}
		if got := srv.messages(); len(got) != 1 || got[0].to != "lea@example.net" {
			t.Errorf("chunking %v: the sink kept %d messages, want only lea's", chunking, len(got))
		}
	}
}

func TestSMTPServerDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	s := newTestSMTP(t, SMTPConfig{Host: "127.0.0.1", Port: port, TLS: TLSNone, Timeout: 2 * time.Second})
	err = s.Send(context.Background(), "ana@outreach.example.org", "lea@example.net", testRaw(t, "lea@example.net"))
	var se *SendError
	if !errors.As(err, &se) || !se.Temporary || se.Code != 0 {
		t.Fatalf("got %#v, want a temporary SendError without code", err)
	}
	if err := s.Check(context.Background()); err == nil {
		t.Error("Check succeeded against a closed port")
	}
}

// The sink drops the connection when it reads RCPT. With BDAT the message
// had gone out with it, so whether the server kept it is unknown; with
// DATA it had not been sent.
func TestSMTPServerDropsMidTransaction(t *testing.T) {
	for _, chunking := range []bool{true, false} {
		srv := startSink(t, nil)
		cfg := srv.config()
		cfg.NoChunking = !chunking
		s := newTestSMTP(t, cfg)
		ctx := context.Background()
		err := s.Send(ctx, "ana@outreach.example.org", "drop@example.net", testRaw(t, "drop@example.net"))
		var se *SendError
		if !errors.As(err, &se) || !se.Temporary || se.Code != 0 || se.Ambiguous != chunking {
			t.Fatalf("chunking %v, dropped connection: got %#v, want temporary, no code, ambiguous %v", chunking, err, chunking)
		}
		if err := s.Send(ctx, "ana@outreach.example.org", "lea@example.net", testRaw(t, "lea@example.net")); err != nil {
			t.Fatalf("chunking %v, Send after the drop: %v", chunking, err)
		}
		if n := srv.accepts.Load(); n != 2 {
			t.Errorf("chunking %v: used %d connections, want 2 (the dropped one and a new one)", chunking, n)
		}
	}
}

func TestSMTPServerDropsIdleConnection(t *testing.T) {
	srv := startSink(t, nil)
	s := newTestSMTP(t, srv.config())
	ctx := context.Background()
	raw := testRaw(t, "lea@example.net")
	if err := s.Send(ctx, "ana@outreach.example.org", "lea@example.net", raw); err != nil {
		t.Fatal(err)
	}
	srv.dropAll()
	waitFor(t, func() bool { return srv.open.Load() == 0 })
	if err := s.Send(ctx, "ana@outreach.example.org", "lea@example.net", raw); err != nil {
		t.Fatalf("Send after the server dropped the idle connection: %v", err)
	}
	if n := srv.accepts.Load(); n != 2 {
		t.Errorf("used %d connections, want 2", n)
	}
}

func TestSMTPClosesIdleConnections(t *testing.T) {
	srv := startSink(t, nil)
	s := newTestSMTP(t, srv.config())
	s.idleFor = 50 * time.Millisecond
	if err := s.Send(context.Background(), "ana@outreach.example.org", "lea@example.net", testRaw(t, "lea@example.net")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return srv.open.Load() == 0 })
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.idle) != 0 || s.reaper != nil {
		t.Errorf("after the idle timeout: %d idle connections, reaper armed %v", len(s.idle), s.reaper != nil)
	}
}

func TestSMTPContextCancel(t *testing.T) {
	srv := startSink(t, nil)
	s := newTestSMTP(t, srv.config())
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := s.Send(ctx, "ana@outreach.example.org", "slow@example.net", testRaw(t, "slow@example.net"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Send took %v after its context ended", d)
	}
	var se *SendError
	if !errors.As(err, &se) || !se.Temporary {
		t.Errorf("got %#v, want a temporary SendError", err)
	}
}

func TestSMTPCancelledSendKeepsPool(t *testing.T) {
	srv := startSink(t, nil)
	s := newTestSMTP(t, srv.config())
	raw := testRaw(t, "lea@example.net")
	var wg sync.WaitGroup
	for range 3 { // three connections end up idle
		wg.Go(func() {
			if err := s.Send(context.Background(), "ana@outreach.example.org", "slowish@example.net", raw); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	before := srv.accepts.Load()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// ready directly: Send might give up earlier, waiting for a slot.
	if _, err := s.ready(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	s.mu.Lock()
	idle := len(s.idle)
	s.mu.Unlock()
	if idle < int(before)-1 {
		t.Errorf("a cancelled Send left %d of %d idle connections", idle, before)
	}
}

func TestSMTPAuthPlain(t *testing.T) {
	srv := startSink(t, nil, withAuth("ana", "pa:ss@word"))
	s := newTestSMTP(t, srv.config())
	ctx := context.Background()
	if err := s.Check(ctx); err != nil {
		t.Fatalf("Check: %v", err)
	}
	if err := s.Send(ctx, "ana@outreach.example.org", "lea@example.net", testRaw(t, "lea@example.net")); err != nil {
		t.Fatalf("Send: %v", err)
	}
	cfg := srv.config()
	cfg.Password = "wrong"
	err := newTestSMTP(t, cfg).Check(ctx)
	var se *SendError
	if !errors.As(err, &se) || se.Code != 535 || !se.Temporary {
		t.Fatalf("wrong password: got %#v, want code 535, temporary (an account problem, not the recipient's)", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("error %q shows the password", err)
	}
}

func TestSMTPStartTLSRequired(t *testing.T) {
	srv := startSink(t, nil)
	cfg := srv.config()
	cfg.TLS = TLSStartTLS
	err := newTestSMTP(t, cfg).Check(context.Background())
	var se *SendError
	if !errors.As(err, &se) || !se.Temporary || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("got %v, want a temporary error about STARTTLS", err)
	}
	waitFor(t, func() bool { return srv.open.Load() == 0 }) // the failed connection is not left open
}

func TestSMTPTLSModes(t *testing.T) {
	serverConf, clientConf := testTLS(t)
	tests := []struct {
		mode        string
		implicitTLS *tls.Config
		opt         sinkOption
	}{
		{TLSStartTLS, nil, withTLS(serverConf)},
		{TLSImplicit, serverConf, withTLS(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			srv := startSink(t, tt.implicitTLS, tt.opt, withAuth("ana", "secret"))
			srv.srv.AllowInsecureAuth = false // AUTH only once the link is encrypted
			cfg := srv.config()
			cfg.TLS = tt.mode
			s, err := newSMTP(cfg, clientConf)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.Send(context.Background(), "ana@outreach.example.org", "lea@example.net", testRaw(t, "lea@example.net")); err != nil {
				t.Fatalf("Send: %v", err)
			}
			if n := len(srv.messages()); n != 1 {
				t.Errorf("server got %d messages", n)
			}
		})
	}
}

func TestSMTPCloseRefusesSend(t *testing.T) {
	srv := startSink(t, nil)
	s := newTestSMTP(t, srv.config())
	raw := testRaw(t, "lea@example.net")
	if err := s.Send(context.Background(), "ana@outreach.example.org", "lea@example.net", raw); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return srv.open.Load() == 0 })
	err := s.Send(context.Background(), "ana@outreach.example.org", "lea@example.net", raw)
	var se *SendError
	if !errors.As(err, &se) || !se.Temporary {
		t.Errorf("Send after Close: got %v, want a temporary SendError", err)
	}
}

func TestSMTPEnvelopeInjection(t *testing.T) {
	srv := startSink(t, nil)
	s := newTestSMTP(t, srv.config())
	for _, to := range []string{"lea@example.net\r\nRCPT TO:<x@evil.test>", "Lea <lea@example.net>", "", "no-at-sign"} {
		err := s.Send(context.Background(), "ana@outreach.example.org", to, []byte("Subject: x\r\n\r\nx\r\n"))
		var se *SendError
		if !errors.As(err, &se) || se.Temporary {
			t.Errorf("recipient %q: got %v, want a permanent SendError", to, err)
		}
	}
	if n := srv.accepts.Load(); n != 0 {
		t.Errorf("invalid envelopes opened %d connections", n)
	}
}

func TestSendErrorText(t *testing.T) {
	tests := []struct {
		err  SendError
		want string
	}{
		{SendError{Code: 550, Enhanced: "5.1.1", Msg: "RCPT TO: No such user"}, "smtp: 550 5.1.1 RCPT TO: No such user"},
		{SendError{Temporary: true, Msg: "connect: connection refused"}, "smtp: connect: connection refused"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestSplitEnhanced(t *testing.T) {
	tests := []struct {
		code           int
		text, enh, msg string
	}{
		{550, "5.1.1 No such user", "5.1.1", "No such user"},
		{451, "4.7.1 Greylisted", "4.7.1", "Greylisted"},
		{550, "4.7.1 mismatched class", "", "4.7.1 mismatched class"},
		{550, "No such user", "", "No such user"},
		{421, "4.3.2 ", "4.3.2", ""},
	}
	for _, tt := range tests {
		enh, msg := splitEnhanced(tt.code, tt.text)
		if enh != tt.enh || msg != tt.msg {
			t.Errorf("splitEnhanced(%d, %q) = %q, %q; want %q, %q", tt.code, tt.text, enh, msg, tt.enh, tt.msg)
		}
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// testTLS makes a self-signed certificate for 127.0.0.1 and returns a
// server configuration using it and a client configuration trusting it.
func testTLS(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "test sink"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	return server, &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

// BenchmarkSMTPSend measures delivery over loopback: 4 connections, 8
// sending goroutines, a 5 KB personalised message each time.
func BenchmarkSMTPSend(b *testing.B) {
	srv := startSink(b, nil, withDiscard())
	cfg := srv.config()
	cfg.MaxConns = 4
	s := newTestSMTP(b, cfg)
	raw, err := benchMessage().Bytes()
	if err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range 8 {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				if err := s.Send(context.Background(), "ana@outreach.example.org", "lea@example.net", raw); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// A server that refuses the recipient but still accepts DATA (against RFC
// 2920) gets an empty message to end it; the refusal is reported and the
// connection carries the next message.
func TestSMTPPipeliningStrayData(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got := make(chan []string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		r := bufio.NewReader(conn)
		conn.Write([]byte("220 stray ESMTP\r\n"))
		var lines []string
		refused := false
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				got <- lines
				return
			}
			lines = append(lines, strings.TrimRight(line, "\r\n"))
			switch verb := strings.ToUpper(strings.Fields(line + " x")[0]); {
			case verb == "EHLO":
				conn.Write([]byte("250-stray\r\n250 PIPELINING\r\n"))
			case verb == "RCPT" && !refused:
				refused = true
				conn.Write([]byte("550 5.1.1 No such user\r\n"))
			case verb == "DATA":
				conn.Write([]byte("354 go ahead\r\n"))
				for { // up to the lone dot
					l, err := r.ReadString('\n')
					if err != nil || l == ".\r\n" {
						break
					}
				}
				lines = append(lines, ".")
				conn.Write([]byte("250 2.0.0 OK\r\n"))
			case verb == "QUIT":
				conn.Write([]byte("221 bye\r\n"))
				got <- lines
				return
			default:
				conn.Write([]byte("250 OK\r\n"))
			}
		}
	}()
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	p, _ := strconv.Atoi(port)
	s := newTestSMTP(t, SMTPConfig{Host: host, Port: p, TLS: TLSNone, Timeout: 5 * time.Second})
	err = s.Send(context.Background(), "ana@outreach.example.org", "gone@example.net", testRaw(t, "gone@example.net"))
	var se *SendError
	if !errors.As(err, &se) || se.Code != 550 || se.Temporary {
		t.Fatalf("refused recipient: %v, want a permanent 550", err)
	}
	if err := s.Send(context.Background(), "ana@outreach.example.org", "lea@example.net", testRaw(t, "lea@example.net")); err != nil {
		t.Fatalf("next message on the same connection: %v", err)
	}
	s.Close()
	var ends int
	for _, l := range <-got {
		if l == "." {
			ends++
		}
	}
	if ends != 2 { // the empty message that ended the stray DATA, then the real one
		t.Errorf("%d messages ended, want 2", ends)
	}
}

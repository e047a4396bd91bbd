package worker

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
	"github.com/google/go-cmp/cmp"
)

const (
	imapTestUser = "replies@outreach.example.org"
	imapTestPass = "Sekr1tPW"
)

// imapServer is an in-process IMAP server holding one user with an INBOX.
type imapServer struct {
	user *imapmemserver.User
	tap  *imapTap
	host string
	port int
}

// imapTap sits between the server and its clients: it records what clients
// send, can hide capabilities from them, and can cut every connection.
type imapTap struct {
	net.Listener
	hide []string

	mu    sync.Mutex
	sent  bytes.Buffer
	conns []net.Conn
}

func (l *imapTap) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.conns = append(l.conns, c)
	return &tapConn{Conn: c, tap: l}, nil
}

// clientSent reports whether a client has sent a line ending in cmd.
func (l *imapTap) clientSent(cmd string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Contains(l.sent.Bytes(), []byte(" "+cmd+"\r\n"))
}

func (l *imapTap) dropAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		c.Close()
	}
}

type tapConn struct {
	net.Conn
	tap *imapTap
}

func (c *tapConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.tap.mu.Lock()
	c.tap.sent.Write(b[:n])
	c.tap.mu.Unlock()
	return n, err
}

// Write drops hidden capabilities from the server's CAPABILITY lists; the
// server writes each response in one piece, so a list is never split.
func (c *tapConn) Write(b []byte) (int, error) {
	out := b
	if bytes.Contains(b, []byte("CAPABILITY")) {
		for _, h := range c.tap.hide {
			out = bytes.ReplaceAll(out, []byte(" "+h), nil)
		}
	}
	if _, err := c.Conn.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}

type imapServerOption func(*imapserver.Options, *imapServer)

// hideCaps makes the server look as if it lacked these capabilities.
func hideCaps(caps ...string) imapServerOption {
	return func(_ *imapserver.Options, s *imapServer) { s.tap.hide = caps }
}

// withSTARTTLS offers STARTTLS and refuses to log in before it.
func withSTARTTLS(conf *tls.Config) imapServerOption {
	return func(o *imapserver.Options, _ *imapServer) { o.TLSConfig, o.InsecureAuth = conf, false }
}

// withXOAUTH2 accepts XOAUTH2 instead of passwords, with the password as
// the valid token.
func withXOAUTH2() imapServerOption {
	return func(o *imapserver.Options, _ *imapServer) {
		newSession := o.NewSession
		o.NewSession = func(c *imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			sess, greeting, err := newSession(c)
			return xoauthSession{sess.(imapserver.SessionIMAP4rev2)}, greeting, err
		}
	}
}

// startIMAP serves on 127.0.0.1; implicitTLS, if set, wraps the listener.
func startIMAP(t *testing.T, implicitTLS *tls.Config, opts ...imapServerOption) *imapServer {
	t.Helper()
	mem := imapmemserver.New()
	s := &imapServer{user: imapmemserver.NewUser(imapTestUser, imapTestPass)}
	if err := s.user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(s.user)
	o := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0), // dropped connections are expected here
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.tap = &imapTap{Listener: ln}
	for _, opt := range opts {
		opt(o, s)
	}
	var served net.Listener = s.tap
	if implicitTLS != nil {
		served = tls.NewListener(s.tap, implicitTLS)
	}
	srv := imapserver.New(o)
	go srv.Serve(served)
	t.Cleanup(func() { srv.Close() })
	addr := ln.Addr().(*net.TCPAddr)
	s.host, s.port = addr.IP.String(), addr.Port
	return s
}

func (s *imapServer) config(after string) IMAPConfig {
	return IMAPConfig{Host: s.host, Port: s.port, Username: imapTestUser, Password: imapTestPass,
		TLS: TLSNone, After: after}
}

// deliver appends messages with the given subjects to a mailbox.
func (s *imapServer) deliver(t *testing.T, mailbox string, subjects ...string) {
	t.Helper()
	for _, subj := range subjects {
		if _, err := s.user.Append(mailbox, bytes.NewReader(imapMessage(subj)), &imap.AppendOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

func imapMessage(subject string) []byte {
	return []byte("From: Lea <lea@example.net>\r\nTo: " + imapTestUser + "\r\nSubject: " + subject +
		"\r\nMessage-ID: <" + strings.ReplaceAll(subject, " ", ".") + "@example.net>\r\n\r\nThanks, see you there.\r\n")
}

// status returns how many messages the mailbox holds and how many are unseen.
func (s *imapServer) status(t *testing.T) (messages, unseen uint32) {
	t.Helper()
	st, err := s.user.Status("INBOX", &imap.StatusOptions{NumMessages: true, NumUnseen: true})
	if err != nil {
		t.Fatal(err)
	}
	return *st.NumMessages, *st.NumUnseen
}

// imapRecorder is a Poller's Handle, Load and Save over memory.
type imapRecorder struct {
	mu      sync.Mutex
	handled []string // subjects, in order
	raw     [][]byte
	state   IMAPState
	failOn  string // Handle fails once for this subject
}

func (r *imapRecorder) handle(_ context.Context, raw []byte) error {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	subj := m.Header.Get("Subject")
	r.mu.Lock()
	defer r.mu.Unlock()
	if subj == r.failOn {
		r.failOn = ""
		return errors.New("database unavailable")
	}
	r.handled = append(r.handled, subj)
	r.raw = append(r.raw, raw)
	return nil
}

func (r *imapRecorder) load(context.Context) (IMAPState, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state, nil
}

func (r *imapRecorder) save(_ context.Context, s IMAPState) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.state = s
	return nil
}

func (r *imapRecorder) subjects() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.handled...)
}

func (r *imapRecorder) saved() IMAPState {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state
}

func newTestPoller(cfg IMAPConfig) (*Poller, *imapRecorder) {
	r := &imapRecorder{}
	return &Poller{Config: cfg, Handle: r.handle, Load: r.load, Save: r.save}, r
}

func pollOnce(t *testing.T, p *Poller, want int) {
	t.Helper()
	n, err := p.PollOnce(context.Background())
	if err != nil {
		t.Fatalf("PollOnce: %v", err)
	}
	if n != want {
		t.Errorf("PollOnce handled %d messages, want %d", n, want)
	}
}

func TestPollOnceReadsNewMessagesInUIDOrder(t *testing.T) {
	srv := startIMAP(t, nil)
	p, rec := newTestPoller(srv.config(IMAPAfterNone))
	srv.deliver(t, "INBOX", "one", "two", "three")
	pollOnce(t, p, 3)
	if diff := cmp.Diff([]string{"one", "two", "three"}, rec.subjects()); diff != "" {
		t.Errorf("handled (-want +got):\n%s", diff)
	}
	if st := rec.saved(); st.LastUID != 3 || st.UIDValidity == 0 {
		t.Errorf("state = %+v, want LastUID 3 and a UIDVALIDITY", st)
	}
	if !bytes.Equal(rec.raw[0], imapMessage("one")) {
		t.Errorf("Handle got %q, want the message as delivered", rec.raw[0])
	}
	if _, unseen := srv.status(t); unseen != 3 {
		t.Errorf("%d unseen after after=none, want 3: the fetch must not set \\Seen", unseen)
	}

	srv.deliver(t, "INBOX", "four", "five")
	pollOnce(t, p, 2)
	pollOnce(t, p, 0)
	if diff := cmp.Diff([]string{"one", "two", "three", "four", "five"}, rec.subjects()); diff != "" {
		t.Errorf("handled (-want +got):\n%s", diff)
	}
	if st := rec.saved(); st.LastUID != 5 {
		t.Errorf("LastUID = %d, want 5", st.LastUID)
	}
}

func TestPollOnceHandleErrorResumesAtThatMessage(t *testing.T) {
	srv := startIMAP(t, nil)
	p, rec := newTestPoller(srv.config(IMAPAfterSeen))
	rec.failOn = "two"
	srv.deliver(t, "INBOX", "one", "two", "three")

	n, err := p.PollOnce(context.Background())
	if err == nil || !strings.Contains(err.Error(), "database unavailable") || !strings.Contains(err.Error(), "uid 2") {
		t.Fatalf("PollOnce error = %v, want Handle's error for uid 2", err)
	}
	if n != 1 || rec.saved().LastUID != 1 {
		t.Errorf("handled %d, LastUID %d; want 1 and 1", n, rec.saved().LastUID)
	}
	if _, unseen := srv.status(t); unseen != 2 {
		t.Errorf("%d unseen, want 2: the failed message must stay unseen", unseen)
	}

	pollOnce(t, p, 2)
	if diff := cmp.Diff([]string{"one", "two", "three"}, rec.subjects()); diff != "" {
		t.Errorf("handled (-want +got):\n%s", diff)
	}
}

func TestPollOnceAfter(t *testing.T) {
	tests := []struct {
		after                string
		wantTotal, wantUnsee uint32
	}{
		{IMAPAfterSeen, 3, 0},
		{IMAPAfterDelete, 0, 0},
		{IMAPAfterNone, 3, 3},
	}
	for _, tt := range tests {
		t.Run(tt.after, func(t *testing.T) {
			srv := startIMAP(t, nil)
			p, _ := newTestPoller(srv.config(tt.after))
			srv.deliver(t, "INBOX", "one", "two", "three")
			pollOnce(t, p, 3)
			total, unseen := srv.status(t)
			if total != tt.wantTotal || unseen != tt.wantUnsee {
				t.Errorf("mailbox has %d messages, %d unseen; want %d, %d", total, unseen, tt.wantTotal, tt.wantUnsee)
			}
			srv.deliver(t, "INBOX", "four")
			pollOnce(t, p, 1) // deleting renumbers messages, not UIDs
		})
	}
}

// TestPollOnceDeleteWithoutUIDPlus uses plain EXPUNGE on an IMAP4rev1
// server that lacks UID EXPUNGE.
func TestPollOnceDeleteWithoutUIDPlus(t *testing.T) {
	srv := startIMAP(t, nil, func(o *imapserver.Options, _ *imapServer) { o.Caps = imap.CapSet{imap.CapIMAP4rev1: {}} })
	p, rec := newTestPoller(srv.config(IMAPAfterDelete))
	srv.deliver(t, "INBOX", "one", "two")
	pollOnce(t, p, 2)
	if total, _ := srv.status(t); total != 0 {
		t.Errorf("%d messages left, want 0", total)
	}
	if !srv.tap.clientSent("EXPUNGE") || srv.tap.clientSent(fmt.Sprintf("UID EXPUNGE %d", 1)) {
		t.Error("want plain EXPUNGE without UIDPLUS")
	}
	if got := len(rec.subjects()); got != 2 {
		t.Errorf("handled %d, want 2", got)
	}
}

func TestPollOnceUIDValidityChangeRereadsAll(t *testing.T) {
	srv := startIMAP(t, nil)
	p, rec := newTestPoller(srv.config(IMAPAfterNone))
	srv.deliver(t, "INBOX", "one", "two", "three")
	pollOnce(t, p, 3)
	old := rec.saved()

	// Re-created under the same name, the mailbox numbers from UID 1 again.
	if err := srv.user.Delete("INBOX"); err != nil {
		t.Fatal(err)
	}
	if err := srv.user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	srv.deliver(t, "INBOX", "four", "five")
	pollOnce(t, p, 2)
	if diff := cmp.Diff([]string{"one", "two", "three", "four", "five"}, rec.subjects()); diff != "" {
		t.Errorf("handled (-want +got):\n%s", diff)
	}
	if st := rec.saved(); st.UIDValidity == old.UIDValidity || st.LastUID != 2 {
		t.Errorf("state = %+v (was %+v), want a new UIDVALIDITY and LastUID 2", st, old)
	}
}

func TestPollOnceSavedStateFromAnotherValidity(t *testing.T) {
	srv := startIMAP(t, nil)
	p, rec := newTestPoller(srv.config(IMAPAfterNone))
	srv.deliver(t, "INBOX", "one", "two")
	rec.state = IMAPState{UIDValidity: 999, LastUID: 2}
	pollOnce(t, p, 2)
}

func TestPollOnceWrongPassword(t *testing.T) {
	srv := startIMAP(t, nil)
	cfg := srv.config(IMAPAfterSeen)
	cfg.Password = "wrong-Pa55"
	p, _ := newTestPoller(cfg)
	_, err := p.PollOnce(context.Background())
	if err == nil || !strings.Contains(err.Error(), "login refused, check the username and password") {
		t.Fatalf("PollOnce error = %v, want a refused login", err)
	}
	if strings.Contains(err.Error(), cfg.Password) {
		t.Errorf("error shows the password: %v", err)
	}
}

func TestPollOnceLogsInWithLOGINWhenPlainIsNotOffered(t *testing.T) {
	srv := startIMAP(t, nil, hideCaps("AUTH=PLAIN"))
	p, _ := newTestPoller(srv.config(IMAPAfterSeen))
	srv.deliver(t, "INBOX", "one")
	pollOnce(t, p, 1)
	srv.tap.mu.Lock()
	defer srv.tap.mu.Unlock()
	if sent := srv.tap.sent.String(); !strings.Contains(sent, " LOGIN ") || strings.Contains(sent, "AUTHENTICATE") {
		t.Errorf("client sent %q, want LOGIN", sent)
	}
}

func TestPollOnceXOAUTH2(t *testing.T) {
	srv := startIMAP(t, nil, withXOAUTH2())
	cfg := srv.config(IMAPAfterSeen)
	cfg.Auth = IMAPAuthXOAUTH2
	p, _ := newTestPoller(cfg)
	srv.deliver(t, "INBOX", "one")
	pollOnce(t, p, 1)

	p.Config.Password = "expired-token"
	_, err := p.PollOnce(context.Background())
	if err == nil || !strings.Contains(err.Error(), "status 401") || !strings.Contains(err.Error(), "access token") {
		t.Fatalf("PollOnce error = %v, want the refusal with its status", err)
	}
	if strings.Contains(err.Error(), "expired-token") {
		t.Errorf("error shows the token: %v", err)
	}
}

func TestPollOnceTLS(t *testing.T) {
	serverConf, clientConf := testTLS(t)
	tests := []struct {
		mode        string
		implicitTLS *tls.Config
		opt         imapServerOption
	}{
		{TLSStartTLS, nil, withSTARTTLS(serverConf)},
		{TLSImplicit, serverConf, func(o *imapserver.Options, _ *imapServer) { o.InsecureAuth = false }},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			srv := startIMAP(t, tt.implicitTLS, tt.opt)
			cfg := srv.config(IMAPAfterSeen)
			cfg.TLS = tt.mode
			p, _ := newTestPoller(cfg)
			p.TLSConfig = clientConf
			srv.deliver(t, "INBOX", "one")
			pollOnce(t, p, 1)
		})
	}
}

func TestPollOnceRefusesPlainTextWhenSTARTTLSFails(t *testing.T) {
	srv := startIMAP(t, nil) // offers no STARTTLS
	cfg := srv.config(IMAPAfterSeen)
	cfg.TLS = TLSStartTLS
	p, rec := newTestPoller(cfg)
	srv.deliver(t, "INBOX", "one")
	if _, err := p.PollOnce(context.Background()); err == nil || !strings.Contains(err.Error(), "starttls") {
		t.Fatalf("PollOnce error = %v, want a STARTTLS failure", err)
	}
	if srv.tap.clientSent("LOGIN") || len(rec.subjects()) != 0 {
		t.Error("the client went on without TLS")
	}
}

func TestPollerNeedsCallbacks(t *testing.T) {
	p := &Poller{Config: IMAPConfig{Host: "imap.example.org", Username: "u", Password: "p"}}
	if _, err := p.PollOnce(context.Background()); err == nil {
		t.Error("PollOnce without Handle succeeded")
	}
	if err := p.Run(context.Background()); err == nil {
		t.Error("Run without Handle succeeded")
	}
}

// runPoller starts Run and stops it, checking that it returns nil
// promptly, when the test ends.
func runPoller(t *testing.T, p *Poller) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run returned %v", err)
			}
		case <-time.After(2 * time.Second):
			t.Error("Run did not return after cancel")
		}
	})
}

func waitHandled(t *testing.T, rec *imapRecorder, n int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for len(rec.subjects()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("handled %v within %s, want %d messages", rec.subjects(), within, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitIdle waits until the client has sent IDLE n times, then lets the
// server's IDLE start listening for updates: imapmemserver subscribes
// only after answering "+ idling", so a message delivered in between
// would not be announced.
func waitIdle(t *testing.T, srv *imapServer, n int) {
	t.Helper()
	waitFor(t, func() bool {
		srv.tap.mu.Lock()
		defer srv.tap.mu.Unlock()
		return bytes.Count(srv.tap.sent.Bytes(), []byte(" IDLE\r\n")) >= n
	})
	time.Sleep(50 * time.Millisecond)
}

func TestPollerRunWakesFromIDLE(t *testing.T) {
	srv := startIMAP(t, nil)
	cfg := srv.config(IMAPAfterSeen)
	cfg.Interval = time.Hour // only IDLE can deliver within the test
	p, rec := newTestPoller(cfg)
	srv.deliver(t, "INBOX", "one")
	runPoller(t, p)
	waitHandled(t, rec, 1, 2*time.Second)

	waitIdle(t, srv, 1)
	srv.deliver(t, "INBOX", "two")
	waitHandled(t, rec, 2, 2*time.Second)

	waitIdle(t, srv, 2)
	srv.deliver(t, "INBOX", "three")
	waitHandled(t, rec, 3, 2*time.Second)
	if diff := cmp.Diff([]string{"one", "two", "three"}, rec.subjects()); diff != "" {
		t.Errorf("handled (-want +got):\n%s", diff)
	}

	// Between deliveries the poller must rest in IDLE, not re-poll.
	time.Sleep(200 * time.Millisecond)
	srv.tap.mu.Lock()
	defer srv.tap.mu.Unlock()
	if n := bytes.Count(srv.tap.sent.Bytes(), []byte(" IDLE\r\n")); n > 6 {
		t.Errorf("client sent IDLE %d times for 3 deliveries", n)
	}
}

func TestPollerRunPollsWithoutIDLE(t *testing.T) {
	srv := startIMAP(t, nil, hideCaps("IDLE", "IMAP4rev2"), func(o *imapserver.Options, _ *imapServer) {
		o.Caps = imap.CapSet{imap.CapIMAP4rev1: {}}
	})
	cfg := srv.config(IMAPAfterSeen)
	cfg.Interval = 100 * time.Millisecond
	p, rec := newTestPoller(cfg)
	runPoller(t, p)
	time.Sleep(150 * time.Millisecond)
	srv.deliver(t, "INBOX", "one")
	waitHandled(t, rec, 1, 2*time.Second)
	if srv.tap.clientSent("IDLE") {
		t.Error("client sent IDLE to a server that does not offer it")
	}
}

func TestPollerRunReconnectsAfterTheConnectionDrops(t *testing.T) {
	srv := startIMAP(t, nil)
	cfg := srv.config(IMAPAfterSeen)
	cfg.Interval = time.Hour
	p, rec := newTestPoller(cfg)
	runPoller(t, p)
	waitIdle(t, srv, 1)
	srv.tap.dropAll()
	srv.deliver(t, "INBOX", "one")
	waitHandled(t, rec, 1, 3*time.Second) // after a backoff of 1 s
}

func TestParseIMAPURL(t *testing.T) {
	def := func(c IMAPConfig) IMAPConfig {
		c.Username, c.Password = "ana", "secret"
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
			c.Interval = time.Minute
		}
		return c
	}
	tests := []struct {
		in   string
		want IMAPConfig
	}{
		{"imaps://ana:secret@imap.example.org/INBOX", def(IMAPConfig{Host: "imap.example.org", Port: 993, TLS: TLSImplicit})},
		{"imaps://ana:secret@imap.example.org", def(IMAPConfig{Host: "imap.example.org", Port: 993, TLS: TLSImplicit})},
		{"IMAPS://ana:secret@imap.example.org:1993/", def(IMAPConfig{Host: "imap.example.org", Port: 1993, TLS: TLSImplicit})},
		{"imap://ana:secret@imap.example.org/INBOX", def(IMAPConfig{Host: "imap.example.org", Port: 143, TLS: TLSStartTLS})},
		{"imap://ana:secret@imap.example.org?tls=tls", def(IMAPConfig{Host: "imap.example.org", Port: 993, TLS: TLSImplicit})},
		{
			"imap://ana:secret@127.0.0.1:1143/Outreach%20Replies?tls=none&after=delete&interval=30s",
			def(IMAPConfig{Host: "127.0.0.1", Port: 1143, Mailbox: "Outreach Replies", TLS: TLSNone, After: IMAPAfterDelete, Interval: 30 * time.Second}),
		},
		{"imaps://ana:secret@imap.example.org/INBOX/Replies?after=NONE", def(IMAPConfig{Host: "imap.example.org", Port: 993, Mailbox: "INBOX/Replies", TLS: TLSImplicit, After: IMAPAfterNone})},
		{"imap://ana:secret@[::1]/INBOX?tls=none", def(IMAPConfig{Host: "::1", Port: 143, TLS: TLSNone})},
		{
			"imaps://replies%40example.org:eyJ0eXAi.a-b_c@outlook.office365.com/INBOX?auth=xoauth2",
			IMAPConfig{Host: "outlook.office365.com", Port: 993, Username: "replies@example.org", Password: "eyJ0eXAi.a-b_c",
				Mailbox: "INBOX", TLS: TLSImplicit, Auth: IMAPAuthXOAUTH2, After: IMAPAfterSeen, Interval: time.Minute},
		},
		// Unescaped specials in the password still work: the credentials
		// end at the last '@'.
		{"imaps://ana@example.org:pa/ss?w#rd@imap.example.org/INBOX", IMAPConfig{Host: "imap.example.org", Port: 993,
			Username: "ana@example.org", Password: "pa/ss?w#rd", Mailbox: "INBOX", TLS: TLSImplicit, Auth: IMAPAuthPlain,
			After: IMAPAfterSeen, Interval: time.Minute}},
	}
	for _, tt := range tests {
		got, err := ParseIMAPURL(tt.in)
		if err != nil {
			t.Errorf("ParseIMAPURL(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseIMAPURL(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestParseIMAPURLErrors(t *testing.T) {
	const pw = "Sekr1tPW"
	tests := []struct{ in, want string }{
		{"imap.example.org:993", "imaps://"},
		{"pop3://u:" + pw + "@imap.example.org", "scheme"},
		{"imaps://u:" + pw + "@", "no host"},
		{"imaps://u:" + pw + "@imap.example.org:abc", "port"},
		{"imaps://u:" + pw + "@imap.example.org:70000", "port"},
		{"imaps://imap.example.org/INBOX", "no username"},
		{"imaps://u@imap.example.org/INBOX", "no password"},
		{"imaps://u@imap.example.org/INBOX?auth=xoauth2", "access token"},
		{"imaps://u:" + pw + "%zz@imap.example.org", "password"},
		{"imaps://u%zz:" + pw + "@imap.example.org", "username"},
		{"imap://u:" + pw + "@imap.example.org?tls=ssl", "tls"},
		{"imaps://u:" + pw + "@imap.example.org?tls=none", "imaps"},
		{"imaps://u:" + pw + "@imap.example.org?auth=cram-md5", "auth"},
		{"imaps://u:" + pw + "@imap.example.org?after=archive", "after"},
		{"imaps://u:" + pw + "@imap.example.org?interval=soon", "interval"},
		{"imaps://u:" + pw + "@imap.example.org?interval=0s", "interval"},
		{"imaps://u:" + pw + "@imap.example.org?afer=delete", `"afer"`},
		{"imaps://u:" + pw + "@imap.example.org?after=seen&after=none", "after"},
		{"imaps://u:" + pw + "%01@imap.example.org", "control character"},
		{"imaps://u:" + pw + "@imap.example.org/IN%0ABOX", "mailbox"},
		{"imaps://u:" + pw + "@imap.exa mple.org", "host"},
	}
	for _, tt := range tests {
		_, err := ParseIMAPURL(tt.in)
		if err == nil {
			t.Errorf("ParseIMAPURL(%q) succeeded", tt.in)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseIMAPURL(%q) = %q, want it to mention %q", tt.in, err, tt.want)
		}
		if strings.Contains(err.Error(), pw) {
			t.Errorf("ParseIMAPURL(%q) error shows the password: %q", tt.in, err)
		}
	}
}

func TestIMAPConfigRedacted(t *testing.T) {
	tests := []struct{ in, want string }{
		{"imaps://ana%40example.org:Sekr1tPW@imap.example.org/INBOX",
			"imaps://ana%40example.org:xxxxx@imap.example.org:993/INBOX?after=seen&auth=plain&interval=1m0s"},
		{"imap://ana:Sekr1tPW@127.0.0.1:1143/Outreach%20Replies?tls=none&after=delete",
			"imap://ana:xxxxx@127.0.0.1:1143/Outreach%20Replies?after=delete&auth=plain&interval=1m0s&tls=none"},
		{"imaps://ana:eyJ0eXAi@outlook.office365.com?auth=xoauth2",
			"imaps://ana:xxxxx@outlook.office365.com:993/INBOX?after=seen&auth=xoauth2&interval=1m0s"},
	}
	for _, tt := range tests {
		cfg, err := ParseIMAPURL(tt.in)
		if err != nil {
			t.Fatalf("ParseIMAPURL(%q): %v", tt.in, err)
		}
		got := cfg.Redacted()
		if got != tt.want {
			t.Errorf("Redacted() = %q, want %q", got, tt.want)
		}
		back, err := ParseIMAPURL(got)
		if err != nil {
			t.Fatalf("ParseIMAPURL(Redacted()): %v", err)
		}
		back.Password = cfg.Password
		if diff := cmp.Diff(cfg, back); diff != "" {
			t.Errorf("Redacted() does not round-trip (-want +got):\n%s", diff)
		}
	}
}

// xoauthSession offers XOAUTH2 and takes the user's password as the token,
// answering a wrong one as Gmail does: a JSON status as a challenge.
type xoauthSession struct{ imapserver.SessionIMAP4rev2 }

func (xoauthSession) AuthenticateMechanisms() []string { return []string{"XOAUTH2"} }

func (s xoauthSession) Authenticate(mech string) (sasl.Server, error) {
	if mech != "XOAUTH2" {
		return nil, imapserver.ErrAuthFailed
	}
	return &xoauthServer{login: s.Login}, nil
}

type xoauthServer struct {
	login  func(user, pass string) error
	failed bool
}

func (s *xoauthServer) Next(resp []byte) (challenge []byte, done bool, err error) {
	switch {
	case s.failed:
		return nil, true, imapserver.ErrAuthFailed
	case resp == nil:
		return []byte{}, false, nil // ask for the initial response
	}
	fields := strings.Split(string(resp), "\x01")
	if len(fields) == 4 && strings.HasPrefix(fields[0], "user=") && strings.HasPrefix(fields[1], "auth=Bearer ") &&
		s.login(strings.TrimPrefix(fields[0], "user="), strings.TrimPrefix(fields[1], "auth=Bearer ")) == nil {
		return nil, true, nil
	}
	s.failed = true
	return []byte(`{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`), false, nil
}

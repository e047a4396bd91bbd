// Package smtptest runs an in-process SMTP server for tests, the way
// net/http/httptest runs an HTTP one: it records every message it accepts
// and can refuse chosen recipients with chosen reply codes.
package smtptest

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one accepted message.
type Message struct {
	From string
	To   string
	Raw  []byte
	At   time.Time
}

// Server is a recording SMTP server on a loopback port.
type Server struct {
	Addr string // host:port

	mu       sync.Mutex
	got      []Message
	refuse   map[string][]int
	sessions int
	srv      *smtp.Server
}

// NewServer starts a server that stops when t ends.
func NewServer(t testing.TB) *Server {
	s := &Server{refuse: map[string][]int{}}
	s.srv = smtp.NewServer(backend{s})
	s.srv.Domain = "sink.test"
	s.srv.AllowInsecureAuth = true
	s.srv.EnableSMTPUTF8 = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	go s.srv.Serve(ln)
	t.Cleanup(func() { s.srv.Close() })
	return s
}

// Refuse makes the next RCPT commands for addr answer with codes, one per
// attempt (4xx as "try again later", 5xx as "no such user"); later
// attempts are accepted.
func (s *Server) Refuse(addr string, codes ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse[addr] = append(s.refuse[addr], codes...)
}

// Messages returns what the server accepted, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.got...)
}

// Reset forgets the messages accepted so far, so a test can look at what
// a later step sends.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = nil
}

// Count returns how many messages were accepted.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.got)
}

// PerRecipient counts accepted messages by recipient.
func (s *Server) PerRecipient() map[string]int {
	out := map[string]int{}
	for _, m := range s.Messages() {
		out[m.To]++
	}
	return out
}

// Sessions returns how many SMTP sessions (connections) were opened.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

type backend struct{ s *Server }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) {
	b.s.mu.Lock()
	b.s.sessions++
	b.s.mu.Unlock()
	return &session{s: b.s}, nil
}

type session struct {
	s        *Server
	from, to string
}

func (ss *session) AuthPlain(username, password string) error { return nil }

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if codes := ss.s.refuse[to]; len(codes) > 0 {
		ss.s.refuse[to] = codes[1:]
		return replyFor(codes[0])
	}
	ss.to = to
	return nil
}

func replyFor(code int) error {
	if code >= 500 {
		return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: "try again later"}
}

func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	ss.s.got = append(ss.s.got, Message{From: ss.from, To: ss.to, Raw: b, At: time.Now()})
	ss.s.mu.Unlock()
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", "" }
func (ss *session) Logout() error { return nil }

package smtptest

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Counter is a minimal SMTP sink for throughput benchmarks, in the spirit
// of Postfix's smtp-sink: it accepts every message, keeps only when it
// arrived and for whom, and does no per-byte work beyond finding the end
// of the data. Server records whole messages through a full SMTP library,
// which on a small machine takes as much CPU as the sender it measures.
// It answers pipelined commands with one write, and takes messages after
// DATA or as BDAT chunks (RFC 3030).
type Counter struct {
	Addr string

	mu   sync.Mutex
	at   []time.Time
	rcpt map[string]int
	ln   net.Listener

	noPipelining atomic.Bool
	noChunking   atomic.Bool
	flushes      atomic.Int64
}

// DisablePipelining stops offering PIPELINING (and CHUNKING, which is of
// no use without it) to sessions that start afterwards, for testing a
// client's one-command-at-a-time path.
func (c *Counter) DisablePipelining() { c.noPipelining.Store(true) }

// DisableChunking stops offering CHUNKING to sessions that start
// afterwards, for testing a client's DATA path.
func (c *Counter) DisableChunking() { c.noChunking.Store(true) }

// RoundTrips returns how many times the sink has answered: a client that
// pipelines waits for fewer answers per message.
func (c *Counter) RoundTrips() int64 { return c.flushes.Load() }

// NewCounter starts a sink that stops when t ends.
func NewCounter(t testing.TB) *Counter {
	c, err := StartCounter()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// StartCounter starts a Counter on a loopback port, for programs (the
// bench command) rather than tests; Close stops it.
func StartCounter() (*Counter, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("smtptest: listen: %w", err)
	}
	c := &Counter{Addr: ln.Addr().String(), rcpt: map[string]int{}, ln: ln}
	go c.serve()
	return c, nil
}

// Close stops accepting connections.
func (c *Counter) Close() error { return c.ln.Close() }

// Count returns how many messages were accepted.
func (c *Counter) Count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.at)
}

// Times returns when each message was accepted, in order.
func (c *Counter) Times() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Time(nil), c.at...)
}

// PerRecipient counts accepted messages by recipient address.
func (c *Counter) PerRecipient() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.rcpt))
	for k, v := range c.rcpt {
		out[k] = v
	}
	return out
}

func (c *Counter) serve() {
	for {
		conn, err := c.ln.Accept()
		if err != nil {
			return
		}
		go c.session(conn)
	}
}

var (
	ehloReply = []byte("250-sink.test\r\n250-PIPELINING\r\n250-CHUNKING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 52428800\r\n")
	// The same without CHUNKING, and without either.
	ehloPipeliningReply = []byte("250-sink.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 52428800\r\n")
	ehloPlainReply      = []byte("250-sink.test\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 52428800\r\n")
	okReply             = []byte("250 2.0.0 OK\r\n")
	dataReply           = []byte("354 Go ahead\r\n")
	byeReply            = []byte("221 2.0.0 Bye\r\n")
	badReply            = []byte("502 5.5.2 Command not implemented\r\n")
	badArgReply         = []byte("501 5.5.4 Syntax: BDAT size [LAST]\r\n")
	endOfData           = []byte(".\r\n")
)

// session speaks just enough SMTP for a client that sends mail.
func (c *Counter) session(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReaderSize(conn, 64<<10)
	w := bufio.NewWriterSize(conn, 4<<10)
	flush := func() error {
		c.flushes.Add(1)
		return w.Flush()
	}
	ehlo := ehloReply
	switch {
	case c.noPipelining.Load():
		ehlo = ehloPlainReply
	case c.noChunking.Load():
		ehlo = ehloPipeliningReply
	}
	w.WriteString("220 sink.test ESMTP\r\n")
	flush()
	var to string
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return
		}
		verb := bytes.ToUpper(line[:min(4, len(line))])
		switch string(verb) {
		case "EHLO", "HELO":
			w.Write(ehlo)
		case "MAIL", "RSET", "NOOP":
			w.Write(okReply)
		case "RCPT":
			to = recipient(line)
			w.Write(okReply)
		case "DATA":
			w.Write(dataReply)
			flush()
			if !skipData(r) {
				return
			}
			c.accepted(to)
			w.Write(okReply)
		case "BDAT":
			size, last, ok := chunkHeader(line)
			if !ok {
				w.Write(badArgReply)
				break
			}
			if _, err := r.Discard(size); err != nil {
				return
			}
			if last {
				c.accepted(to)
			}
			w.Write(okReply)
		case "QUIT":
			w.Write(byeReply)
			flush()
			return
		default:
			w.Write(badReply)
		}
		if r.Buffered() == 0 { // answer a pipelined group at once
			if flush() != nil {
				return
			}
		}
	}
}

func (c *Counter) accepted(to string) {
	c.mu.Lock()
	c.at = append(c.at, time.Now())
	c.rcpt[to]++
	c.mu.Unlock()
}

// chunkHeader reads "BDAT size [LAST]".
func chunkHeader(line []byte) (size int, last, ok bool) {
	f := strings.Fields(string(line))
	if len(f) < 2 || len(f) > 3 {
		return 0, false, false
	}
	n, err := strconv.ParseUint(f[1], 10, 31)
	if err != nil || (len(f) == 3 && !strings.EqualFold(f[2], "LAST")) {
		return 0, false, false
	}
	return int(n), len(f) == 3, true
}

// skipData reads up to the lone dot that ends a message.
func skipData(r *bufio.Reader) bool {
	continued := false
	for {
		line, err := r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			continued = true // a very long line: the rest follows
			continue
		}
		if err != nil {
			return false
		}
		if !continued && bytes.Equal(line, endOfData) {
			return true
		}
		continued = false
	}
}

// recipient takes the address out of "RCPT TO:<a@b> ...".
func recipient(line []byte) string {
	i, j := bytes.IndexByte(line, '<'), bytes.IndexByte(line, '>')
	if i < 0 || j < i {
		return ""
	}
	return string(line[i+1 : j])
}

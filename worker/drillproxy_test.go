package worker

import (
	"errors"
	"io"
	"net"
	"sync"
	"testing"
)

// drillProxy is a TCP proxy between a worker and one of its services
// (Redis, Postgres, SMTP), so a drill can take the service away from the
// worker without touching the service itself or the test's own direct
// connections to it.
//
// While cut, it keeps listening but resets every connection it accepts:
// the port must stay ours for Restore, and to a client a reset at connect
// time fails the same way a refused connection does.
type drillProxy struct {
	Addr   string // host:port to give the worker
	target string
	ln     net.Listener

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]struct{}
}

// newDrillProxy forwards a loopback port to target until t ends.
func newDrillProxy(t testing.TB, target string) *drillProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &drillProxy{Addr: ln.Addr().String(), target: target, ln: ln, conns: map[net.Conn]struct{}{}}
	go p.serve()
	t.Cleanup(func() {
		ln.Close()
		p.Cut()
	})
	return p
}

// Cut drops every open connection, both ways, and refuses new ones until
// Restore: what clients see when the service restarts.
func (p *drillProxy) Cut() {
	p.mu.Lock()
	p.cut = true
	conns := p.conns
	p.conns = map[net.Conn]struct{}{}
	p.mu.Unlock()
	for c := range conns {
		reset(c)
	}
}

// Restore lets connections through again.
func (p *drillProxy) Restore() {
	p.mu.Lock()
	p.cut = false
	p.mu.Unlock()
}

func (p *drillProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		go p.forward(c)
	}
}

func (p *drillProxy) forward(client net.Conn) {
	if !p.track(client) {
		reset(client)
		return
	}
	server, err := net.Dial("tcp", p.target)
	if err != nil || !p.track(server) {
		if server != nil {
			reset(server)
		}
		reset(client)
		return
	}
	// Either side closing (or a Cut) ends both directions.
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		io.Copy(dst, src)
		done <- struct{}{}
	}
	go pipe(server, client)
	go pipe(client, server)
	<-done
	client.Close()
	server.Close()
	<-done
	p.mu.Lock()
	delete(p.conns, client)
	delete(p.conns, server)
	p.mu.Unlock()
}

// track registers c unless the proxy is cut.
func (p *drillProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

// reset closes c abruptly, with a TCP reset rather than a FIN, so the
// client learns at once, mid-read or mid-write, that the peer is gone.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}

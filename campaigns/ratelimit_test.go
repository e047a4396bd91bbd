package campaigns

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"
)

// limitedMux serves the public endpoints and the tracker behind one limit
// on a fake clock. No database: the requests below either carry invalid
// tokens (answered before any query) or are refused by the limit first.
func limitedMux(l *RateLimit) *http.ServeMux {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	signer := NewSigner([]byte("rate limit test secret 0123"))
	mux := http.NewServeMux()
	(&Tracker{Signer: signer, Log: log, Limit: l}).Routes(mux)
	(&Public{Signer: signer, Log: log, Limit: l}).Routes(mux)
	return mux
}

func request(mux http.Handler, method, path, from string, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, nil)
	r.RemoteAddr = from
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	return w
}

func TestBurstBeyondTheLimitGets429OnEveryPublicEndpoint(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := &RateLimit{PerSecond: 20, Burst: 100, now: func() time.Time { return now }}
	mux := limitedMux(l)
	const attacker = "203.0.113.7:40000"
	for i := range 100 {
		if w := request(mux, "GET", "/t/o/forged.token", attacker); w.Code != http.StatusNotFound {
			t.Fatalf("request %d within the burst: %d, want the handler's 404", i+1, w.Code)
		}
	}
	// The burst is spent: every public endpoint now refuses this client,
	// before its handler runs (these would need a database otherwise).
	for _, r := range [][2]string{{"GET", "/t/o/x.y"}, {"GET", "/t/c/x.y"}, {"GET", "/u/x.y"}, {"POST", "/u/x.y"},
		{"GET", "/t/r/x.y"}, {"POST", "/t/r/x.y"}, {"GET", "/calendar.ics"}, {"GET", "/calendar/coaching.ics"}} {
		w := request(mux, r[0], r[1], attacker)
		if w.Code != http.StatusTooManyRequests {
			t.Errorf("%s %s after the burst: %d, want 429", r[0], r[1], w.Code)
			continue
		}
		if s, err := strconv.Atoi(w.Header().Get("Retry-After")); err != nil || s < 1 {
			t.Errorf("%s %s: Retry-After %q, want whole seconds", r[0], r[1], w.Header().Get("Retry-After"))
		}
	}
	// Another client is not affected by the first one's burst.
	if w := request(mux, "GET", "/t/o/forged.token", "198.51.100.9:5000"); w.Code != http.StatusNotFound {
		t.Errorf("another client: %d, want 404", w.Code)
	}
	// After a second, the attacker has 20 requests again, not more.
	now = now.Add(time.Second)
	got := 0
	for range 40 {
		if request(mux, "GET", "/t/o/forged.token", attacker).Code == http.StatusNotFound {
			got++
		}
	}
	if got != 20 {
		t.Errorf("%d requests allowed one second after the burst, want 20", got)
	}
}

func TestSteadyTrafficUnderTheLimitIsNeverRefused(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := &RateLimit{PerSecond: 20, Burst: 100, now: func() time.Time { return now }}
	mux := limitedMux(l)
	// Ten minutes of one request every 60 ms (about 17 a second) from one
	// address, such as a mail provider's image proxy.
	for i := range 10_000 {
		if w := request(mux, "GET", "/t/o/forged.token", "192.0.2.1:1"); w.Code != http.StatusNotFound {
			t.Fatalf("request %d at %.1f/s: %d", i+1, 1/0.06, w.Code)
		}
		now = now.Add(60 * time.Millisecond)
	}
	if n := len(l.buckets); n > 1 {
		t.Errorf("%d buckets for one client", n)
	}
}

func TestUnsetLimitLetsEverythingThrough(t *testing.T) {
	mux := limitedMux(nil)
	for i := range 1000 {
		if w := request(mux, "GET", "/t/o/forged.token", "192.0.2.1:1"); w.Code != http.StatusNotFound {
			t.Fatalf("request %d without a limit: %d", i+1, w.Code)
		}
	}
}

func TestRateLimitClientAddress(t *testing.T) {
	l := &RateLimit{PerSecond: 1, Burst: 1, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	tests := []struct {
		remote, xff, want string
	}{
		{"198.51.100.1:4000", "", "198.51.100.1"},
		{"198.51.100.1:4000", "203.0.113.5", "198.51.100.1"},               // not from a trusted proxy: the header is anyone's
		{"10.1.2.3:4000", "203.0.113.5", "203.0.113.5"},                    // from our proxy
		{"10.1.2.3:4000", "1.2.3.4, 203.0.113.5, 10.9.9.9", "203.0.113.5"}, // the client's own header entry is not believed
		{"10.1.2.3:4000", "garbage", "10.1.2.3"},
		{"[2001:db8:1:2:aaaa::1]:4000", "", "2001:db8:1:2::"}, // one bucket per /64
		{"[::ffff:198.51.100.1]:4000", "", "198.51.100.1"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		if got := l.client(r); got.String() != tt.want {
			t.Errorf("client(%s, X-Forwarded-For %q) = %s, want %s", tt.remote, tt.xff, got, tt.want)
		}
	}
}

func TestRateLimitMemoryIsBounded(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := &RateLimit{PerSecond: 20, Burst: 100}
	for i := range rateLimitClients + 10 {
		l.allow(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), now)
	}
	if n := len(l.buckets); n > rateLimitClients {
		t.Errorf("%d buckets kept, limit %d", n, rateLimitClients)
	}
	// Idle clients are forgotten once their bucket would be full again.
	now = now.Add(time.Hour)
	l.allow(netip.MustParseAddr("192.0.2.1"), now)
	if n := len(l.buckets); n != 1 {
		t.Errorf("%d buckets after an hour of quiet, want 1", n)
	}
}

func TestPublicPostBodiesAreBounded(t *testing.T) {
	mux := limitedMux(nil)
	for _, path := range []string{"/u/x.y", "/t/r/x.y"} {
		// Over the limit, declared or streamed: 413 before the token is looked at.
		big := strings.Repeat("a", MaxPublicForm+1)
		r := httptest.NewRequest("POST", path, strings.NewReader(big))
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		if w.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("POST %s with %d bytes: %d, want 413", path, len(big), w.Code)
		}
		r = httptest.NewRequest("POST", path, io.NopCloser(strings.NewReader(big)))
		r.ContentLength = -1
		w = httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		if w.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("POST %s with %d bytes, no length: %d, want 413", path, len(big), w.Code)
		}
		// The RFC 8058 one-click body is well within it (the forged token is a 404).
		r = httptest.NewRequest("POST", path, strings.NewReader("List-Unsubscribe=One-Click"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w = httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		if w.Code != http.StatusNotFound {
			t.Errorf("POST %s one-click body: %d, want the handler's 404", path, w.Code)
		}
	}
}

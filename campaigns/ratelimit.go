package campaigns

import (
	"bytes"
	"errors"
	"io"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"outreach/crm"
)

// Defaults for the public endpoints' rate limit: generous enough for a
// mail provider's image proxy or a company's link scanner fetching many
// recipients' links from one address, tight enough that one client cannot
// keep the database busy with calendar feeds or RSVP posts.
const (
	DefaultPublicPerSecond = 20
	DefaultPublicBurst     = 100
)

// MaxPublicForm bounds the body of the public POSTs (the unsubscribe and
// RSVP buttons, RFC 8058 one-click): they carry nothing but a short form.
const MaxPublicForm = 16 << 10

// rateLimitClients bounds the buckets kept in memory; past it, idle ones
// are dropped first and, if that is not enough, all of them (everyone
// starts again with a full burst rather than the process growing).
const rateLimitClients = 100_000

// RateLimit is a token bucket per client address, in memory and per
// process: each client may make Burst requests at once and PerSecond on
// average; beyond that it gets 429 with Retry-After. IPv6 clients are
// counted per /64, since one host usually holds a whole /64. A nil
// RateLimit, or one with PerSecond <= 0, lets everything through.
type RateLimit struct {
	PerSecond float64
	Burst     int
	// TrustedProxies are the reverse proxies in front of Outreach: for a
	// connection from one of them, the client is the last address in
	// X-Forwarded-For that is not itself a trusted proxy. Without it, the
	// header is ignored (anyone can write it).
	TrustedProxies crm.Proxies

	now func() time.Time // tests replace the clock

	mu      sync.Mutex
	buckets map[netip.Addr]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

// NewRateLimit returns a limit of perSecond requests per client on
// average, with bursts of burst.
func NewRateLimit(perSecond float64, burst int) *RateLimit {
	return &RateLimit{PerSecond: perSecond, Burst: burst}
}

// Wrap applies the limit to a handler.
func (l *RateLimit) Wrap(h http.HandlerFunc) http.HandlerFunc {
	if l == nil || l.PerSecond <= 0 {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		ok, wait := l.allow(l.client(r), l.clock())
		if !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			w.Header().Set("Cache-Control", "no-store")
			http.Error(w, "Too many requests; please wait a moment and try again.", http.StatusTooManyRequests)
			return
		}
		h(w, r)
	}
}

func (l *RateLimit) clock() time.Time {
	if l.now != nil {
		return l.now()
	}
	return time.Now()
}

// allow takes a token from the client's bucket; when there is none, it
// says how long until there is.
func (l *RateLimit) allow(client netip.Addr, now time.Time) (bool, time.Duration) {
	burst := float64(max(l.Burst, 1))
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = map[netip.Addr]*bucket{}
	}
	if now.Sub(l.swept) > time.Minute || len(l.buckets) >= rateLimitClients {
		l.sweep(now, burst)
	}
	b := l.buckets[client]
	if b == nil {
		b = &bucket{tokens: burst, at: now}
		l.buckets[client] = b
	}
	if elapsed := now.Sub(b.at); elapsed > 0 {
		b.tokens = min(burst, b.tokens+elapsed.Seconds()*l.PerSecond)
	}
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.PerSecond * float64(time.Second))
	return false, max(wait, time.Second)
}

// sweep forgets the buckets that have refilled: a client seen again gets
// a full bucket, which is what it would have anyway.
func (l *RateLimit) sweep(now time.Time, burst float64) {
	l.swept = now
	full := time.Duration(burst / l.PerSecond * float64(time.Second))
	for a, b := range l.buckets {
		if now.Sub(b.at) >= full {
			delete(l.buckets, a)
		}
	}
	if len(l.buckets) >= rateLimitClients {
		clear(l.buckets)
	}
}

// client is the address a request is counted under; an IPv6 client
// counts by its /64, which one host usually holds whole.
func (l *RateLimit) client(r *http.Request) netip.Addr {
	addr := l.TrustedProxies.Client(r)
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.Addr()
	}
	return addr
}

// limitBody bounds a public POST's body: it is read (up to limit) before
// the handler runs, so a larger one gets 413 at once whatever its
// Content-Length says, and the handler sees the same bytes.
func limitBody(limit int64, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			w.Header().Set("Connection", "close")
			http.Error(w, "The request is too large.", http.StatusRequestEntityTooLarge)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "The request is too large.", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "The request could not be read.", http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h(w, r)
	}
}

package campaigns

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// pixel is a transparent 1x1 GIF.
var pixel = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

// Hit is one open or click on its way to the database.
type Hit struct {
	RecipientID int64
	Kind        string // open, click
	Machine     bool
	Reason      string
	URL         string
	At          time.Time
}

// Tracker serves the open pixel and the click redirect. Hits are answered
// at once and written in batches (every 100 ms or 1,000 events, one
// statement each), so a burst of opens costs the database little. Events
// in memory when the process is killed are lost; a graceful stop flushes.
type Tracker struct {
	DB     *sqlx.DB
	Signer *Signer
	Log    *slog.Logger
	// Limit is the per-client rate limit of the pixel and the redirect;
	// nil: none (serve sets one; the benchmark fires from one address).
	Limit *RateLimit

	once   sync.Once
	events chan Hit
	bursts clickBursts
}

const (
	trackFlushEvery = 100 * time.Millisecond
	trackBatch      = 1000
)

func (t *Tracker) init() { t.once.Do(func() { t.events = make(chan Hit, 4*trackBatch) }) }

// Routes registers the tracking endpoints.
func (t *Tracker) Routes(mux *http.ServeMux) {
	t.init()
	mux.HandleFunc("GET /t/o/{token}", t.Limit.Wrap(t.open)) // also answers HEAD
	mux.HandleFunc("GET /t/c/{token}", t.Limit.Wrap(t.click))
}

// open answers the pixel whatever the token: an invalid one is a 404 with
// no event, a valid one the GIF and an event.
func (t *Tracker) open(w http.ResponseWriter, r *http.Request) {
	rid, _, err := t.Signer.Parse(LinkOpen, r.PathValue("token"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	machine, reason := machineOpen(r)
	t.record(r.Context(), Hit{RecipientID: rid, Kind: "open", Machine: machine, Reason: reason, At: time.Now()})
	h := w.Header()
	h.Set("Content-Type", "image/gif")
	h.Set("Cache-Control", "no-store, no-cache, must-revalidate, private")
	h.Set("Content-Length", strconv.Itoa(len(pixel)))
	w.Write(pixel)
}

// click redirects to the URL signed into the token, byte for byte: an
// unsigned URL never redirects, so the endpoint is no open redirect.
func (t *Tracker) click(w http.ResponseWriter, r *http.Request) {
	rid, extra, err := t.Signer.Parse(LinkClick, r.PathValue("token"))
	sentUnix, target, ok := strings.Cut(extra, " ")
	if err != nil || !ok || !(strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://")) {
		http.NotFound(w, r)
		return
	}
	now := time.Now()
	var sent time.Time
	if s, err := strconv.ParseInt(sentUnix, 10, 64); err == nil {
		sent = time.Unix(s, 0)
	}
	machine, reason := machineClick(r, sent, now)
	if t.bursts.burst(rid, target, now) && !machine {
		machine, reason = true, "many links at once"
	}
	t.record(r.Context(), Hit{RecipientID: rid, Kind: "click", Machine: machine, Reason: reason, URL: target, At: now})
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Location", target) // set directly: http.Redirect would clean the URL
	w.WriteHeader(http.StatusFound)
}

func (t *Tracker) record(ctx context.Context, e Hit) {
	t.init()
	select {
	case t.events <- e:
	case <-ctx.Done():
	}
}

// Run writes buffered events until ctx ends, then flushes what is left.
func (t *Tracker) Run(ctx context.Context) {
	t.init()
	tick := time.NewTicker(trackFlushEvery)
	defer tick.Stop()
	batch := make([]Hit, 0, trackBatch)
	for {
		select {
		case e := <-t.events:
			if batch = append(batch, e); len(batch) < trackBatch {
				continue
			}
		case <-tick.C:
		case <-ctx.Done():
			t.drain(&batch)
			t.flush(context.WithoutCancel(ctx), batch)
			return
		}
		t.flush(ctx, batch)
		batch = batch[:0]
	}
}

func (t *Tracker) drain(batch *[]Hit) {
	for {
		select {
		case e := <-t.events:
			*batch = append(*batch, e)
		default:
			return
		}
	}
}

func (t *Tracker) flush(ctx context.Context, batch []Hit) {
	if len(batch) == 0 {
		return
	}
	if err := RecordEvents(ctx, t.DB, batch); err != nil {
		t.Log.ErrorContext(ctx, "tracking events lost", "events", len(batch), "err", err)
	}
}

// RecordEvents writes opens and clicks in one statement: the events, the
// first human open and click on the recipient row (a click implies an
// open), and the timeline (a recipient's first human open, every human
// click). Events of recipients that no longer exist are dropped.
func RecordEvents(ctx context.Context, db sqlx.ExecerContext, batch []Hit) error {
	ids := make([]int64, len(batch))
	kinds, reasons, urls := make([]string, len(batch)), make([]string, len(batch)), make([]string, len(batch))
	machine, at := make([]bool, len(batch)), make([]time.Time, len(batch))
	for i, e := range batch {
		ids[i], kinds[i], machine[i], reasons[i], urls[i], at[i] = e.RecipientID, e.Kind, e.Machine, e.Reason, e.URL, e.At
	}
	_, err := db.ExecContext(ctx, `
		WITH e AS (
			SELECT t.* FROM unnest($1::bigint[], $2::text[], $3::bool[], $4::text[], $5::text[], $6::timestamptz[])
				WITH ORDINALITY AS t(recipient_id, kind, machine, reason, url, at, ord)
			JOIN recipients r ON r.id = t.recipient_id),
		ins AS (
			INSERT INTO recipient_events (recipient_id, kind, machine, reason, url, occurred_at)
			SELECT recipient_id, kind, machine, reason, url, at FROM e ORDER BY ord),
		firsts AS (
			SELECT recipient_id, min(at) AS opened, min(at) FILTER (WHERE kind = 'click') AS clicked
			FROM e WHERE NOT machine GROUP BY recipient_id),
		upd AS (
			UPDATE recipients r SET opened_at = coalesce(r.opened_at, f.opened), clicked_at = coalesce(r.clicked_at, f.clicked)
			FROM firsts f WHERE r.id = f.recipient_id AND (r.opened_at IS NULL OR (r.clicked_at IS NULL AND f.clicked IS NOT NULL))
			RETURNING r.id, r.contact_id, r.campaign_id, (r.opened_at IS NULL) AS first_open)
		INSERT INTO activities (contact_id, kind, occurred_at, details)
		SELECT r.contact_id, 'email.' || e.kind || 'ed', e.at,
			jsonb_strip_nulls(jsonb_build_object('campaign_id', r.campaign_id, 'recipient_id', r.id, 'url', nullif(e.url, '')))
		FROM e JOIN recipients r ON r.id = e.recipient_id LEFT JOIN firsts f ON f.recipient_id = e.recipient_id
		WHERE NOT e.machine AND (e.kind = 'click' OR (e.kind = 'open' AND r.opened_at IS NULL AND e.at = f.opened))`,
		pq.Array(ids), pq.Array(kinds), pq.Array(machine), pq.Array(reasons), pq.Array(urls), pq.Array(at))
	return err
}

package campaigns

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"outreach/campaigns/ical"
	"outreach/crm/vocab"
)

// MaxCalendar bounds an imported calendar file or feed.
const MaxCalendar = 10 << 20

// The span of a partner's calendar that is imported: recurring series are
// expanded within it, and events outside it are not worth planning around.
const (
	importPast   = 31 * 24 * time.Hour
	importFuture = 2 * 365 * 24 * time.Hour
)

// ICalEvent is the calendar form of an event, with the event's own
// organiser (invitations replace it with the address answers go to).
func (e Event) ICalEvent() ical.Event {
	out := ical.Event{
		UID: e.uid(), Sequence: e.Sequence, Title: e.Title, Description: e.Description,
		Start: e.StartsAt, End: e.EndsAt, TimeZone: e.TimeZone, Location: e.place(), URL: e.URL,
		Cancelled: e.Status == EventCancelled, Modified: e.UpdatedAt,
		Organizer: ical.Address{Name: e.Organiser, Email: e.OrganiserEmail},
	}
	if e.Topic != "" {
		out.Categories = append(out.Categories, e.Topic)
	}
	return out
}

func (e Event) uid() string {
	if e.UID != nil && *e.UID != "" {
		return *e.UID
	}
	return fmt.Sprintf("event-%d@outreach.invalid", e.ID)
}

// place is the LOCATION line: the venue, with the city when the venue
// text does not already name it.
func (e Event) place() string {
	switch {
	case e.City == "" || containsFold(e.Location, e.City):
		return e.Location
	case e.Location == "":
		return e.City
	}
	return e.Location + ", " + e.City
}

// Feed is the shared calendar: our public events (cancelled ones too, so
// subscribed calendars drop them), optionally of one topic.
func Feed(ctx context.Context, q sqlx.QueryerContext, name, topic string) ([]byte, error) {
	events, err := ListEvents(ctx, q, EventFilter{Source: "ours", Public: true, Topic: topic})
	if err != nil {
		return nil, err
	}
	items := make([]ical.Event, len(events))
	for i, e := range events {
		items[i] = e.ICalEvent()
	}
	if topic != "" {
		name += " – " + strings.ReplaceAll(vocab.Topic(topic), "_", " ")
	}
	return ical.Feed(name, items, time.Now())
}

// ImportResult says what a calendar import changed.
type ImportResult struct {
	Source    string `json:"source"`
	Events    int    `json:"events"`
	Inserted  int    `json:"inserted"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
	Removed   int    `json:"removed"` // gone from the feed: marked cancelled
}

// FeedClient returns the client that fetches partners' calendar feeds.
// Unless allowInternal is set, it refuses to connect to loopback, private,
// link-local, unspecified and other non-public addresses. The check runs
// on the address actually dialled, after DNS resolution and for every
// redirect, so neither a name that resolves inside the network nor DNS
// rebinding lets a feed URL reach internal services. It ignores proxy
// settings in the environment: through a proxy, the address dialled would
// be the proxy's and the check would say nothing. allowInternal is for
// tests (feeds served on loopback) and for networks whose partners'
// calendars are deliberately internal.
func FeedClient(allowInternal bool) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !allowInternal {
		d.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return &InternalAddressError{Address: address, Kind: "an unparseable"}
			}
			return CheckFeedAddress(ap.Addr())
		}
	}
	tr := &http.Transport{
		DialContext: d.DialContext, ForceAttemptHTTP2: true,
		TLSHandshakeTimeout: 10 * time.Second, ResponseHeaderTimeout: 20 * time.Second,
		MaxIdleConns: 4, IdleConnTimeout: 30 * time.Second,
	}
	return &http.Client{Timeout: 30 * time.Second, Transport: tr}
}

// InternalAddressError is a feed URL that leads to an address that is not
// on the public internet.
type InternalAddressError struct {
	Address string
	Kind    string // "a loopback", "a private", ...
}

func (e *InternalAddressError) Error() string {
	return fmt.Sprintf("%s is %s address; calendars are fetched only from public addresses", e.Address, e.Kind)
}

// nonPublic lists the ranges beyond what netip classifies that are not the
// public internet: shared address space (carrier-grade NAT), "this
// network", IETF protocol assignments, benchmarking, reserved.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
}

// nat64 embeds an IPv4 address in IPv6; the embedded one is what counts.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// CheckFeedAddress returns an *InternalAddressError for an address a feed
// must not be fetched from.
func CheckFeedAddress(a netip.Addr) error {
	a = a.Unmap()
	if nat64.Contains(a) {
		b := a.As16()
		a = netip.AddrFrom4([4]byte(b[12:]))
	}
	kind := ""
	switch {
	case !a.IsValid():
		kind = "an invalid"
	case a.IsLoopback():
		kind = "a loopback"
	case a.IsUnspecified():
		kind = "an unspecified"
	case a.IsPrivate():
		kind = "a private"
	case a.IsLinkLocalUnicast():
		kind = "a link-local"
	case a.IsMulticast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast():
		kind = "a multicast"
	case a.Is4() && a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		kind = "a broadcast"
	}
	for _, p := range nonPublic {
		if kind == "" && p.Contains(a) {
			kind = "a reserved"
		}
	}
	if kind != "" {
		return &InternalAddressError{Address: a.String(), Kind: kind}
	}
	return nil
}

// FetchCalendar downloads a partner's feed (http, https or webcal) with
// client, which should be a FeedClient.
func FetchCalendar(ctx context.Context, client *http.Client, rawURL string) ([]byte, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return nil, invalid("url", "%q is not a URL: %v", rawURL, err)
	}
	if u.Scheme == "webcal" || u.Scheme == "webcals" {
		u.Scheme = "https"
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, invalid("url", "%q: give an http, https or webcal address", rawURL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, invalid("url", "%v", err)
	}
	req.Header.Set("Accept", "text/calendar")
	resp, err := client.Do(req)
	if err != nil {
		var internal *InternalAddressError
		if errors.As(err, &internal) {
			// The coordinator's to fix, not ours: a 400 that says why.
			return nil, invalid("url", "%s: %v", u.Redacted(), internal)
		}
		// The partner's server, not ours, failed: say so to the coordinator
		// (a 400 naming the cause) rather than answer an internal error.
		return nil, invalid("url", "could not fetch %s: %v", u.Redacted(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, invalid("url", "could not fetch %s: the server answered %s", u.Redacted(), resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxCalendar+1))
	if err != nil {
		return nil, invalid("url", "could not fetch %s: %v", u.Redacted(), err)
	}
	if len(data) > MaxCalendar {
		return nil, invalid("url", "%s is larger than %d MiB", u.Redacted(), MaxCalendar>>20)
	}
	return data, nil
}

// ImportCalendar stores a partner's calendar under source: events are
// matched by UID (and occurrence), so importing the same feed again
// changes nothing; events that left the feed are marked cancelled rather
// than deleted, since our piggyback events may refer to them. A calendar
// that does not parse changes nothing.
func ImportCalendar(ctx context.Context, db *sqlx.DB, source, sourceURL string, data []byte) (ImportResult, error) {
	res := ImportResult{Source: strings.TrimSpace(source)}
	if res.Source == "" {
		return res, invalid("source", "name the partner calendar, e.g. \"Migrant Enterprise Network\"")
	}
	now := time.Now()
	parsed, err := ical.Parse(bytes.NewReader(data), now.Add(-importPast), now.Add(importFuture), time.UTC)
	if err != nil {
		return res, invalid("calendar", "%v", err)
	}
	events := dedupeImported(parsed)
	res.Events = len(events)
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("campaigns: import calendar: %w", err)
	}
	defer tx.Rollback()
	var sourceID int64
	err = tx.GetContext(ctx, &sourceID, `INSERT INTO calendar_sources (name, url, imported_at) VALUES ($1, $2, now())
		ON CONFLICT (lower(name)) DO UPDATE SET url = CASE WHEN EXCLUDED.url = '' THEN calendar_sources.url ELSE EXCLUDED.url END,
			imported_at = now()
		RETURNING id`, res.Source, sourceURL)
	if err != nil {
		return res, fmt.Errorf("campaigns: import calendar: %w", err)
	}
	if err := upsertImported(ctx, tx, sourceID, events, &res); err != nil {
		return res, err
	}
	if err := cancelVanished(ctx, tx, sourceID, events, now.Add(-importPast), now.Add(importFuture), &res); err != nil {
		return res, err
	}
	if err := tx.Commit(); err != nil {
		return res, fmt.Errorf("campaigns: import calendar: %w", err)
	}
	return res, nil
}

// dedupeImported keeps one event per UID and occurrence: the highest
// SEQUENCE, then the latest LAST-MODIFIED, then the last in the file, as
// calendar clients do when a feed repeats an event.
func dedupeImported(events []ical.Event) []ical.Event {
	type key struct {
		uid string
		rec time.Time // zero for a single event or a whole series
	}
	keep := map[key]int{}
	var out []ical.Event
	for _, e := range events {
		k := key{e.UID, e.RecurrenceID.UTC()}
		i, seen := keep[k]
		if !seen {
			keep[k] = len(out)
			out = append(out, e)
			continue
		}
		old := out[i]
		if e.Sequence > old.Sequence || (e.Sequence == old.Sequence && !e.Modified.Before(old.Modified)) {
			out[i] = e
		}
	}
	return out
}

func upsertImported(ctx context.Context, tx *sqlx.Tx, sourceID int64, events []ical.Event, res *ImportResult) error {
	for _, e := range events {
		title := strings.TrimSpace(e.Title)
		if title == "" {
			title = "(untitled)"
		}
		end := e.End
		if end.Before(e.Start) {
			end = e.Start
		}
		status := EventConfirmed
		if e.Cancelled {
			status = EventCancelled
		}
		var rec *time.Time
		if !e.RecurrenceID.IsZero() {
			rec = &e.RecurrenceID
		}
		var outcome string
		err := tx.GetContext(ctx, &outcome, `WITH old AS (
				SELECT id FROM events WHERE source_id = $1 AND uid = $2 AND coalesce(recurrence_id, '-infinity') = coalesce($3::timestamptz, '-infinity')),
			upd AS (
				UPDATE events SET title = $4, kind = $5, topic = $6, description = $7, starts_at = $8, ends_at = $9,
					time_zone = $10, location = $11, url = $12, organiser = $13, organiser_email = $14, status = $15,
					sequence = $16, updated_at = now()
				WHERE id = (SELECT id FROM old) AND (title, kind, topic, description, starts_at, ends_at, time_zone, location,
					url, organiser, organiser_email, status, sequence) IS DISTINCT FROM ($4, $5, $6, $7, $8, $9, $10, $11, $12,
					$13, $14, $15, $16)
				RETURNING 'updated'::text AS outcome),
			ins AS (
				INSERT INTO events (source_id, uid, recurrence_id, title, kind, topic, description, starts_at, ends_at,
					time_zone, location, url, organiser, organiser_email, status, sequence)
				SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16
				WHERE NOT EXISTS (SELECT 1 FROM old)
				RETURNING 'inserted'::text AS outcome)
			SELECT coalesce((SELECT outcome FROM upd), (SELECT outcome FROM ins), 'unchanged')`,
			sourceID, e.UID, rec, title, importedKind(e), importedTopic(e), e.Description, e.Start, end,
			zoneOr(e.TimeZone), e.Location, e.URL, e.Organizer.Name, e.Organizer.Email, status, e.Sequence)
		if err != nil {
			return fmt.Errorf("campaigns: import calendar: event %q (%s): %w", title, e.UID, err)
		}
		switch outcome {
		case "inserted":
			res.Inserted++
		case "updated":
			res.Updated++
		default:
			res.Unchanged++
		}
	}
	return nil
}

// cancelVanished marks the source's live events within the imported span
// that the feed no longer has as cancelled. Events outside the span were
// not read this time, so their absence says nothing.
func cancelVanished(ctx context.Context, tx *sqlx.Tx, sourceID int64, events []ical.Event, from, to time.Time, res *ImportResult) error {
	uids := make([]string, len(events))
	recs := make([]string, len(events)) // "" for a whole series or a single event
	for i, e := range events {
		uids[i] = e.UID
		if !e.RecurrenceID.IsZero() {
			recs[i] = e.RecurrenceID.UTC().Format(time.RFC3339Nano)
		}
	}
	r, err := tx.ExecContext(ctx, `UPDATE events e SET status = 'cancelled', updated_at = now()
		WHERE e.source_id = $1 AND e.status = 'confirmed' AND e.ends_at > $4 AND e.starts_at < $5 AND NOT EXISTS (
			SELECT 1 FROM unnest($2::text[], $3::text[]) AS f(uid, rec)
			WHERE f.uid = e.uid AND coalesce(nullif(f.rec, '')::timestamptz, '-infinity') = coalesce(e.recurrence_id, '-infinity'))`,
		sourceID, pq.StringArray(uids), pq.StringArray(recs), from, to)
	if err != nil {
		return fmt.Errorf("campaigns: import calendar: %w", err)
	}
	n, _ := r.RowsAffected()
	res.Removed = int(n)
	return nil
}

// importedKind guesses the kind of a partner's event from its categories
// and title; most shared-calendar entries are conferences and meetings.
func importedKind(e ical.Event) string {
	words := strings.ToLower(strings.Join(append(slices.Clone(e.Categories), e.Title), " "))
	switch {
	case strings.Contains(words, "webinar") || strings.Contains(words, "online"):
		return "webinar"
	case strings.Contains(words, "workshop"):
		return "workshop"
	case strings.Contains(words, "community of practice") || strings.Contains(words, "cop "):
		return "cop_session"
	}
	return "conference"
}

// importedTopic takes the first category that is one of our communities
// of practice.
func importedTopic(e ical.Event) string {
	for _, c := range e.Categories {
		if t := vocab.Topic(c); vocab.IsTopic(t) {
			return t
		}
	}
	return ""
}

func zoneOr(tz string) string {
	if tz == "" {
		return "UTC"
	}
	return tz
}

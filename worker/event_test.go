package worker

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	arran "github.com/arran4/golang-ical"

	"outreach/campaigns"
	"outreach/campaigns/ical"
)

// calendarPart finds the text/calendar part anywhere in a message and
// returns it with its Content-Type parameters.
func calendarPart(t testing.TB, raw []byte) (string, map[string]string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	body, params, ok := findPart(m.Header.Get("Content-Type"), m.Body, "text/calendar")
	if !ok {
		t.Fatalf("no text/calendar part in:\n%s", raw)
	}
	return body, params
}

func findPart(contentType string, body io.Reader, want string) (string, map[string]string, bool) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", nil, false
	}
	if mt == want {
		b, _ := io.ReadAll(body)
		return string(b), params, true
	}
	if !strings.HasPrefix(mt, "multipart/") {
		return "", nil, false
	}
	mr := multipart.NewReader(body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			return "", nil, false
		}
		if s, ps, ok := findPart(p.Header.Get("Content-Type"), p, want); ok {
			return s, ps, true
		}
	}
}

func TestInvitationCarriesACalendarEntryAndNoticesFollowChanges(t *testing.T) {
	r := newRig(t, "email,first_name,last_name\nana@example.org,Ana,Lima\nben@example.org,Ben,Okafor\ncai@example.org,Cai,Wu\n")
	ctx := context.Background()
	ev, err := campaigns.CreateEvent(ctx, r.db, campaigns.EventInput{Title: ptr("Finance CoP; spring session"),
		StartsAt: ptr("2027-03-15T14:00"), EndsAt: ptr("2027-03-15T16:30"), TimeZone: ptr("Europe/Berlin"),
		Location: ptr("Haus der Wirtschaft"), City: ptr("Berlin")}, "network.example.org")
	if err != nil {
		t.Fatal(err)
	}
	in := basicInput(`email ~ "example.org"`)
	in.EventID, in.ReplyTo = &ev.ID, "replies+@network.example.org"
	c := r.create(in)
	r.run(r.worker(Config{}))
	r.send(c.ID)
	r.waitStatus(c.ID, campaigns.StatusDone, 20*time.Second)

	rids := map[string]int64{}
	for _, m := range r.sink.Messages() {
		body, params := calendarPart(t, m.Raw)
		if params["method"] != "REQUEST" {
			t.Errorf("text/calendar method=%q, want REQUEST", params["method"])
		}
		cal, err := arran.ParseCalendar(strings.NewReader(body))
		if err != nil {
			t.Fatalf("calendar entry does not parse: %v\n%s", err, body)
		}
		events := cal.Events()
		if len(events) != 1 {
			t.Fatalf("%d events in the entry", len(events))
		}
		e := events[0]
		start, _ := e.GetStartAt()
		att := e.Attendees()
		org := e.GetProperty(arran.ComponentPropertyOrganizer)
		if e.Id() != *ev.UID || !start.Equal(ev.StartsAt) || len(att) != 1 || !strings.EqualFold(att[0].Email(), m.To) ||
			att[0].ICalParameters["RSVP"][0] != "TRUE" || org == nil || !strings.HasPrefix(strings.ToLower(org.Value), "mailto:replies+") {
			t.Errorf("entry for %s: uid %s start %s attendees %v organizer %v", m.To, e.Id(), start, att, org)
		}
		replyTo, err := mail.ParseAddress(header(t, m.Raw, "Reply-To"))
		if err != nil || !strings.EqualFold(strings.TrimPrefix(strings.ToLower(org.Value), "mailto:"), replyTo.Address) {
			t.Errorf("organizer %s is not the reply address %s: calendar answers would not be matched", org.Value, replyTo)
		}
		var rid int64
		r.db.Get(&rid, `SELECT r.id FROM recipients r JOIN contacts c ON c.id = r.contact_id WHERE c.email = $1 AND r.campaign_id = $2`, m.To, c.ID)
		rids[m.To] = rid
	}
	if len(rids) != 3 {
		t.Fatalf("%d invitations delivered, want 3", len(rids))
	}
	// Ana accepts, Ben is tentative, Cai declines; then the event moves.
	for email, answer := range map[string]string{"ana@example.org": "yes", "ben@example.org": "tentative", "cai@example.org": "no"} {
		if _, err := campaigns.RecordRSVP(ctx, r.db, rids[email], answer, "link"); err != nil {
			t.Fatal(err)
		}
	}
	moved, err := campaigns.UpdateEvent(ctx, r.db, ev.ID, campaigns.EventInput{StartsAt: ptr("2027-03-16T14:00"), EndsAt: ptr("2027-03-16T16:30")})
	if err != nil || moved.Sequence != 1 {
		t.Fatalf("update: %v, sequence %d", err, moved.Sequence)
	}
	r.sink.Reset()
	update, err := campaigns.NotifyAttendees(ctx, r.db, ev.ID, campaigns.NoticeInput{}, emptyOpts)
	if err != nil {
		t.Fatal(err)
	}
	r.waitStatus(update.ID, campaigns.StatusDone, 20*time.Second)
	got := notices(t, r)
	if len(got) != 2 || got["ana@example.org"].method != "REQUEST" || got["ben@example.org"].seq != 1 ||
		!got["ana@example.org"].start.Equal(moved.StartsAt) || got["cai@example.org"].method != "" {
		t.Errorf("update notices %+v, want REQUEST sequence 1 at the new time to Ana and Ben only", got)
	}
	if _, err := campaigns.CancelEvent(ctx, r.db, ev.ID); err != nil {
		t.Fatal(err)
	}
	r.sink.Reset()
	cancel, err := campaigns.NotifyAttendees(ctx, r.db, ev.ID, campaigns.NoticeInput{}, emptyOpts)
	if err != nil {
		t.Fatal(err)
	}
	r.waitStatus(cancel.ID, campaigns.StatusDone, 20*time.Second)
	got = notices(t, r)
	if len(got) != 2 || got["ana@example.org"].method != "CANCEL" || got["ana@example.org"].seq != 2 || !got["ben@example.org"].cancelled {
		t.Errorf("cancellation notices %+v, want CANCEL sequence 2 to Ana and Ben", got)
	}
	for _, m := range r.sink.Messages() {
		if subj := header(t, m.Raw, "Subject"); !strings.HasPrefix(subj, "Cancelled: Finance CoP") {
			t.Errorf("cancellation subject %q", subj)
		}
	}
}

type notice struct {
	method    string
	seq       int
	start     time.Time
	cancelled bool
}

func notices(t *testing.T, r *rig) map[string]notice {
	t.Helper()
	out := map[string]notice{}
	for _, m := range r.sink.Messages() {
		body, params := calendarPart(t, m.Raw)
		events, err := ical.Parse(strings.NewReader(body), time.Time{}, time.Now().AddDate(5, 0, 0), time.UTC)
		if err != nil || len(events) != 1 {
			t.Fatalf("notice to %s: %v, %d events", m.To, err, len(events))
		}
		out[m.To] = notice{method: params["method"], seq: events[0].Sequence, start: events[0].Start, cancelled: events[0].Cancelled}
	}
	return out
}

func ptr[T any](v T) *T { return &v }

package campaigns_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"outreach/campaigns"
	"outreach/crm"
	"outreach/crm/segment"
)

type eventView struct {
	campaigns.Event
	Counts    campaigns.EventCounts
	Conflicts []campaigns.Conflict
	Error     string
}

func (s *server) createEvent(body string) eventView {
	s.t.Helper()
	var e eventView
	if got := s.do(crm.RoleCoordinator, "POST", "/api/v1/events", body, &e); got != 201 {
		s.t.Fatalf("create event %s: %d %s", body, got, e.Error)
	}
	return e
}

const conference = `{"title":"Migrant Entrepreneurship Summit","kind":"conference","topic":"Access to finance",
	"starts_at":"2027-05-11T09:00","ends_at":"2027-05-12T17:00","time_zone":"Europe/Brussels",
	"location":"Square, Mont des Arts","city":"Brussels","country":"BE"}`

func TestEventAPICreatesAndValidates(t *testing.T) {
	s := newServer(t)
	e := s.createEvent(conference)
	brussels, _ := time.LoadLocation("Europe/Brussels")
	if !e.StartsAt.Equal(time.Date(2027, 5, 11, 9, 0, 0, 0, brussels)) || e.Topic != "access_to_finance" || e.Country != "BE" {
		t.Errorf("stored %+v", e.Event)
	}
	if e.UID == nil || *e.UID != fmt.Sprintf("event-%d@o.example.org", e.ID) || e.Sequence != 0 || e.Status != "confirmed" {
		t.Errorf("uid %v sequence %d status %s", e.UID, e.Sequence, e.Status)
	}
	host := itoa(e.ID)
	cases := []struct{ name, body, field string }{
		{"no title", `{"starts_at":"2027-05-11T09:00","ends_at":"2027-05-11T10:00"}`, "title"},
		{"bad kind", `{"title":"x","kind":"party","starts_at":"2027-05-11T09:00","ends_at":"2027-05-11T10:00"}`, "kind"},
		{"bad zone", `{"title":"x","starts_at":"2027-05-11T09:00","ends_at":"2027-05-11T10:00","time_zone":"Mars/Olympus"}`, "time_zone"},
		{"bad time", `{"title":"x","starts_at":"11.05.2027 9:00","ends_at":"2027-05-11T10:00"}`, "starts_at"},
		{"ends before start", `{"title":"x","starts_at":"2027-05-11T09:00","ends_at":"2027-05-11T08:00"}`, "ends_at"},
		{"zero capacity", `{"title":"x","starts_at":"2027-05-11T09:00","ends_at":"2027-05-11T10:00","capacity":0}`, "capacity"},
		{"unknown host", `{"title":"x","starts_at":"2027-05-11T09:00","ends_at":"2027-05-11T10:00","host_event_id":999}`, "host_event_id"},
		{"piggyback a week later", `{"title":"Side workshop","kind":"workshop","starts_at":"2027-05-19T09:00","ends_at":"2027-05-19T12:00",
			"time_zone":"Europe/Brussels","city":"Brussels","host_event_id":` + host + `}`, "starts_at"},
		{"piggyback elsewhere", `{"title":"Side workshop","kind":"workshop","starts_at":"2027-05-12T18:00","ends_at":"2027-05-12T20:00",
			"time_zone":"Europe/Brussels","city":"Antwerp","host_event_id":` + host + `}`, "city"},
	}
	for _, tc := range cases {
		var out struct{ Error, Field string }
		if got := s.do(crm.RoleCoordinator, "POST", "/api/v1/events", tc.body, &out); got != 400 || !strings.HasPrefix(out.Error, tc.field+":") {
			t.Errorf("%s: %d %+v, want 400 about %s", tc.name, got, out, tc.field)
		}
	}
	var n int
	s.db.Get(&n, `SELECT count(*) FROM events`)
	if n != 1 {
		t.Errorf("%d events stored after refused input, want 1", n)
	}
	// The evening before the host, in the same city: a valid piggyback.
	side := s.createEvent(`{"title":"Finance readiness workshop","kind":"workshop","topic":"access_to_finance",
		"starts_at":"2027-05-10T18:00","ends_at":"2027-05-10T20:30","time_zone":"Europe/Brussels","city":"brussels","host_event_id":` + host + `}`)
	if side.HostEventID == nil || *side.HostEventID != e.ID || len(side.Conflicts) != 0 {
		t.Errorf("piggyback: %+v, conflicts %+v", side.Event, side.Conflicts)
	}
	var bad struct{ Error string }
	if got := s.do(crm.RoleViewer, "GET", "/api/v1/events?source=mine", "", &bad); got != 400 || !strings.HasPrefix(bad.Error, "source:") {
		t.Errorf("unknown source filter: %d %q", got, bad.Error)
	}
	if got := s.do(crm.RoleViewer, "GET", "/api/v1/events?from=next+week", "", &bad); got != 400 || !strings.HasPrefix(bad.Error, "from:") {
		t.Errorf("bad from: %d %q", got, bad.Error)
	}
	if got := s.do(crm.RoleViewer, "POST", "/api/v1/events", conference, nil); got != 403 {
		t.Errorf("viewer creates an event: %d", got)
	}
}

func TestEventConflictHints(t *testing.T) {
	s := newServer(t)
	summit := s.createEvent(conference)
	// Same topic, online, overlapping: a topic clash; same city, other
	// topic, overlapping: a city clash; same city the week after: none.
	webinar := s.createEvent(`{"title":"Finance webinar","kind":"webinar","topic":"access_to_finance","url":"https://meet.example.org/x",
		"starts_at":"2027-05-12T14:00:00+02:00","ends_at":"2027-05-12T15:00:00+02:00"}`)
	if len(webinar.Conflicts) != 1 || webinar.Conflicts[0].Event.ID != summit.ID || webinar.Conflicts[0].Reason != "same topic" {
		t.Errorf("webinar conflicts %+v", webinar.Conflicts)
	}
	cop := s.createEvent(`{"title":"Coaching CoP","kind":"cop_session","topic":"coaching_mentoring","city":"Brussels",
		"starts_at":"2027-05-11T13:00:00+02:00","ends_at":"2027-05-11T15:00:00+02:00"}`)
	if len(cop.Conflicts) != 1 || cop.Conflicts[0].Reason != "same city" {
		t.Errorf("cop conflicts %+v", cop.Conflicts)
	}
	later := s.createEvent(`{"title":"Later","city":"Brussels","topic":"access_to_finance",
		"starts_at":"2027-05-19T13:00:00+02:00","ends_at":"2027-05-19T15:00:00+02:00"}`)
	if len(later.Conflicts) != 0 {
		t.Errorf("an event a week later conflicts: %+v", later.Conflicts)
	}
}

func TestEventUpdateAndCancelCountSequence(t *testing.T) {
	s := newServer(t)
	e := s.createEvent(conference)
	path := "/api/v1/events/" + itoa(e.ID)
	var got eventView
	s.do(crm.RoleCoordinator, "PATCH", path, `{"description":"Programme to follow","capacity":80}`, &got)
	if got.Sequence != 0 || got.Description != "Programme to follow" || got.Capacity == nil || *got.Capacity != 80 {
		t.Errorf("minor change: %+v", got.Event)
	}
	s.do(crm.RoleCoordinator, "PATCH", path, `{"starts_at":"2027-05-11T10:00"}`, &got)
	if got.Sequence != 1 || got.StartsAt.Hour() != 8 { // 10:00 in Brussels (CEST) is 08:00 UTC
		t.Errorf("time change: sequence %d start %s", got.Sequence, got.StartsAt.UTC())
	}
	var bad struct{ Error string }
	if code := s.do(crm.RoleCoordinator, "PATCH", path, `{"ends_at":"2027-05-01T10:00"}`, &bad); code != 400 {
		t.Errorf("bad patch: %d %s", code, bad.Error)
	}
	s.do(crm.RoleCoordinator, "POST", path+"/cancel", "", &got)
	s.do(crm.RoleCoordinator, "POST", path+"/cancel", "", &got)
	if got.Status != "cancelled" || got.Sequence != 2 {
		t.Errorf("cancel twice: %s sequence %d, want cancelled at 2", got.Status, got.Sequence)
	}
}

// eventCampaign sends (without a worker: rows marked sent) an invitation
// to the event to the given addresses and returns each one's recipient id.
func eventCampaign(t *testing.T, s *server, eventID int64, emails ...string) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	var csv strings.Builder
	csv.WriteString("email,first_name\n")
	for i, e := range emails {
		fmt.Fprintf(&csv, "%s,Person%d\n", e, i)
	}
	if _, err := crm.ImportCSV(ctx, s.db, strings.NewReader(csv.String()), crm.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	where := `email ~ "@guests.example"`
	c, err := campaigns.Create(ctx, s.db, campaigns.Input{Name: "Invite", Audience: campaigns.Audience{Where: &where},
		From: "team@network.example.org", ReplyTo: "replies+@network.example.org", Subject: "Join us", HTML: "<p>Hi</p>",
		EventID: &eventID}, segment.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := campaigns.Send(ctx, s.db, c.ID, segment.Options{}); err != nil {
		t.Fatal(err)
	}
	s.db.MustExec(`UPDATE recipients SET status = 'sent', sent_at = now() WHERE campaign_id = $1`, c.ID)
	ids := map[string]int64{}
	for _, e := range emails {
		var id int64
		s.db.Get(&id, `SELECT r.id FROM recipients r JOIN contacts c ON c.id = r.contact_id WHERE c.email = $1 AND r.campaign_id = $2`, e, c.ID)
		ids[e] = id
	}
	return ids
}

func TestCapacityWaitlistAndPromotion(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	e := s.createEvent(`{"title":"Small workshop","starts_at":"2027-03-01T10:00:00Z","ends_at":"2027-03-01T12:00:00Z","capacity":2}`)
	r := eventCampaign(t, s, e.ID, "p1@guests.example", "p2@guests.example", "p3@guests.example", "p4@guests.example")
	answer := func(email, a string) campaigns.RSVPOutcome {
		t.Helper()
		out, err := campaigns.RecordRSVP(ctx, s.db, r[email], a, "link")
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if answer("p1@guests.example", "yes").Waitlisted || answer("p2@guests.example", "yes").Waitlisted {
		t.Fatal("the first two were waitlisted with room for two")
	}
	if !answer("p3@guests.example", "yes").Waitlisted || !answer("p4@guests.example", "yes").Waitlisted {
		t.Fatal("the third and fourth yes were not waitlisted")
	}
	if answer("p1@guests.example", "yes").Waitlisted {
		t.Error("saying yes again lost a confirmed place")
	}
	answer("p2@guests.example", "no") // frees a place for p3, who waited longest
	counts, _ := campaigns.CountsOfEvent(ctx, s.db, e.ID)
	if counts != (campaigns.EventCounts{Yes: 2, No: 1, Waitlisted: 1}) {
		t.Errorf("counts %+v", counts)
	}
	list, _ := campaigns.Attendees(ctx, s.db, e.ID)
	state := map[string]string{}
	for _, a := range list {
		state[*a.Email] = fmt.Sprintf("%s/%v", *a.RSVP, a.Waitlisted)
	}
	want := map[string]string{"p1@guests.example": "yes/false", "p2@guests.example": "no/false",
		"p3@guests.example": "yes/false", "p4@guests.example": "yes/true"}
	for k, v := range want {
		if state[k] != v {
			t.Errorf("%s: %s, want %s", k, state[k], v)
		}
	}
	var promoted int
	s.db.Get(&promoted, `SELECT count(*) FROM activities a JOIN contacts c ON c.id = a.contact_id
		WHERE c.email = 'p3@guests.example' AND a.kind = 'event.promoted'`)
	if promoted != 1 {
		t.Errorf("%d promotion entries on p3's timeline, want 1", promoted)
	}
	// Concurrent answers never overfill the event.
	e2 := s.createEvent(`{"title":"Tiny","starts_at":"2027-03-02T10:00:00Z","ends_at":"2027-03-02T12:00:00Z","capacity":3}`)
	guests := make([]string, 12)
	for i := range guests {
		guests[i] = fmt.Sprintf("c%d@guests.example", i)
	}
	r2 := eventCampaign(t, s, e2.ID, guests...)
	done := make(chan error, len(guests))
	for _, g := range guests {
		go func() { _, err := campaigns.RecordRSVP(ctx, s.db, r2[g], "yes", "link"); done <- err }()
	}
	for range guests {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	c2, _ := campaigns.CountsOfEvent(ctx, s.db, e2.ID)
	if c2.Yes != 3 || c2.Waitlisted != 9 {
		t.Errorf("12 concurrent yes for 3 places: %+v", c2)
	}
}

func TestRSVPPageSaysWaitlisted(t *testing.T) {
	s := newServer(t)
	base := trackingServer(t, s)
	e := s.createEvent(`{"title":"Full","starts_at":"2027-03-01T10:00:00Z","ends_at":"2027-03-01T12:00:00Z","capacity":1}`)
	r := eventCampaign(t, s, e.ID, "q1@guests.example", "q2@guests.example")
	links := campaigns.Links{BaseURL: base, Signer: signer}
	hit(t, "POST", links.RSVP(r["q1@guests.example"], true), browser)
	resp, err := http.Post(links.RSVP(r["q2@guests.example"], true), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if !strings.Contains(body, "waiting list") {
		t.Errorf("second yes for one place: page does not mention the waiting list:\n%s", body)
	}
}

func TestAttendanceAndReportFunnel(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	future := s.createEvent(`{"title":"Next year","starts_at":"2099-03-01T10:00:00Z","ends_at":"2099-03-01T12:00:00Z"}`)
	var refused struct{ Error string }
	if got := s.do(crm.RoleCoordinator, "POST", "/api/v1/events/"+itoa(future.ID)+"/attendance",
		`{"marks":[{"email":"a@example.org","attended":true}]}`, &refused); got != 400 {
		t.Errorf("attendance before the event: %d %s", got, refused.Error)
	}
	e := s.createEvent(`{"title":"Past CoP","kind":"cop_session","starts_at":"2026-01-01T10:00:00Z","ends_at":"2026-01-01T12:00:00Z"}`)
	r := eventCampaign(t, s, e.ID, "m1@guests.example", "m2@guests.example", "m3@guests.example")
	campaigns.RecordRSVP(ctx, s.db, r["m1@guests.example"], "yes", "link")
	campaigns.RecordRSVP(ctx, s.db, r["m2@guests.example"], "tentative", "calendar")
	upload := func(csv string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("POST", s.url+"/api/v1/events/"+itoa(e.ID)+"/attendance", strings.NewReader(csv))
		req.Header.Set("Authorization", "Bearer "+s.key[crm.RoleCoordinator])
		req.Header.Set("Content-Type", "text/csv")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	if resp := upload("name,attended\nm1,yes\n"); resp.StatusCode != 400 || !strings.Contains(readBody(t, resp), "no email column") {
		t.Errorf("a list without an email column: %d", resp.StatusCode)
	}
	if marked, _ := campaigns.CountsOfEvent(ctx, s.db, e.ID); marked.Attended != 0 {
		t.Errorf("a refused list marked %d attendees", marked.Attended)
	}
	resp := upload("E-Mail;Attended\r\nM1@guests.example;ja\r\nm2@guests.example;no\r\nnobody@guests.example;yes\r\nm3@guests.example;perhaps\r\n")
	var res campaigns.MarkResult
	decodeBody(t, resp, &res)
	if resp.StatusCode != 200 || res.Marked != 2 || len(res.Rejected) != 2 {
		t.Fatalf("attendance upload: %d %+v", resp.StatusCode, res)
	}
	if res.Rejected[0].Line != 5 || res.Rejected[0].Column != "attended" || res.Rejected[1].Line != 4 || !strings.Contains(res.Rejected[1].Reason, "nobody@guests.example") {
		t.Errorf("rejections %+v", res.Rejected)
	}
	var timeline int
	s.db.Get(&timeline, `SELECT count(*) FROM activities a JOIN contacts c ON c.id = a.contact_id
		WHERE c.email = 'm1@guests.example' AND a.kind = 'event.attended'`)
	if timeline != 1 {
		t.Errorf("%d attended entries on the timeline", timeline)
	}
	var campaignID int64
	s.db.Get(&campaignID, `SELECT campaign_id FROM recipients WHERE id = $1`, r["m1@guests.example"])
	rep, err := campaigns.BuildReport(ctx, s.db, campaigns.ReportQuery{CampaignIDs: []int64{campaignID}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Total.Recipients != 3 || rep.Total.RSVPYes != 1 || rep.Total.RSVPTentative != 1 || rep.Total.Attended != 1 {
		t.Errorf("report total %+v", rep.Total)
	}
	if iv, ok := rep.Total.Rates["attended"]; !ok || iv.Value < 0.33 || iv.Value > 0.34 {
		t.Errorf("attended rate %+v", rep.Total.Rates["attended"])
	}
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func decodeBody(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	body := readBody(t, resp)
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("%v in %d answer: %s", err, resp.StatusCode, body)
	}
}

// calendarReply is an accept or decline as Outlook sends it: the person's
// note, and the iTIP REPLY as a text/calendar alternative.
func calendarReply(from, to, uid, partStat string) []byte {
	cal := strings.Join([]string{"BEGIN:VCALENDAR", "METHOD:REPLY", "PRODID:Microsoft Exchange Server 2010", "VERSION:2.0",
		"BEGIN:VEVENT", `ATTENDEE;PARTSTAT=` + partStat + `;CN="Guest, A.":MAILTO:`, " " + strings.ToUpper(from),
		"SUMMARY;LANGUAGE=en-GB:Accepted: Workshop", "DTSTART:20270301T100000Z", "DTEND:20270301T120000Z",
		"UID:" + uid, "ORGANIZER;CN=Team:MAILTO:" + to, "DTSTAMP:20261127T091522Z", "SEQUENCE:0",
		"END:VEVENT", "END:VCALENDAR", ""}, "\r\n")
	return []byte(strings.Join([]string{
		"From: Guest <" + from + ">", "To: Team <" + to + ">", "Subject: Accepted: Workshop",
		"Message-ID: <" + partStat + "." + from + "@mail.example>", "Date: Fri, 27 Nov 2026 10:00:00 +0100",
		"MIME-Version: 1.0", `Content-Type: multipart/alternative; boundary="b1"`, "",
		"--b1", "Content-Type: text/plain; charset=utf-8", "", "Looking forward to it.", "",
		"--b1", `Content-Type: text/calendar; charset="utf-8"; method=REPLY`, "Content-Transfer-Encoding: 7bit", "", cal,
		"--b1--", ""}, "\r\n"))
}

func TestCalendarRepliesBecomeRSVPs(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	e := s.createEvent(`{"title":"Workshop","starts_at":"2027-03-01T10:00:00Z","ends_at":"2027-03-01T12:00:00Z"}`)
	r := eventCampaign(t, s, e.ID, "g1@guests.example", "g2@guests.example", "g3@guests.example")
	for _, tc := range []struct{ email, partStat, want string }{
		{"g1@guests.example", "ACCEPTED", "yes"},
		{"g2@guests.example", "TENTATIVE", "tentative"},
		{"g3@guests.example", "DECLINED", "no"},
	} {
		res, err := campaigns.Ingest(ctx, s.db, signer, calendarReply(tc.email, "replies@network.example.org", *e.UID, tc.partStat))
		if err != nil {
			t.Fatal(err)
		}
		if !res.Matched || *res.RecipientID != r[tc.email] || res.Kind != "reply" || res.RSVP != tc.want {
			t.Errorf("%s %s: %+v", tc.email, tc.partStat, res)
		}
		var answer string
		s.db.Get(&answer, `SELECT rsvp FROM recipients WHERE id = $1`, r[tc.email])
		if answer != tc.want {
			t.Errorf("%s: recipient rsvp %q, want %q", tc.email, answer, tc.want)
		}
	}
	counts, _ := campaigns.CountsOfEvent(ctx, s.db, e.ID)
	if counts != (campaigns.EventCounts{Yes: 1, No: 1, Tentative: 1}) {
		t.Errorf("event counts %+v", counts)
	}
	var replied int
	s.db.Get(&replied, `SELECT count(*) FROM recipients WHERE replied_at IS NOT NULL`)
	if replied != 0 {
		t.Errorf("a calendar answer counted as %d written replies", replied)
	}
	var via string
	s.db.Get(&via, `SELECT details->>'via' FROM activities WHERE kind = 'rsvp.tentative'`)
	if via != "calendar" {
		t.Errorf("timeline says via %q", via)
	}
	// A reply for an event we do not know is kept unmatched and changes nothing.
	res, err := campaigns.Ingest(ctx, s.db, signer, calendarReply("stranger@else.example", "replies@network.example.org", "event-999@else", "ACCEPTED"))
	if err != nil || res.Matched {
		t.Errorf("unknown event: %+v %v", res, err)
	}
}

package campaigns_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"outreach/campaigns"
	"outreach/campaigns/ical"
	"outreach/crm"
)

func (s *server) importCalendar(source, file string) (campaigns.ImportResult, int) {
	s.t.Helper()
	data := partnerFeed(s.t, file)
	req, _ := http.NewRequest("POST", s.url+"/api/v1/calendar/import?source="+url.QueryEscape(source), bytes.NewReader(data))
	req.Header.Set("Authorization", "Bearer "+s.key[crm.RoleCoordinator])
	req.Header.Set("Content-Type", "text/calendar")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	var res campaigns.ImportResult
	decodeBody(s.t.(*testing.T), resp, &res)
	return res, resp.StatusCode
}

// feedYear is the year the partner fixtures are moved to: next year, so
// they always fall within the span an import keeps.
var feedYear = time.Now().Year() + 1

// partnerFeed reads a fixture with its 2027 dates moved to feedYear.
func partnerFeed(t testing.TB, file string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/calendar/" + file)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.ReplaceAll(data, []byte(":2027"), []byte(":"+strconv.Itoa(feedYear)))
}

func partnerEvents(t *testing.T, s *server) map[string]campaigns.Event {
	t.Helper()
	var list struct{ Events []campaigns.Event }
	s.do(crm.RoleViewer, "GET", "/api/v1/events?source=partners", "", &list)
	out := map[string]campaigns.Event{}
	for _, e := range list.Events {
		out[*e.UID] = e
	}
	return out
}

func TestCalendarImportDeduplicatesAndFollowsTheFeed(t *testing.T) {
	s := newServer(t)
	res, code := s.importCalendar("Partner network", "partner.ics")
	if code != 200 || res != (campaigns.ImportResult{Source: "Partner network", Events: 3, Inserted: 3}) {
		t.Fatalf("first import: %d %+v", code, res)
	}
	got := partnerEvents(t, s)
	forum, webinar, open := got["forum-2027@partner.example"], got["mentoring-webinar@partner.example"], got["open-day@partner.example"]
	vienna, _ := time.LoadLocation("Europe/Vienna")
	if !forum.EndsAt.Equal(time.Date(feedYear, 5, 11, 17, 0, 0, 0, vienna)) || forum.Sequence != 1 || forum.Topic != "access_to_finance" {
		t.Errorf("forum (the later SEQUENCE must win): %+v", forum)
	}
	if forum.Source == nil || *forum.Source != "Partner network" || forum.Location != "Hofburg, Vienna" {
		t.Errorf("forum source/location: %v %q", forum.Source, forum.Location)
	}
	if !webinar.StartsAt.Equal(time.Date(feedYear, 6, 1, 12, 0, 0, 0, time.UTC)) || webinar.Kind != "webinar" || webinar.Topic != "coaching_mentoring" {
		t.Errorf("webinar with a Windows time zone: %s %s %s", webinar.StartsAt.UTC(), webinar.Kind, webinar.Topic)
	}
	if open.StartsAt.Format("01-02") != "09-15" {
		t.Errorf("all-day event: %s", open.StartsAt)
	}
	if res, _ := s.importCalendar("partner network", "partner.ics"); res.Unchanged != 3 || res.Inserted+res.Updated+res.Removed != 0 {
		t.Errorf("re-import changed something: %+v", res)
	}
	// An event imported long ago has left the imported span, not the feed.
	s.db.MustExec(`INSERT INTO events (source_id, uid, title, starts_at, ends_at)
		SELECT id, 'old@partner.example', 'Last year''s forum', now() - interval '1 year', now() - interval '1 year' + interval '2 hours'
		FROM calendar_sources`)
	res, _ = s.importCalendar("Partner network", "partner-v2.ics")
	if res.Updated != 1 || res.Removed != 1 || res.Unchanged != 1 {
		t.Errorf("import of the changed feed: %+v", res)
	}
	got = partnerEvents(t, s)
	if got["mentoring-webinar@partner.example"].Status != "cancelled" || got["open-day@partner.example"].StartsAt.Day() != 22 {
		t.Errorf("after the change: webinar %s, open day %s", got["mentoring-webinar@partner.example"].Status, got["open-day@partner.example"].StartsAt)
	}
	var old string
	s.db.Get(&old, `SELECT status FROM events WHERE uid = 'old@partner.example'`)
	if old != "confirmed" {
		t.Errorf("an event before the imported span was marked %s", old)
	}
}

func TestCalendarImportRefusesBrokenInput(t *testing.T) {
	s := newServer(t)
	s.importCalendar("Partner network", "partner.ics")
	req, _ := http.NewRequest("POST", s.url+"/api/v1/calendar/import?source=Partner%20network",
		strings.NewReader("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:no uid, no start\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	req.Header.Set("Authorization", "Bearer "+s.key[crm.RoleCoordinator])
	req.Header.Set("Content-Type", "text/calendar")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if resp.StatusCode != 400 || !strings.Contains(body, "calendar") {
		t.Errorf("broken calendar: %d %s", resp.StatusCode, body)
	}
	var live int
	s.db.Get(&live, `SELECT count(*) FROM events WHERE status = 'confirmed'`)
	if live != 3 {
		t.Errorf("a refused import changed the stored events: %d live, want 3", live)
	}
	if res, code := s.importCalendar("  ", "partner.ics"); code != 400 {
		t.Errorf("import without a source name: %d %+v", code, res)
	}
	var out struct{ Error string }
	if code := s.do(crm.RoleCoordinator, "POST", "/api/v1/calendar/import", `{"source":"X","url":"file:///etc/passwd"}`, &out); code != 400 {
		t.Errorf("file URL: %d %s", code, out.Error)
	}
	if code := s.do(crm.RoleViewer, "POST", "/api/v1/calendar/import", `{"source":"X","url":"https://example.org/x.ics"}`, nil); code != 403 {
		t.Errorf("viewer import: %d", code)
	}
}

func TestCalendarImportFromURL(t *testing.T) {
	s := newServer(t)
	data := partnerFeed(t, "partner.ics")
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/calendar")
		w.Write(data)
	}))
	defer feed.Close()
	var res campaigns.ImportResult
	if code := s.do(crm.RoleCoordinator, "POST", "/api/v1/calendar/import", `{"source":"Partner network","url":"`+feed.URL+`/basic.ics"}`, &res); code != 200 || res.Inserted != 3 {
		t.Fatalf("import by URL: %d %+v", code, res)
	}
	var stored string
	s.db.Get(&stored, `SELECT url FROM calendar_sources`)
	if stored != feed.URL+"/basic.ics" {
		t.Errorf("source URL %q", stored)
	}
}

func TestPiggybackOnAPartnersEventAndConflicts(t *testing.T) {
	s := newServer(t)
	s.importCalendar("Partner network", "partner.ics")
	forum := partnerEvents(t, s)["forum-2027@partner.example"]
	y := strconv.Itoa(feedYear)
	ours := s.createEvent(`{"title":"Our finance CoP","kind":"cop_session","topic":"access_to_finance","city":"Vienna",
		"starts_at":"` + y + `-05-11T14:00","ends_at":"` + y + `-05-11T15:30","time_zone":"Europe/Vienna"}`)
	if len(ours.Conflicts) != 1 || ours.Conflicts[0].Event.ID != forum.ID || ours.Conflicts[0].Reason != "same topic and city" {
		t.Errorf("conflicts with the partner's forum: %+v", ours.Conflicts)
	}
	side := s.createEvent(`{"title":"Fringe workshop","kind":"workshop","topic":"access_to_finance","city":"Vienna",
		"starts_at":"` + y + `-05-12T09:00","ends_at":"` + y + `-05-12T11:00","time_zone":"Europe/Vienna","host_event_id":` + itoa(forum.ID) + `}`)
	if side.HostEventID == nil || *side.HostEventID != forum.ID {
		t.Errorf("piggyback on the partner's forum: %+v", side.Event)
	}
	var out struct{ Error string }
	if code := s.do(crm.RoleCoordinator, "PATCH", "/api/v1/events/"+itoa(forum.ID), `{"title":"Mine now"}`, &out); code != 400 || !strings.Contains(out.Error, "re-import") {
		t.Errorf("changing a partner's event: %d %s", code, out.Error)
	}
}

func TestCalendarFeedIsPublicAndHoldsOurPublicEvents(t *testing.T) {
	s := newServer(t)
	s.importCalendar("Partner network", "partner.ics")
	summit := s.createEvent(conference)
	s.createEvent(`{"title":"Board meeting","public":false,"starts_at":"2027-04-01T10:00:00Z","ends_at":"2027-04-01T12:00:00Z"}`)
	cop := s.createEvent(`{"title":"Coaching CoP","kind":"cop_session","topic":"coaching_mentoring",
		"starts_at":"2027-06-01T10:00:00Z","ends_at":"2027-06-01T12:00:00Z"}`)
	s.do(crm.RoleCoordinator, "POST", "/api/v1/events/"+itoa(cop.ID)+"/cancel", "", nil)

	resp, err := http.Get(s.url + "/calendar.ics") // no credentials: calendar apps have none
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("feed: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for i, line := range strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n") {
		if strings.Contains(line, "\n") || len(line) > 75 {
			t.Errorf("line %d is not a folded CRLF line: %q", i+1, line)
		}
	}
	events, err := ical.Parse(strings.NewReader(body), time.Time{}, time.Time{}, time.UTC)
	if err != nil {
		t.Fatalf("feed does not parse: %v", err)
	}
	byTitle := map[string]ical.Event{}
	for _, e := range events {
		byTitle[e.Title] = e
	}
	if len(events) != 2 || byTitle["Coaching CoP"].Cancelled != true || byTitle[summit.Title].UID != *summit.UID {
		t.Errorf("feed holds %+v; want the summit and the cancelled CoP only", byTitle)
	}
	if !strings.Contains(body, "METHOD:PUBLISH") || !strings.Contains(body, "BEGIN:VTIMEZONE\r\nTZID:Europe/Brussels") {
		t.Errorf("feed lacks METHOD or the VTIMEZONE of its TZID:\n%s", body)
	}
	resp, _ = http.Get(s.url + "/calendar/coaching_mentoring.ics")
	if topic := readBody(t, resp); !strings.Contains(topic, "SUMMARY:Coaching CoP") || strings.Contains(topic, "Summit") {
		t.Errorf("topic feed:\n%s", topic)
	}
	if resp, _ := http.Get(s.url + "/calendar/coaching_mentoring"); resp.StatusCode != 404 {
		t.Errorf("feed without .ics: %d", resp.StatusCode)
	}
}

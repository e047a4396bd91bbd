package campaigns_test

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"strings"
	"testing"
	"time"

	"outreach/campaigns"
	"outreach/crm"
)

// dayCell returns the month grid's cell for a date ("2027-05-11").
func dayCell(page, date string) string {
	grid := pageElement(page, "calendar")
	at := strings.Index(grid, `datetime="`+date+`"`)
	if at < 0 {
		return ""
	}
	cell := grid[at:]
	if end := strings.Index(cell, `<div class="day`); end >= 0 {
		cell = cell[:end]
	}
	return cell
}

func TestEventsMonthViewShowsOursAndPartners(t *testing.T) {
	s := newServer(t)
	ui := newPagesUI(t, s.db)
	ctx := context.Background()
	summit := s.createEvent(conference) // 11–12 May 2027, Brussels
	// A partner's event in next month, inside the span an import keeps.
	month := time.Now().AddDate(0, 1, 0)
	day := time.Date(month.Year(), month.Month(), 15, 10, 0, 0, 0, time.UTC)
	feed := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:fair@partner.example\r\n" +
		"DTSTAMP:20260101T000000Z\r\nDTSTART:" + day.Format("20060102T150405Z") + "\r\nDTEND:" + day.Add(3*time.Hour).Format("20060102T150405Z") +
		"\r\nSUMMARY:Partner <b>fair</b>\r\nLOCATION:Vienna\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:openday@partner.example\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:" + day.AddDate(0, 0, 5).Format("20060102") +
		"\r\nDTEND;VALUE=DATE:" + day.AddDate(0, 0, 6).Format("20060102") + "\r\nSUMMARY:Open day\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	if _, err := campaigns.ImportCalendar(ctx, s.db, "Partner network", "", []byte(feed)); err != nil {
		t.Fatal(err)
	}
	var partnerID int64
	s.db.Get(&partnerID, `SELECT id FROM events WHERE uid = 'fair@partner.example'`)

	res := ui.get(crm.RoleViewer, "/events?month=2027-05")
	if res.status != 200 {
		t.Fatalf("month view: %d\n%s", res.status, res.body)
	}
	link := fmt.Sprintf(`<a class="ev" href="/events/%d"`, summit.ID)
	if cell := dayCell(res.body, "2027-05-11"); !strings.Contains(cell, link) || !strings.Contains(cell, "09:00 Migrant Entrepreneurship Summit") {
		t.Errorf("11 May does not show the summit:\n%s", cell)
	}
	if cell := dayCell(res.body, "2027-05-12"); !strings.Contains(cell, link) {
		t.Errorf("the summit's second day does not show it:\n%s", cell)
	}
	if cell := dayCell(res.body, "2027-05-13"); strings.Contains(cell, link) {
		t.Errorf("13 May shows the summit:\n%s", cell)
	}
	if !strings.Contains(res.body, `<div class="day other"`) || !strings.Contains(pageElement(res.body, "event-list"), "Migrant Entrepreneurship Summit") {
		t.Error("no days of adjacent months, or the plain list lacks the summit")
	}
	if !strings.Contains(res.body, `href="/calendar.ics"`) || !strings.Contains(res.body, `href="/events?month=2027-04"`) || !strings.Contains(res.body, `href="/events?month=2027-06"`) {
		t.Error("no feed link or month navigation")
	}

	partnerMonth := "/events?month=" + day.Format("2006-01")
	partnerLink := fmt.Sprintf(`<a class="ev partner" href="/events/%d"`, partnerID)
	res = ui.get(crm.RoleViewer, partnerMonth)
	cell := dayCell(res.body, day.Format("2006-01-02"))
	if !strings.Contains(cell, partnerLink) || !strings.Contains(cell, "Partner &lt;b&gt;fair&lt;/b&gt;") {
		t.Errorf("the partner's event is not on its day as a partner event:\n%s", cell)
	}
	// An all-day event sits on its own date only, with no time.
	if cell := dayCell(res.body, day.AddDate(0, 0, 5).Format("2006-01-02")); !strings.Contains(cell, `">Open day</a>`) {
		t.Errorf("the all-day event is not on its day:\n%s", cell)
	}
	if cell := dayCell(res.body, day.AddDate(0, 0, 6).Format("2006-01-02")); strings.Contains(cell, "Open day") {
		t.Errorf("the all-day event spills into the next day:\n%s", cell)
	}
	if res = ui.get(crm.RoleViewer, partnerMonth+"&source=ours"); strings.Contains(res.body, partnerLink) {
		t.Error("source=ours shows the partner's event")
	}
	if res = ui.get(crm.RoleViewer, "/events?month=2027-05&source=partners"); strings.Contains(res.body, link) {
		t.Error("source=partners shows our event")
	}
	res = ui.get(crm.RoleViewer, "/events?month=2027-05&source=mine")
	if res.status != 400 || !strings.Contains(pageElement(res.body, "events-source-error"), "use ours or partners") {
		t.Errorf("unknown source: %d", res.status)
	}
	res = ui.get(crm.RoleViewer, "/events?month=May")
	if res.status != 400 || !strings.Contains(html.UnescapeString(res.body), `"May" is not a month`) || pageElement(res.body, "calendar") == "" {
		t.Errorf("bad month: %d", res.status)
	}
}

func TestEventsNewEventForm(t *testing.T) {
	s := newServer(t)
	ui := newPagesUI(t, s.db)
	form := func() url.Values {
		return url.Values{"title": {"Finance clinic"}, "kind": {"workshop"}, "topic": {"Access to finance"},
			"starts_at": {"2027-06-03T14:00"}, "ends_at": {"2027-06-03T17:00"}, "time_zone": {"Europe/Brussels"},
			"city": {"Ghent"}, "country": {"BE"}, "capacity": {"25"}, "public": {"1"}}
	}
	count := func() (n int) { s.db.Get(&n, `SELECT count(*) FROM events`); return }

	bad := form()
	bad.Set("ends_at", "2027-06-03T12:00")
	res := ui.post(crm.RoleCoordinator, "/events", bad)
	if res.status != 400 || !strings.Contains(pageElement(res.body, "ev-ends-at-error"), "ends") || !strings.Contains(res.body, `value="Finance clinic"`) {
		t.Errorf("end before start: %d\n%s", res.status, pageElement(res.body, "new-event"))
	}
	bad = form()
	bad.Set("capacity", "lots")
	if res = ui.post(crm.RoleCoordinator, "/events", bad); res.status != 400 || !strings.Contains(html.UnescapeString(pageElement(res.body, "ev-capacity-error")), `"lots" is not a whole number`) {
		t.Errorf("bad capacity: %d", res.status)
	}
	if res = ui.post(crm.RoleViewer, "/events", form()); res.status != 403 {
		t.Errorf("viewer creates an event: %d", res.status)
	}
	if n := count(); n != 0 {
		t.Fatalf("%d events after refused forms", n)
	}
	res = ui.post(crm.RoleCoordinator, "/events", form())
	var e campaigns.Event
	s.db.Get(&e.ID, `SELECT id FROM events`)
	if res.status != 303 || res.location != fmt.Sprintf("/events/%d", e.ID) {
		t.Fatalf("create: %d %s", res.status, res.location)
	}
	e, _ = campaigns.EventByID(context.Background(), s.db, e.ID)
	brussels, _ := time.LoadLocation("Europe/Brussels")
	if !e.StartsAt.Equal(time.Date(2027, 6, 3, 14, 0, 0, 0, brussels)) || e.Capacity == nil || *e.Capacity != 25 || !e.Public || e.Topic != "access_to_finance" {
		t.Errorf("stored %+v", e)
	}
	// Viewers see no form.
	if res := ui.get(crm.RoleViewer, "/events"); strings.Contains(res.body, `id="new-event"`) {
		t.Error("a viewer is shown the new-event form")
	}
}

func TestEventPageAttendeesAndAttendance(t *testing.T) {
	s := newServer(t)
	ui := newPagesUI(t, s.db)
	ctx := context.Background()
	e := s.createEvent(`{"title":"Past CoP","kind":"cop_session","starts_at":"2026-01-01T10:00:00Z","ends_at":"2026-01-01T12:00:00Z","capacity":1}`)
	r := eventCampaign(t, s, e.ID, "g1@guests.example", "g2@guests.example", "g3@guests.example")
	for _, g := range []string{"g1@guests.example", "g2@guests.example", "g3@guests.example"} {
		campaigns.RecordRSVP(ctx, s.db, r[g], "yes", "link") // g2 and g3 on the waiting list
	}
	campaigns.RecordRSVP(ctx, s.db, r["g3@guests.example"], "no", "link")
	if _, err := crm.ImportCSV(ctx, s.db, strings.NewReader("email,first_name,organisation\nevil@walkin.example,<script>alert(1)</script>,Acme & Co\n"), crm.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := campaigns.MarkAttendance(ctx, s.db, e.ID, []campaigns.Mark{{Email: "evil@walkin.example", Attended: true}}); err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, g := range []string{"g1@guests.example", "g2@guests.example", "g3@guests.example", "evil@walkin.example"} {
		var id int64
		s.db.Get(&id, `SELECT id FROM contacts WHERE email = $1`, g)
		ids[g] = id
	}
	path := fmt.Sprintf("/events/%d", e.ID)

	res := ui.get(crm.RoleViewer, path)
	table := pageElement(res.body, "attendees")
	if res.status != 200 || !strings.Contains(table, "Person0") || !strings.Contains(table, "g2@guests.example") || !strings.Contains(table, "waiting") {
		t.Fatalf("event page: %d\n%s", res.status, table)
	}
	if strings.Contains(res.body, "<script>alert(1)") || !strings.Contains(table, "&lt;script&gt;alert(1)&lt;/script&gt;") || !strings.Contains(table, "Acme &amp; Co") {
		t.Errorf("the walk-in's name is not escaped, or the organisation is missing:\n%s", table)
	}
	if strings.Contains(table, `type="checkbox"`) || strings.Contains(res.body, `action="`+path+`/attendance.csv"`) {
		t.Error("a viewer is shown the attendance controls")
	}
	if !strings.Contains(pageElement(res.body, "event-details"), "Thu 1 Jan 2026, 10:00–12:00 (UTC)") {
		t.Errorf("event time not shown with its zone:\n%s", pageElement(res.body, "event-details"))
	}

	marks := func() map[string]string {
		list, _ := campaigns.Attendees(ctx, s.db, e.ID)
		out := map[string]string{}
		for _, a := range list {
			out[*a.Email] = "-"
			if a.Attended != nil {
				out[*a.Email] = fmt.Sprint(*a.Attended)
			}
		}
		return out
	}
	// The browser sends every listed contact and the ticked ones: g2 (on
	// the waiting list) came, g1 (confirmed) did not, the walk-in is unticked.
	form := url.Values{"attended": {fmt.Sprint(ids["g2@guests.example"])}}
	for _, id := range ids {
		form.Add("listed", fmt.Sprint(id))
	}
	before := marks()
	if res := ui.post(crm.RoleViewer, path+"/attendance", form); res.status != 403 {
		t.Errorf("viewer marks attendance: %d", res.status)
	}
	if got := marks(); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Errorf("a refused post changed attendance: %v → %v", before, got)
	}
	res = ui.post(crm.RoleCoordinator, path+"/attendance", form)
	if res.status != 303 || res.location != path {
		t.Fatalf("mark attendance: %d %s", res.status, res.location)
	}
	want := map[string]string{"g1@guests.example": "false", "g2@guests.example": "true", "g3@guests.example": "-", "evil@walkin.example": "false"}
	if got := marks(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after the form: %v, want %v", got, want)
	}
	res = ui.get(crm.RoleCoordinator, path)
	if table := pageElement(res.body, "attendees"); !strings.Contains(table, fmt.Sprintf(`value="%d" id="attended-%d" aria-label="Person1 attended" checked`, ids["g2@guests.example"], ids["g2@guests.example"])) {
		t.Errorf("g2's box is not ticked:\n%s", table)
	}

	// An uploaded list: rejected lines are listed with their line and reason.
	res = ui.upload(crm.RoleCoordinator, path+"/attendance.csv", "file", "list.csv",
		"email,attended\ng1@guests.example,yes\nnobody@guests.example,yes\ng3@guests.example,perhaps\n")
	rejected := html.UnescapeString(pageElement(res.body, "attendance-rejected"))
	if res.status != 200 || !strings.Contains(rejected, "no contact nobody@guests.example") || !strings.Contains(rejected, `"perhaps" is not yes or no`) ||
		!strings.Contains(rejected, `<td class="num">3</td>`) || !strings.Contains(rejected, `<td class="num">4</td>`) {
		t.Errorf("upload: %d\n%s", res.status, rejected)
	}
	if got := marks()["g1@guests.example"]; got != "true" {
		t.Errorf("g1 after the upload: %s", got)
	}
	res = ui.upload(crm.RoleCoordinator, path+"/attendance.csv", "file", "list.csv", "name\nSomeone\n")
	if res.status != 400 || !strings.Contains(html.UnescapeString(res.body), "no email column") {
		t.Errorf("a list without an email column: %d", res.status)
	}
	if res = ui.upload(crm.RoleViewer, path+"/attendance.csv", "file", "list.csv", "email\ng3@guests.example\n"); res.status != 403 || marks()["g3@guests.example"] != "-" {
		t.Errorf("viewer uploads a list: %d", res.status)
	}

	// Before the event, attendance is refused with the reason.
	future := s.createEvent(`{"title":"Next year","starts_at":"2099-03-01T10:00:00Z","ends_at":"2099-03-01T12:00:00Z"}`)
	res = ui.post(crm.RoleCoordinator, fmt.Sprintf("/events/%d/attendance", future.ID), url.Values{"attended": {fmt.Sprint(ids["g1@guests.example"])}, "listed": {fmt.Sprint(ids["g1@guests.example"])}})
	if res.status != 400 || !strings.Contains(html.UnescapeString(res.body), "has not begun yet") {
		t.Errorf("attendance before the event: %d", res.status)
	}
	for _, p := range []string{"/events/999999", "/events/abc"} {
		if res := ui.get(crm.RoleViewer, p); res.status != 404 {
			t.Errorf("%s: %d, want 404", p, res.status)
		}
	}
}

func TestEventPageShowsHostAndConflicts(t *testing.T) {
	s := newServer(t)
	ui := newPagesUI(t, s.db)
	summit := s.createEvent(conference)
	side := s.createEvent(`{"title":"Finance readiness workshop","kind":"workshop","topic":"access_to_finance",
		"starts_at":"2027-05-10T18:00","ends_at":"2027-05-10T20:30","time_zone":"Europe/Brussels","city":"Brussels","host_event_id":` + itoa(summit.ID) + `}`)
	webinar := s.createEvent(`{"title":"Finance webinar","kind":"webinar","topic":"access_to_finance","url":"https://meet.example.org/x",
		"starts_at":"2027-05-12T14:00:00+02:00","ends_at":"2027-05-12T15:00:00+02:00"}`)
	res := ui.get(crm.RoleViewer, "/events/"+itoa(side.ID))
	if !strings.Contains(pageElement(res.body, "event-details"), `<a href="/events/`+itoa(summit.ID)+`">Migrant Entrepreneurship Summit</a>`) {
		t.Errorf("piggyback event does not name its host:\n%s", pageElement(res.body, "event-details"))
	}
	res = ui.get(crm.RoleViewer, "/events/"+itoa(webinar.ID))
	if c := pageElement(res.body, "conflicts"); !strings.Contains(c, "Migrant Entrepreneurship Summit") || !strings.Contains(c, "same topic") {
		t.Errorf("conflicts:\n%s", c)
	}
	if !strings.Contains(res.body, "Wed 12 May 2027, 12:00–13:00 (UTC)") {
		t.Errorf("webinar time:\n%s", pageElement(res.body, "event-details"))
	}
}

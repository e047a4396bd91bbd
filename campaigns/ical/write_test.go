package ical

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	goical "github.com/emersion/go-ical"
)

// tricky text: every character TEXT escaping deals with, and non-ASCII.
const trickyLocation = "Zürich; Raum 3, \"Saal\"\nEG \\ Hof"

var stamp = time.Date(2025, 3, 2, 10, 0, 0, 0, time.UTC)

func sampleEvent(t testing.TB) Event {
	berlin := mustZone(t, "Europe/Berlin")
	return Event{
		UID:         "event-42@outreach.example.org",
		Sequence:    3,
		Title:       "Workshop: Offene Daten in der Verwaltung, Teil 2",
		Description: strings.Repeat("Grüße aus Zürich – wir freuen uns auf Sie! 🎉 ", 8) + "\nZweite Zeile; mit Semikolon, Komma und \\ Backslash.",
		Start:       time.Date(2025, 3, 12, 14, 0, 0, 0, berlin),
		End:         time.Date(2025, 3, 12, 17, 0, 0, 0, berlin),
		TimeZone:    "Europe/Berlin",
		Location:    trickyLocation,
		URL:         "https://outreach.example.org/events/42?utm_source=ics&x=1",
		Categories:  []string{"open_data", "Verwaltung, öffentlich"},
		Organizer:   Address{Name: "Outreach Team", Email: "events@outreach.example.org"},
		Modified:    time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC),
	}
}

var anna = Address{Name: `Müller, Anna "Ann" (Stadt Zürich)`, Email: "anna.mueller@example.com"}

func TestInvitationRequest(t *testing.T) {
	ev := sampleEvent(t)
	data, err := Invitation("REQUEST", ev, anna, stamp)
	if err != nil {
		t.Fatal(err)
	}
	checkWire(t, data)
	for _, want := range []string{"BEGIN:VCALENDAR", "METHOD:REQUEST", "PRODID:-//Outreach//Outreach//EN", "VERSION:2.0",
		"UID:event-42@outreach.example.org", "SEQUENCE:3", "DTSTAMP:20250302T100000Z", "STATUS:CONFIRMED",
		"DTSTART;TZID=Europe/Berlin:20250312T140000", "DTEND;TZID=Europe/Berlin:20250312T170000",
		"ORGANIZER;CN=Outreach Team:mailto:events@outreach.example.org", "LAST-MODIFIED:20250301T093000Z"} {
		if countLines(data, want) != 1 {
			t.Errorf("want exactly one line %q in\n%s", want, data)
		}
	}
	att := lineWith(t, data, "ATTENDEE")
	for _, want := range []string{`CN="Müller, Anna 'Ann' (Stadt Zürich)"`, "ROLE=REQ-PARTICIPANT", "PARTSTAT=NEEDS-ACTION", "RSVP=TRUE"} {
		if !strings.Contains(att, want) {
			t.Errorf("ATTENDEE line %q lacks %s", att, want)
		}
	}
	if !strings.HasSuffix(att, ":mailto:anna.mueller@example.com") {
		t.Errorf("ATTENDEE line %q does not end in the mailto: address", att)
	}
	if n := countLines(data, "BEGIN:VTIMEZONE"); n != 1 {
		t.Errorf("%d VTIMEZONEs, want 1", n)
	}
	checkTZIDs(t, data)
	// The long non-ASCII description must have been folded.
	if !bytes.Contains(data, []byte("\r\n ")) {
		t.Errorf("nothing folded in\n%s", data)
	}

	roundTripArran(t, data, ev)
	roundTripOwn(t, data, ev)
}

func TestInvitationCancel(t *testing.T) {
	ev := sampleEvent(t)
	ev.Sequence = 4
	ev.Cancelled = true
	data, err := Invitation("cancel", ev, anna, stamp)
	if err != nil {
		t.Fatal(err)
	}
	checkWire(t, data)
	for _, want := range []string{"METHOD:CANCEL", "STATUS:CANCELLED", "UID:event-42@outreach.example.org", "SEQUENCE:4"} {
		if countLines(data, want) != 1 {
			t.Errorf("want exactly one line %q in\n%s", want, data)
		}
	}
	if att := lineWith(t, data, "ATTENDEE"); strings.Contains(att, "RSVP") || !strings.Contains(att, "mailto:anna.mueller@example.com") {
		t.Errorf("CANCEL attendee %q: want the mailto: address and no RSVP", att)
	}
	// A cancellation also goes out for an event not (yet) marked cancelled.
	ev.Cancelled = false
	data, err = Invitation("CANCEL", ev, anna, stamp)
	if err != nil {
		t.Fatal(err)
	}
	if countLines(data, "STATUS:CANCELLED") != 1 || countLines(data, "STATUS:") != 1 {
		t.Errorf("want one STATUS, CANCELLED, in\n%s", data)
	}
	evs := roundTripOwn(t, data, ev)
	if !evs[0].Cancelled {
		t.Errorf("Parse of a CANCEL: event not cancelled")
	}
}

func TestInvitationUTC(t *testing.T) {
	ev := sampleEvent(t)
	ev.TimeZone = ""
	data, err := Invitation("REQUEST", ev, anna, stamp)
	if err != nil {
		t.Fatal(err)
	}
	checkWire(t, data)
	if countLines(data, "DTSTART:20250312T130000Z") != 1 || bytes.Contains(data, []byte("TZID")) || bytes.Contains(data, []byte("VTIMEZONE")) {
		t.Errorf("want a UTC DTSTART and no zone in\n%s", data)
	}
	roundTripArran(t, data, ev)
	got := roundTripOwn(t, data, ev)
	if got[0].TimeZone != "UTC" {
		t.Errorf("TimeZone = %q, want UTC", got[0].TimeZone)
	}
}

func TestInvitationErrors(t *testing.T) {
	good := sampleEvent(t)
	cases := map[string]struct {
		method   string
		edit     func(*Event)
		attendee Address
		stamp    time.Time
		want     string
	}{
		"method":          {method: "PUBLISH", want: "want REQUEST or CANCEL"},
		"no organizer":    {method: "REQUEST", edit: func(e *Event) { e.Organizer = Address{Name: "Team"} }, want: "needs an organizer"},
		"cancel no org":   {method: "CANCEL", edit: func(e *Event) { e.Organizer = Address{} }, want: "needs an organizer"},
		"request cancel":  {method: "REQUEST", edit: func(e *Event) { e.Cancelled = true }, want: "send a CANCEL"},
		"bad attendee":    {method: "REQUEST", attendee: Address{Email: "Anna <anna@example.com>"}, want: "attendee"},
		"no attendee":     {method: "REQUEST", attendee: Address{Name: "Anna"}, want: "attendee"},
		"bad organizer":   {method: "REQUEST", edit: func(e *Event) { e.Organizer.Email = "events at example" }, want: "organizer"},
		"no UID":          {method: "REQUEST", edit: func(e *Event) { e.UID = " " }, want: "no UID"},
		"no start":        {method: "REQUEST", edit: func(e *Event) { e.Start = time.Time{} }, want: "no start"},
		"end before":      {method: "REQUEST", edit: func(e *Event) { e.End = e.Start.Add(-time.Hour) }, want: "before it starts"},
		"unknown zone":    {method: "REQUEST", edit: func(e *Event) { e.TimeZone = "Mars/Olympus_Mons" }, want: "unknown time zone"},
		"Local":           {method: "REQUEST", edit: func(e *Event) { e.TimeZone = "Local" }, want: "not an IANA zone"},
		"zero stamp":      {method: "REQUEST", stamp: time.Time{}, want: "DTSTAMP"},
		"negative seq":    {method: "REQUEST", edit: func(e *Event) { e.Sequence = -1 }, want: "SEQUENCE"},
		"bad URL":         {method: "REQUEST", edit: func(e *Event) { e.URL = "http://[::1" }, want: "URL"},
		"windows name in": {method: "REQUEST", edit: func(e *Event) { e.TimeZone = "W. Europe Standard Time" }, want: "unknown time zone"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			ev := good
			if c.edit != nil {
				c.edit(&ev)
			}
			att := c.attendee
			if att == (Address{}) {
				att = anna
			}
			st := stamp
			if name == "zero stamp" {
				st = c.stamp
			}
			_, err := Invitation(c.method, ev, att, st)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "ical: ") {
				t.Errorf("err = %v, want an ical: error mentioning %q", err, c.want)
			}
		})
	}
}

func TestFeed(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	ny := mustZone(t, "America/New_York")
	events := []Event{
		{UID: "winter@outreach.example.org", Title: "Winter", Start: time.Date(2025, 1, 20, 9, 0, 0, 0, berlin),
			End: time.Date(2025, 1, 20, 12, 0, 0, 0, berlin), TimeZone: "Europe/Berlin", Location: trickyLocation,
			Categories: []string{"open_data"}},
		{UID: "summer@outreach.example.org", Sequence: 2, Title: "Sommer", Start: time.Date(2025, 7, 15, 9, 0, 0, 0, berlin),
			End: time.Date(2025, 7, 15, 12, 0, 0, 0, berlin), TimeZone: "Europe/Berlin",
			Organizer: Address{Name: "Outreach", Email: "events@outreach.example.org"}},
		{UID: "ny@outreach.example.org", Title: "New York", Start: time.Date(2025, 11, 3, 10, 0, 0, 0, ny),
			End: time.Date(2025, 11, 3, 11, 0, 0, 0, ny), TimeZone: "America/New_York"},
		{UID: "utc@outreach.example.org", Title: "Webinar", Start: time.Date(2025, 5, 5, 15, 0, 0, 0, time.UTC),
			End: time.Date(2025, 5, 5, 16, 0, 0, 0, time.UTC), TimeZone: "UTC", Cancelled: true},
	}
	data, err := Feed("Outreach – Veranstaltungen, öffentlich", events, stamp)
	if err != nil {
		t.Fatal(err)
	}
	checkWire(t, data)
	for _, want := range []string{"METHOD:PUBLISH", `X-WR-CALNAME:Outreach – Veranstaltungen\, öffentlich`,
		"DTSTART;TZID=Europe/Berlin:20250120T090000", "DTSTART;TZID=Europe/Berlin:20250715T090000",
		"DTSTART;TZID=America/New_York:20251103T100000", "DTSTART:20250505T150000Z", "STATUS:CANCELLED"} {
		if countLines(data, want) != 1 {
			t.Errorf("want exactly one line %q in\n%s", want, data)
		}
	}
	if bytes.Contains(data, []byte("ATTENDEE")) {
		t.Errorf("a feed has attendees:\n%s", data)
	}
	if n := countLines(data, "DTSTAMP:20250302T100000Z"); n != len(events) {
		t.Errorf("%d DTSTAMPs, want %d", n, len(events))
	}
	checkTZIDs(t, data)
	zones := vtimezones(t, data)
	if len(zones) != 2 {
		t.Fatalf("VTIMEZONEs for %v, want Europe/Berlin and America/New_York", slices.Collect(mapKeys(zones)))
	}
	// Berlin in January is +0100 and in July +0200, by the feed's own
	// VTIMEZONE.
	for wall, want := range map[string]int{"20250120T090000": 3600, "20250715T090000": 7200} {
		if got := zones["Europe/Berlin"].offsetAt(wall); got != want {
			t.Errorf("Europe/Berlin at %s: offset %d, want %d", wall, got, want)
		}
	}
	if got := zones["America/New_York"].offsetAt("20251103T100000"); got != -5*3600 {
		t.Errorf("America/New_York in November: offset %d, want -18000", got)
	}
	for _, ev := range events {
		roundTripArran(t, data, ev)
		roundTripOwn(t, data, ev)
	}
}

// An empty feed is still a calendar clients can subscribe to.
func TestFeedEmpty(t *testing.T) {
	data, err := Feed("Leer", nil, stamp)
	if err != nil {
		t.Fatal(err)
	}
	checkWire(t, data)
	if _, err := ics.ParseCalendar(bytes.NewReader(data)); err != nil {
		t.Errorf("golang-ical: %v\n%s", err, data)
	}
	evs, err := Parse(bytes.NewReader(data), time.Time{}, time.Time{}, nil)
	if err != nil || len(evs) != 0 {
		t.Errorf("Parse = %v, %v; want no events", evs, err)
	}
	if countLines(data, "METHOD:PUBLISH") != 1 || countLines(data, "X-WR-CALNAME:Leer") != 1 {
		t.Errorf("missing calendar properties:\n%s", data)
	}
}

func TestFeedError(t *testing.T) {
	_, err := Feed("x", []Event{sampleEvent(t), {UID: "no-start"}}, stamp)
	if err == nil || !strings.Contains(err.Error(), "feed event 1") || !strings.Contains(err.Error(), "no-start") {
		t.Errorf("err = %v, want one naming event 1", err)
	}
}

// Zones without DST get one STANDARD; a southern-hemisphere zone's
// VTIMEZONE starts with the change to daylight time before the span.
func TestVTimezoneObservances(t *testing.T) {
	cases := []struct {
		zone  string
		start time.Time
		want  []string // kind@DTSTART from>to
	}{
		{"Europe/Berlin", time.Date(2025, 1, 20, 10, 0, 0, 0, time.UTC), []string{
			"STANDARD@20241027T030000 +0200>+0100", "DAYLIGHT@20250330T020000 +0100>+0200", "STANDARD@20251026T030000 +0200>+0100"}},
		{"Asia/Tokyo", time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC), []string{"STANDARD@19700101T000000 +0900>+0900"}},
		{"Australia/Sydney", time.Date(2025, 2, 1, 10, 0, 0, 0, time.UTC), []string{
			"DAYLIGHT@20241006T020000 +1000>+1100", "STANDARD@20250406T030000 +1100>+1000", "DAYLIGHT@20251005T020000 +1000>+1100"}},
		{"Asia/Kolkata", time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC), []string{"STANDARD@19700101T000000 +0530>+0530"}},
	}
	for _, c := range cases {
		ev := Event{UID: "x@y", Start: c.start, End: c.start.Add(time.Hour), TimeZone: c.zone}
		data, err := Feed("", []Event{ev}, stamp)
		if err != nil {
			t.Fatal(err)
		}
		checkTZIDs(t, data)
		var got []string
		for _, o := range vtimezones(t, data)[c.zone].obs {
			got = append(got, o.kind+"@"+o.start+" "+formatOffset(o.from)+">"+formatOffset(o.to))
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: observances\n got %q\nwant %q", c.zone, got, c.want)
		}
	}
}

// A VTIMEZONE spans every year its zone is used in.
func TestVTimezoneSpansYears(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	evs := []Event{
		{UID: "a@x", Start: time.Date(2024, 12, 30, 10, 0, 0, 0, berlin), TimeZone: "Europe/Berlin"},
		{UID: "b@x", Start: time.Date(2026, 6, 30, 10, 0, 0, 0, berlin), TimeZone: "Europe/Berlin"},
	}
	data, err := Feed("", evs, stamp)
	if err != nil {
		t.Fatal(err)
	}
	obs := vtimezones(t, data)["Europe/Berlin"].obs
	// The last change before 2024, then two a year for 2024–2026.
	if len(obs) != 7 || obs[0].start != "20231029T030000" || obs[6].start != "20261025T030000" {
		t.Errorf("observances %+v", obs)
	}
}

// A wall time in the hour repeated when DST ends is ambiguous: such a
// time is written in UTC, so that it means the right instant.
func TestAmbiguousWallTime(t *testing.T) {
	local := 0
	for _, instant := range []time.Time{
		time.Date(2025, 10, 26, 0, 30, 0, 0, time.UTC), // 02:30 CEST
		time.Date(2025, 10, 26, 1, 30, 0, 0, time.UTC), // 02:30 CET
	} {
		ev := Event{UID: "amb@x", Start: instant, End: instant.Add(2 * time.Hour), TimeZone: "Europe/Berlin"}
		data, err := Feed("", []Event{ev}, stamp)
		if err != nil {
			t.Fatal(err)
		}
		checkTZIDs(t, data)
		if countLines(data, "DTSTART;TZID=Europe/Berlin:20251026T023000") == 1 {
			local++
		} else {
			ev.TimeZone = "UTC" // what Parse reports for a UTC DTSTART
		}
		roundTripOwn(t, data, ev)
		roundTripArran(t, data, ev)
	}
	if local > 1 {
		t.Errorf("both instants written as the same wall time")
	}
}

// roundTripArran reads data with golang-ical, an independent parser, and
// compares the event with want's UID.
func roundTripArran(t *testing.T, data []byte, want Event) {
	t.Helper()
	cal, err := ics.ParseCalendar(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("golang-ical: %v\n%s", err, data)
	}
	var got *ics.VEvent
	for _, e := range cal.Events() {
		if e.Id() == want.UID {
			got = e
		}
	}
	if got == nil {
		t.Fatalf("golang-ical: no event %q", want.UID)
	}
	prop := func(p ics.ComponentProperty) string {
		if v := got.GetProperty(p); v != nil {
			return v.Value
		}
		return ""
	}
	if s := prop(ics.ComponentPropertySequence); s != strconv.Itoa(want.Sequence) {
		t.Errorf("golang-ical: SEQUENCE %q, want %d", s, want.Sequence)
	}
	if s := prop(ics.ComponentPropertySummary); s != want.Title {
		t.Errorf("golang-ical: SUMMARY %q, want %q", s, want.Title)
	}
	if s := prop(ics.ComponentPropertyLocation); s != want.Location {
		t.Errorf("golang-ical: LOCATION %q, want %q", s, want.Location)
	}
	if s := prop(ics.ComponentPropertyDescription); s != want.Description {
		t.Errorf("golang-ical: DESCRIPTION %q, want %q", s, want.Description)
	}
	start, err := got.GetStartAt()
	if err != nil || !start.Equal(want.Start) {
		t.Errorf("golang-ical: start %v (%v), want %v", start, err, want.Start)
	}
	if !want.End.IsZero() {
		end, err := got.GetEndAt()
		if err != nil || !end.Equal(want.End) {
			t.Errorf("golang-ical: end %v (%v), want %v", end, err, want.End)
		}
	}
	methods := 0
	for _, p := range cal.CalendarProperties {
		if p.IANAToken == "METHOD" {
			methods++
		}
	}
	if methods != 1 {
		t.Errorf("golang-ical: %d METHOD properties, want 1", methods)
	}
}

// roundTripOwn reads data with Parse and compares the event with want's
// UID field by field.
func roundTripOwn(t *testing.T, data []byte, want Event) []Event {
	t.Helper()
	evs, err := Parse(bytes.NewReader(data), time.Time{}, time.Time{}, time.UTC)
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, data)
	}
	i := slices.IndexFunc(evs, func(e Event) bool { return e.UID == want.UID })
	if i < 0 {
		t.Fatalf("Parse: no event %q", want.UID)
	}
	got := evs[i]
	wantZone := want.TimeZone
	if wantZone == "" {
		wantZone = "UTC"
	}
	wantOrg := want.Organizer
	wantOrg.Email = strings.ToLower(wantOrg.Email)
	switch {
	case got.Sequence != want.Sequence:
		t.Errorf("Parse: SEQUENCE %d, want %d", got.Sequence, want.Sequence)
	case got.Title != want.Title || got.Description != want.Description || got.Location != want.Location:
		t.Errorf("Parse: text\n got %q / %q / %q\nwant %q / %q / %q", got.Title, got.Description, got.Location,
			want.Title, want.Description, want.Location)
	case !got.Start.Equal(want.Start) || (!want.End.IsZero() && !got.End.Equal(want.End)):
		t.Errorf("Parse: %v – %v, want %v – %v", got.Start, got.End, want.Start, want.End)
	case got.TimeZone != wantZone:
		t.Errorf("Parse: TimeZone %q, want %q", got.TimeZone, wantZone)
	case got.URL != want.URL:
		t.Errorf("Parse: URL %q, want %q", got.URL, want.URL)
	case !slices.Equal(got.Categories, want.Categories):
		t.Errorf("Parse: categories %q, want %q", got.Categories, want.Categories)
	case got.Organizer != wantOrg:
		t.Errorf("Parse: organizer %+v, want %+v", got.Organizer, wantOrg)
	case !got.Modified.Equal(want.Modified):
		t.Errorf("Parse: modified %v, want %v", got.Modified, want.Modified)
	case got.Cancelled != want.Cancelled && !bytes.Contains(data, []byte("METHOD:CANCEL")):
		t.Errorf("Parse: cancelled %v, want %v", got.Cancelled, want.Cancelled)
	}
	return evs
}

// vtz is a VTIMEZONE as written, for checking offsets independently of
// Go's tz database.
type vtz struct{ obs []obsv }

type obsv struct {
	kind, start string // start: local wall time, as written
	from, to    int
}

// offsetAt is the offset a reader applies to a wall time: that of the
// last observance begun by then.
func (z vtz) offsetAt(wall string) int {
	off := z.obs[0].from
	for _, o := range z.obs {
		if wall >= o.start {
			off = o.to
		}
	}
	return off
}

func vtimezones(t *testing.T, data []byte) map[string]vtz {
	t.Helper()
	cal, err := goical.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]vtz{}
	for _, c := range cal.Children {
		if c.Name != goical.CompTimezone {
			continue
		}
		var z vtz
		for _, o := range c.Children {
			from, err1 := parseOffset(o.Props.Get(goical.PropTimezoneOffsetFrom).Value)
			to, err2 := parseOffset(o.Props.Get(goical.PropTimezoneOffsetTo).Value)
			if err1 != nil || err2 != nil {
				t.Fatalf("bad offsets in %s: %v %v", o.Name, err1, err2)
			}
			z.obs = append(z.obs, obsv{kind: o.Name, start: o.Props.Get(goical.PropDateTimeStart).Value, from: from, to: to})
		}
		if len(z.obs) == 0 {
			t.Fatalf("VTIMEZONE %s without observances", c.Props.Get(goical.PropTimezoneID).Value)
		}
		out[c.Props.Get(goical.PropTimezoneID).Value] = z
	}
	return out
}

// checkTZIDs checks that every TZID used has its VTIMEZONE (RFC 5545
// 3.2.19), and that each time written with a TZID means, by that
// VTIMEZONE, the instant Go's tz database gives it.
func checkTZIDs(t *testing.T, data []byte) {
	t.Helper()
	zones := vtimezones(t, data)
	for _, line := range unfolded(data) {
		i := strings.Index(line, ";TZID=")
		if i < 0 {
			continue
		}
		rest := line[i+len(";TZID="):]
		tzid, wall, _ := strings.Cut(rest, ":")
		tzid, _, _ = strings.Cut(tzid, ";")
		z, ok := zones[tzid]
		if !ok {
			t.Errorf("TZID %q has no VTIMEZONE (%s)", tzid, line)
			continue
		}
		local, err := time.ParseInLocation(localLayout, wall, mustZone(t, tzid))
		if err != nil {
			t.Fatal(err)
		}
		_, goOffset := local.Zone()
		if got := z.offsetAt(wall); got != goOffset {
			t.Errorf("%s: VTIMEZONE gives offset %d, tz database %d", line, got, goOffset)
		}
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// BenchmarkInvitation is the per-recipient cost of an event invitation's
// calendar entry (the VTIMEZONE is built once per zone and span of years).
func BenchmarkInvitation(b *testing.B) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	ev := Event{UID: "event-1@network.example.org", Title: "Finance CoP", TimeZone: "Europe/Berlin",
		Start: time.Date(2027, 3, 15, 14, 0, 0, 0, loc), End: time.Date(2027, 3, 15, 16, 0, 0, 0, loc),
		Location: "Haus der Wirtschaft", Organizer: Address{"Team", "replies+abc@network.example.org"}}
	for b.Loop() {
		if _, err := Invitation("REQUEST", ev, Address{"Ana", "ana@example.org"}, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}

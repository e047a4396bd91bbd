package ical

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// The imported-feed fixture: duplicate UIDs, a Windows TZID, an unknown
// TZID with its own VTIMEZONE, an all-day event, a weekly series across
// the start of DST with an EXDATE and a moved occurrence, a floating
// time, an event before the window and a VTODO.
func TestParseFeedFixture(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	evs, err := Parse(bytes.NewReader(readFixture(t, "feed_import.ics")), utc("2025-03-01T00:00:00Z"), utc("2025-05-01T00:00:00Z"), berlin)
	if err != nil {
		t.Fatal(err)
	}
	const weekly = "cop-weekly@partner.example"
	const outlook = "040000008200E00074C5B7101A82E0080000000010F1B7A3D589DB01000000000000000010000000B2E5B1C3C4A1E84D9F0D1E6C2E2B1F3A"
	type row struct {
		uid, start, end, zone, recurrence string
	}
	want := []row{
		{weekly, "2025-03-03T17:00:00Z", "2025-03-03T18:30:00Z", "Europe/Berlin", "2025-03-03T17:00:00Z"},
		{"dup-7@partner.example", "2025-03-05T08:00:00Z", "2025-03-05T16:00:00Z", "Europe/Berlin", ""},
		{"dup-7@partner.example", "2025-03-05T09:00:00Z", "2025-03-05T16:00:00Z", "Europe/Berlin", ""},
		{weekly, "2025-03-10T17:00:00Z", "2025-03-10T18:30:00Z", "Europe/Berlin", "2025-03-10T17:00:00Z"},
		// 17 March is an EXDATE.
		{"floating-5@partner.example", "2025-03-20T08:30:00Z", "2025-03-20T10:00:00Z", "Europe/Berlin", ""},
		{"utc-6@partner.example", "2025-03-22T12:00:00Z", "2025-03-22T12:00:00Z", "UTC", ""},
		// 24 March moved to 25 March, 19:00.
		{weekly, "2025-03-25T18:00:00Z", "2025-03-25T19:30:00Z", "Europe/Berlin", "2025-03-24T17:00:00Z"},
		// Summer time from 30 March: still 18:00 in Berlin.
		{weekly, "2025-03-31T16:00:00Z", "2025-03-31T17:30:00Z", "Europe/Berlin", "2025-03-31T16:00:00Z"},
		{outlook, "2025-04-01T07:00:00Z", "2025-04-01T10:00:00Z", "Europe/Berlin", ""},
		{weekly, "2025-04-07T16:00:00Z", "2025-04-07T17:30:00Z", "Europe/Berlin", "2025-04-07T16:00:00Z"},
		// Unknown TZID: the VTIMEZONE's standard offset, -03:00.
		{"custom-zone-1@partner.example", "2025-04-10T18:00:00Z", "2025-04-10T19:30:00Z", "UTC", ""},
		// All-day, in the floating zone, two days.
		{"allday-3@partner.example", "2025-04-14T22:00:00Z", "2025-04-16T22:00:00Z", "Europe/Berlin", ""},
		{"cancelled-8@partner.example", "2025-04-20T10:00:00Z", "2025-04-20T11:00:00Z", "UTC", ""},
	}
	var got []row
	for _, e := range evs {
		r := row{e.UID, e.Start.UTC().Format(time.RFC3339), e.End.UTC().Format(time.RFC3339), e.TimeZone, ""}
		if !e.RecurrenceID.IsZero() {
			r.recurrence = e.RecurrenceID.UTC().Format(time.RFC3339)
		}
		got = append(got, r)
	}
	if !slices.Equal(got, want) {
		t.Errorf("events:\n%s", diffRows(got, want))
	}

	byUID := func(uid string) Event {
		i := slices.IndexFunc(evs, func(e Event) bool { return e.UID == uid })
		if i < 0 {
			t.Fatalf("no %s", uid)
		}
		return evs[i]
	}
	ol := byUID(outlook)
	if ol.Title != "Förderprogramme für Gründerinnen" || ol.Location != "IHK Köln, Saal 2" ||
		ol.Organizer != (Address{Name: "Sabine Yilmaz", Email: "s.yilmaz@partner.example"}) {
		t.Errorf("Outlook event: %+v", ol)
	}
	if w := byUID(weekly); !slices.Equal(w.Categories, []string{"Community of Practice", "Open Data"}) || w.URL != "https://partner.example/cop" {
		t.Errorf("weekly: categories %q, URL %q", w.Categories, w.URL)
	}
	moved := evs[6]
	if moved.Title != "Community of Practice: Offene Daten (verschoben)" || moved.Sequence != 1 {
		t.Errorf("moved occurrence: %+v", moved)
	}
	if c := byUID("cancelled-8@partner.example"); !c.Cancelled || c.Sequence != 3 {
		t.Errorf("cancelled: %+v", c)
	}
	if d := evs[2]; d.Sequence != 2 || !d.Modified.Equal(utc("2025-02-15T12:00:00Z")) || d.Location != "Haus der Wirtschaft, Stuttgart" {
		t.Errorf("second duplicate: %+v", d)
	}
	if s := byUID("allday-3@partner.example").Start; s.Location() != berlin || s.Hour() != 0 {
		t.Errorf("all-day start %v, want midnight in Berlin", s)
	}
	// Occurrences do not share their categories.
	evs[0].Categories[0] = "changed"
	if evs[3].Categories[0] != "Community of Practice" {
		t.Errorf("occurrences share the Categories slice")
	}
}

func diffRows[T any](got, want []T) string {
	var sb strings.Builder
	for i := 0; i < max(len(got), len(want)); i++ {
		var g, w any = "-", "-"
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		mark := "  "
		if fmt.Sprint(g) != fmt.Sprint(w) {
			mark = "≠ "
		}
		fmt.Fprintf(&sb, "%s got %v\n   want %v\n", mark, g, w)
	}
	return sb.String()
}

// calendar wraps VEVENT lines (LF-separated here, CRLF on the wire) in a
// VCALENDAR.
func calendar(body string) []byte {
	s := "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//Test//EN\n" + strings.TrimSpace(body) + "\nEND:VCALENDAR\n"
	return []byte(strings.ReplaceAll(s, "\n", "\r\n"))
}

func vevent(lines ...string) string {
	return "BEGIN:VEVENT\nDTSTAMP:20250101T000000Z\n" + strings.Join(lines, "\n") + "\nEND:VEVENT\n"
}

func parseAll(t *testing.T, data []byte) []Event {
	t.Helper()
	evs, err := Parse(bytes.NewReader(data), time.Time{}, time.Time{}, time.UTC)
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, data)
	}
	return evs
}

func starts(evs []Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Start.UTC().Format("2006-01-02T15:04"))
	}
	return out
}

func TestParseRecurrence(t *testing.T) {
	cases := []struct {
		name     string
		lines    []string
		from, to string
		want     []string
	}{
		{
			// go-ical reads EXDATE where it should read RDATE; RDATEs
			// must still count, and multi-valued EXDATEs must too.
			name: "rdate and multi-valued exdate",
			lines: []string{"UID:r1", "DTSTART:20250106T100000Z", "RRULE:FREQ=DAILY;COUNT=5",
				"EXDATE:20250107T100000Z,20250109T100000Z", "RDATE:20250120T100000Z,20250121T100000Z"},
			want: []string{"2025-01-06T10:00", "2025-01-08T10:00", "2025-01-10T10:00", "2025-01-20T10:00", "2025-01-21T10:00"},
		},
		{
			name:  "rdate only, with a period",
			lines: []string{"UID:r2", "DTSTART:20250106T100000Z", "RDATE;VALUE=PERIOD:20250110T120000Z/PT2H", "EXDATE:20250106T100000Z"},
			want:  []string{"2025-01-10T12:00"},
		},
		{
			name:  "all-day weekly with a DATE UNTIL (inclusive)",
			lines: []string{"UID:r3", "DTSTART;VALUE=DATE:20250106", "RRULE:FREQ=WEEKLY;UNTIL=20250120"},
			want:  []string{"2025-01-06T00:00", "2025-01-13T00:00", "2025-01-20T00:00"},
		},
		{
			name:  "timed series with a DATE UNTIL includes that day",
			lines: []string{"UID:r4", "DTSTART:20250106T180000Z", "RRULE:FREQ=DAILY;UNTIL=20250108"},
			want:  []string{"2025-01-06T18:00", "2025-01-07T18:00", "2025-01-08T18:00"},
		},
		{
			name:  "lower-case rule, trailing semicolon",
			lines: []string{"UID:r5", "DTSTART:20250106T100000Z", "RRULE:freq=monthly;count=3;"},
			want:  []string{"2025-01-06T10:00", "2025-02-06T10:00", "2025-03-06T10:00"},
		},
		{
			name:  "DTSTART off the rule still counts",
			lines: []string{"UID:r6", "DTSTART:20250107T100000Z", "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=2"},
			want:  []string{"2025-01-07T10:00", "2025-01-13T10:00", "2025-01-20T10:00"},
		},
		{
			name:  "a DATE EXDATE on a timed series removes that day's occurrence",
			lines: []string{"UID:r7", "DTSTART;TZID=Europe/Berlin:20250106T100000", "RRULE:FREQ=DAILY;COUNT=3", "EXDATE;VALUE=DATE:20250107"},
			want:  []string{"2025-01-06T09:00", "2025-01-08T09:00"},
		},
		{
			name:  "window: a series begun long ago",
			lines: []string{"UID:r8", "DTSTART:19900101T090000Z", "RRULE:FREQ=YEARLY"},
			from:  "2025-01-01T00:00:00Z", to: "2027-01-01T00:00:00Z",
			want: []string{"2025-01-01T09:00", "2026-01-01T09:00"},
		},
		{
			name:  "window: from is inclusive, to exclusive",
			lines: []string{"UID:r9", "DTSTART:20250101T090000Z", "RRULE:FREQ=DAILY"},
			from:  "2025-01-02T09:00:00Z", to: "2025-01-04T09:00:00Z",
			want: []string{"2025-01-02T09:00", "2025-01-03T09:00"},
		},
		{
			name:  "UNTIL before DTSTART: only DTSTART",
			lines: []string{"UID:r10", "DTSTART:20250106T100000Z", "RRULE:FREQ=DAILY;UNTIL=20240101T000000Z"},
			want:  []string{"2025-01-06T10:00"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var from, to time.Time
			if c.from != "" {
				from, to = utc(c.from), utc(c.to)
			}
			evs, err := Parse(bytes.NewReader(calendar(vevent(c.lines...))), from, to, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			if got := starts(evs); !slices.Equal(got, c.want) {
				t.Errorf("starts %q, want %q", got, c.want)
			}
			for _, e := range evs {
				if !e.RecurrenceID.Equal(e.Start) {
					t.Errorf("occurrence %v has RecurrenceID %v", e.Start, e.RecurrenceID)
				}
			}
		})
	}
}

// An endless series yields at most 500 occurrences.
func TestParseOccurrenceCap(t *testing.T) {
	data := calendar(vevent("UID:daily", "DTSTART:20200101T090000Z", "RRULE:FREQ=DAILY"))
	evs := parseAll(t, data)
	if len(evs) != maxOccurrences || evs[0].Start.Year() != 2020 {
		t.Errorf("%d occurrences from %v, want %d from 2020", len(evs), evs[0].Start, maxOccurrences)
	}
	evs, err := Parse(bytes.NewReader(data), utc("2020-01-01T00:00:00Z"), utc("2020-03-01T00:00:00Z"), nil)
	if err != nil || len(evs) != 60 {
		t.Errorf("%d occurrences in Jan–Feb 2020 (%v), want 60", len(evs), err)
	}
}

func TestParseTimes(t *testing.T) {
	cases := []struct {
		name, line, want, zone string
	}{
		{"IANA", "DTSTART;TZID=Europe/Berlin:20250715T100000", "2025-07-15T08:00:00Z", "Europe/Berlin"},
		{"quoted IANA", `DTSTART;TZID="America/New_York":20250115T100000`, "2025-01-15T15:00:00Z", "America/New_York"},
		{"Mozilla prefix", "DTSTART;TZID=/mozilla.org/20050126_1/Europe/Berlin:20250115T100000", "2025-01-15T09:00:00Z", "Europe/Berlin"},
		{"Windows name, any case", "DTSTART;TZID=romance standard time:20250715T100000", "2025-07-15T08:00:00Z", "Europe/Paris"},
		{"Windows UTC", "DTSTART;TZID=UTC:20250715T100000", "2025-07-15T10:00:00Z", "UTC"},
		{"Z wins over TZID", "DTSTART;TZID=Europe/Berlin:20250715T100000Z", "2025-07-15T10:00:00Z", "UTC"},
		{"floating", "DTSTART:20250715T100000", "2025-07-15T10:00:00Z", "UTC"},
		// RFC 5545 3.3.5: the first of two instants; a skipped time with
		// the offset before the change.
		{"repeated hour", "DTSTART;TZID=Europe/Berlin:20251026T023000", "2025-10-26T00:30:00Z", "Europe/Berlin"},
		{"skipped hour", "DTSTART;TZID=Europe/Berlin:20250330T023000", "2025-03-30T01:30:00Z", "Europe/Berlin"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			evs := parseAll(t, calendar(vevent("UID:t", c.line)))
			if len(evs) != 1 || !evs[0].Start.Equal(utc(c.want)) || evs[0].TimeZone != c.zone {
				t.Errorf("got %+v, want start %s in %s", evs, c.want, c.zone)
			}
		})
	}
}

func TestParseEnd(t *testing.T) {
	cases := []struct {
		name  string
		lines []string
		want  string
	}{
		{"duration", []string{"DTSTART:20250301T100000Z", "DURATION:PT1H30M"}, "2025-03-01T11:30:00Z"},
		// A nominal day across the start of DST is 23 hours.
		{"nominal day", []string{"DTSTART;TZID=Europe/Berlin:20250329T120000", "DURATION:P1D"}, "2025-03-30T10:00:00Z"},
		{"none", []string{"DTSTART:20250301T100000Z"}, "2025-03-01T10:00:00Z"},
		{"all-day, none", []string{"DTSTART;VALUE=DATE:20250301"}, "2025-03-02T00:00:00Z"},
		{"end before start", []string{"DTSTART:20250301T100000Z", "DTEND:20250301T090000Z"}, "2025-03-01T10:00:00Z"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			evs := parseAll(t, calendar(vevent(append([]string{"UID:e"}, c.lines...)...)))
			if !evs[0].End.Equal(utc(c.want)) {
				t.Errorf("end %v, want %s", evs[0].End, c.want)
			}
		})
	}
}

func TestParseText(t *testing.T) {
	data := calendar(vevent("UID:txt",
		"DTSTART:20250301T100000Z",
		"SUMMARY:Treffen, unescaped comma",
		`DESCRIPTION:Zeit\: 10 Uhr\nOrt\; Saal\, EG \\ Hof`,
		`LOCATION:C:\Temp`,
		"CATEGORIES:Open Data, Migration ,",
		"CATEGORIES:Webinar",
		"ORGANIZER;CN=Team:MAILTO:Events@Example.ORG",
		"STATUS:cancelled"))
	e := parseAll(t, data)[0]
	want := Event{Title: "Treffen, unescaped comma", Description: "Zeit: 10 Uhr\nOrt; Saal, EG \\ Hof", Location: `C:Temp`,
		Categories: []string{"Open Data", "Migration", "Webinar"}, Organizer: Address{"Team", "events@example.org"}, Cancelled: true}
	if e.Title != want.Title || e.Description != want.Description || e.Location != want.Location ||
		!slices.Equal(e.Categories, want.Categories) || e.Organizer != want.Organizer || !e.Cancelled {
		t.Errorf("got  %+v\nwant %+v", e, want)
	}
}

// Windows files: a byte-order mark and LF line endings.
func TestParseBOMAndLF(t *testing.T) {
	data := append([]byte{0xEF, 0xBB, 0xBF}, bytes.ReplaceAll(calendar(vevent("UID:bom", "DTSTART:20250301T100000Z")), []byte("\r\n"), []byte("\n"))...)
	if evs := parseAll(t, data); len(evs) != 1 || evs[0].UID != "bom" {
		t.Errorf("got %+v", evs)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name string
		data string
		want []string
	}{
		{"empty", "", []string{"line 1", "empty input"}},
		{"garbage", "\x00\x01 hello world", []string{"line 1", "missing colon"}},
		{"not a calendar", "BEGIN:VCARD\r\nFN:Anna\r\nEND:VCARD\r\n", []string{"line 1", "expected BEGIN:VCALENDAR"}},
		{"unterminated parameter", string(calendar(vevent("UID:x", "DTSTART;TZID=Europe/Berlin"))), []string{"line 7", "the line ends inside them"}},
		{"quote in parameter", string(calendar(vevent("UID:x", `ORGANIZER;CN="a"b:mailto:x@y`, "DTSTART:20250101T000000Z"))), []string{"line 7", "unexpected character 'b'"}},
		{"truncated", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n", []string{"line 4", "BEGIN:VEVENT (line 3) is never ended"}},
		{"mismatched END", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VTODO\r\nEND:VCALENDAR\r\n", []string{"line 4", "END:VTODO does not match BEGIN:VEVENT (line 2)"}},
		{"folded line counted", "BEGIN:VCALENDAR\r\nDESCRIPTION:a\r\n  b\r\n c\r\nbroken\r\nEND:VCALENDAR\r\n", []string{"line 5", "missing colon"}},
		{"no UID", string(calendar(vevent("DTSTART:20250101T000000Z", "SUMMARY:Kaffee"))), []string{"VEVENT #1", `SUMMARY "Kaffee"`, "no UID"}},
		{"no DTSTART", string(calendar(vevent("UID:a") + vevent("UID:b", "SUMMARY:Tee"))), []string{"VEVENT #1", `UID "a"`, "no DTSTART"}},
		{"bad DTSTART", string(calendar(vevent("UID:c", "SUMMARY:Tee", "DTSTART:2025-01-01"))), []string{`UID "c"`, `SUMMARY "Tee"`, "DTSTART"}},
		{"bad DTEND", string(calendar(vevent("UID:c", "DTSTART:20250101T000000Z", "DTEND:soon"))), []string{`UID "c"`, "DTEND"}},
		{"bad DURATION", string(calendar(vevent("UID:c", "DTSTART:20250101T000000Z", "DURATION:1h"))), []string{`UID "c"`, "DURATION"}},
		{"bad SEQUENCE", string(calendar(vevent("UID:c", "DTSTART:20250101T000000Z", "SEQUENCE:two"))), []string{`UID "c"`, "SEQUENCE"}},
		{"unknown TZID", string(calendar(vevent("UID:d", "DTSTART;TZID=Atlantis Standard Time:20250101T100000"))), []string{`UID "d"`, `unknown TZID "Atlantis Standard Time"`}},
		{"bad VTIMEZONE", string(calendar("BEGIN:VTIMEZONE\nTZID:Own\nBEGIN:STANDARD\nDTSTART:16010101T000000\nTZOFFSETTO:+1\nEND:STANDARD\nEND:VTIMEZONE\n" +
			vevent("UID:e", "DTSTART;TZID=Own:20250101T100000"))), []string{`UID "e"`, `VTIMEZONE "Own"`, "malformed UTC offset"}},
		{"hourly", string(calendar(vevent("UID:f", "DTSTART:20250101T100000Z", "RRULE:FREQ=HOURLY"))), []string{`UID "f"`, "FREQ=HOURLY"}},
		{"interval", string(calendar(vevent("UID:g", "DTSTART:20250101T100000Z", "RRULE:FREQ=DAILY;INTERVAL=0"))), []string{`UID "g"`, "INTERVAL"}},
		{"bad rule", string(calendar(vevent("UID:h", "DTSTART:20250101T100000Z", "RRULE:FREQ=DAILY;BYDAY=XX"))), []string{`UID "h"`, "RRULE"}},
		{"BYEASTER", string(calendar(vevent("UID:k", "DTSTART:20250101T100000Z", "RRULE:FREQ=DAILY;BYEASTER=400"))), []string{`UID "k"`, "BYEASTER is no RFC 5545 rule part"}},
		{"no FREQ", string(calendar(vevent("UID:i", "DTSTART:20250101T100000Z", "RRULE:COUNT=3"))), []string{`UID "i"`, "FREQ"}},
		{"bad EXDATE", string(calendar(vevent("UID:j", "DTSTART:20250101T100000Z", "RRULE:FREQ=DAILY", "EXDATE:tomorrow"))), []string{`UID "j"`, "EXDATE"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(c.data), time.Time{}, time.Time{}, time.UTC)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), "ical: parse: ") {
				t.Errorf("error %q lacks the ical: parse: prefix", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestParseWindowAndReader(t *testing.T) {
	now := utc("2025-01-01T00:00:00Z")
	if _, err := Parse(strings.NewReader(""), now, now, nil); err == nil || !strings.Contains(err.Error(), "empty window") {
		t.Errorf("err = %v, want an empty window", err)
	}
	boom := errors.New("boom")
	if _, err := Parse(iotest.ErrReader(boom), time.Time{}, time.Time{}, nil); !errors.Is(err, boom) {
		t.Errorf("err = %v, want the reader's", err)
	}
	// Only the first calendar is read; what follows it does not matter.
	data := append(calendar(vevent("UID:one", "DTSTART:20250101T000000Z")), "trailing garbage"...)
	if evs := parseAll(t, data); len(evs) != 1 {
		t.Errorf("got %d events", len(evs))
	}
}

package ical

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzParse checks that Parse and ParseReply never panic, whatever the
// bytes, and that what they return holds together: errors carry the
// package prefix, events have a UID and do not end before they start.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.ics"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	ev := sampleEvent(f)
	for _, method := range []string{"REQUEST", "CANCEL"} {
		data, err := Invitation(method, ev, anna, stamp)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	feed, err := Feed("Feed", []Event{ev}, stamp)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(feed)
	f.Add(calendar(vevent("UID:r", "DTSTART;TZID=Europe/Berlin:20250106T100000", "RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20250301",
		"EXDATE;TZID=Europe/Berlin:20250108T100000", "RDATE;VALUE=PERIOD:20250110T120000Z/PT2H")))
	f.Add([]byte("BEGIN:VCALENDAR\r\nX;A=\"b\r\n"))
	f.Add(calendar(vevent("UID:y", "DTSTART;VALUE=DATE:20250106", "RRULE:FREQ=MONTHLY;BYMONTH=1,2;BYMONTHDAY=-1;BYDAY=MO;BYSETPOS=1;COUNT=4;WKST=SU;BYYEARDAY=1;BYWEEKNO=2")))

	from, to := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	berlin := mustZone(f, "Europe/Berlin")
	f.Fuzz(func(t *testing.T, data []byte) {
		evs, err := Parse(bytes.NewReader(data), from, to, berlin)
		if err != nil && !strings.HasPrefix(err.Error(), "ical: parse: ") {
			t.Errorf("Parse error without prefix: %v", err)
		}
		for _, e := range evs {
			if e.UID == "" || e.End.Before(e.Start) || e.Start.Before(from) || !e.Start.Before(to) {
				t.Errorf("Parse returned %+v", e)
			}
		}
		if _, err := Parse(bytes.NewReader(data), time.Time{}, time.Time{}, nil); err != nil && !strings.HasPrefix(err.Error(), "ical: parse: ") {
			t.Errorf("Parse error without prefix: %v", err)
		}
		r, err := ParseReply(data)
		if err != nil && !strings.HasPrefix(err.Error(), "ical: reply: ") {
			t.Errorf("ParseReply error without prefix: %v", err)
		}
		if err == nil && (r.UID == "" || r.Attendee == "" || !isAnswer(r.PartStat)) {
			t.Errorf("ParseReply returned %+v", r)
		}
	})
}

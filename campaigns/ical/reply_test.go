package ical

import (
	"bytes"
	"strings"
	"testing"
)

func TestParseReplyFixtures(t *testing.T) {
	cases := []struct {
		file string
		want Reply
	}{
		// Windows TZID, "MAILTO:" in upper case, a quoted CN with a comma,
		// folded lines (one inside the address), CRLF.
		{"reply_outlook.ics", Reply{UID: "event-42@outreach.example.org", Sequence: 3, Attendee: "anna.mueller@example.com", PartStat: "ACCEPTED"}},
		{"reply_google.ics", Reply{UID: "event-42@outreach.example.org", Sequence: 3, Attendee: "bob.example@gmail.com", PartStat: "ACCEPTED"}},
		{"reply_apple_tentative.ics", Reply{UID: "event-42@outreach.example.org", Sequence: 4, Attendee: "carla.rossi@example.net", PartStat: "TENTATIVE"}},
		// LF line endings, as some gateways deliver it.
		{"reply_thunderbird_declined.ics", Reply{UID: "event-77@outreach.example.org", Sequence: 0, Attendee: "dieter.schulz@example.de", PartStat: "DECLINED"}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			got, err := ParseReply(readFixture(t, c.file))
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestParseReplyErrors(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"a REQUEST", readFixture(t, "reply_request.ics"), "METHOD is REQUEST, want REPLY"},
		{"no ATTENDEE", readFixture(t, "reply_no_attendee.ics"), "no ATTENDEE"},
		{"DELEGATED", readFixture(t, "reply_delegated.ics"), "PARTSTAT=DELEGATED is not an answer"},
		{"garbage", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "line 1"},
		{"empty", nil, "empty input"},
		{"no METHOD", calendar(vevent("UID:x", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@b")), "no METHOD"},
		{"no VEVENT", replyCal(""), "no VEVENT"},
		{"no UID", replyCal(vevent("ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@b")), "no UID"},
		{"NEEDS-ACTION", replyCal(vevent("UID:x", "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:a@b")), "PARTSTAT=NEEDS-ACTION is not an answer"},
		{"no PARTSTAT", replyCal(vevent("UID:x", "ATTENDEE:mailto:a@b")), "has no PARTSTAT"},
		{"no address", replyCal(vevent("UID:x", "ATTENDEE;PARTSTAT=ACCEPTED:urn:uuid:1234")), "no email address"},
		{"bad SEQUENCE", replyCal(vevent("UID:x", "SEQUENCE:-1", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@b")), "SEQUENCE"},
		{"truncated", readFixture(t, "reply_google.ics")[:300], "never ended"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseReply(c.data)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "ical: reply: ") {
				t.Errorf("err = %v, want an ical: reply: error saying %q", err, c.want)
			}
		})
	}
}

func replyCal(body string) []byte {
	return calendar("METHOD:REPLY\n" + body)
}

func TestParseReplyChoices(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want Reply
	}{
		{
			// Apple: the address in EMAIL=, the value a urn:uuid:.
			name: "EMAIL parameter",
			data: replyCal(vevent("UID:x", "ATTENDEE;EMAIL=Dana@Example.org;PARTSTAT=accepted:urn:uuid:00000000-1111"))},
		{
			name: "the occurrence's VEVENT comes first, the series' is read",
			data: replyCal(vevent("UID:x", "RECURRENCE-ID:20250110T100000Z", "SEQUENCE:5", "ATTENDEE;PARTSTAT=DECLINED:mailto:dana@example.org") +
				vevent("UID:x", "SEQUENCE:5", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:dana@example.org")),
		},
		{
			name: "several attendees: the one that answered",
			data: replyCal(vevent("UID:x", "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:other@example.org",
				"ATTENDEE;PARTSTAT=ACCEPTED:mailto:%64ana@example.org")),
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseReply(c.data)
			if err != nil {
				t.Fatal(err)
			}
			if got.UID != "x" || got.Attendee != "dana@example.org" || got.PartStat != "ACCEPTED" {
				t.Errorf("got %+v", got)
			}
		})
	}
}

// What Invitation writes, a client answers; the answer reads back.
func TestInvitationReplyLoop(t *testing.T) {
	ev := sampleEvent(t)
	inv, err := Invitation("REQUEST", ev, anna, stamp)
	if err != nil {
		t.Fatal(err)
	}
	reply := bytes.Replace(inv, []byte("METHOD:REQUEST"), []byte("METHOD:REPLY"), 1)
	reply = bytes.Replace(reply, []byte("PARTSTAT=NEEDS-ACTION"), []byte("PARTSTAT=TENTATIVE"), 1)
	got, err := ParseReply(reply)
	if err != nil {
		t.Fatal(err)
	}
	want := Reply{UID: ev.UID, Sequence: ev.Sequence, Attendee: anna.Email, PartStat: "TENTATIVE"}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if _, err := ParseReply(inv); err == nil {
		t.Errorf("ParseReply accepted a REQUEST")
	}
}

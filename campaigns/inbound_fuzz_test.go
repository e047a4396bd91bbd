package campaigns

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// inboundStatus is the form every Status takes: an enhanced code of a
// failure class (a bare SMTP code is turned into one).
var inboundStatus = regexp.MustCompile(`^[45]\.[0-9]{1,3}\.[0-9]{1,3}$`)

// FuzzInbound classifies any bytes as ParseInbound documents it: either an
// error that says why (too large, or not a mail message) and no result, or
// exactly one of the five kinds with only that kind's fields set and every
// field within its bounds. The same bytes always give the same result.
func FuzzInbound(f *testing.F) {
	for _, raw := range mailFixtures(f) {
		f.Add(raw)
		f.Add(crlf(raw))
	}
	for _, s := range []string{
		"",
		"From a@b Thu Jan  1 00:00:00 2025\nSubject: x\n\nbody",
		"not a header\n\nbody",
		"To: Unsubscribe+ABC@outreach.example.org\r\nFrom: x@example.org\r\n\r\nstop",
		"From: MAILER-DAEMON@example.org\r\nSubject: Undeliverable: hi\r\n\r\n550 5.1.1 <lea@example.net>: user unknown\r\n",
		"From: a@example.org\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\n" +
			"Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; x\r\n\r\nFinal-Recipient: rfc822; lea@example.net\r\nAction: delivered\r\nStatus: 2.0.0\r\n--b--\r\n",
		"From: a@example.org\r\nContent-Type: multipart/report; report-type=feedback-report; boundary=b\r\n\r\n--b\r\n" +
			"Content-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nOriginal-Rcpt-To: <Lea@Example.net>\r\n--b--\r\n",
		"From: a@example.org\r\nContent-Type: text/calendar; method=REPLY\r\n\r\nBEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n" +
			"UID:e1@outreach.example.org\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:lea@example.net\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		"Subject: =?utf-8?B?QXV0b21hdGljIHJlcGx5?=\r\nAuto-Submitted: auto-replied\r\nReferences: <a@x> <b@x>\r\nIn-Reply-To: <b@x>\r\n\r\nAway.",
		"From: a@example.org\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: multipart/mixed; boundary=y\r\n\r\n--y\r\n",
		"Subject: =?utf-8?B?w6k=?= =?iso-8859-1?q?=E9?=\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=E9=\r\n=ZZ",
	} {
		f.Add([]byte(s))
	}
	kinds := map[string]bool{InboundReply: true, InboundAutoReply: true, InboundBounce: true, InboundUnsubscribe: true, InboundComplaint: true}
	f.Fuzz(func(t *testing.T, raw []byte) {
		in, err := ParseInbound(raw)
		again, err2 := ParseInbound(raw)
		if !reflect.DeepEqual(in, again) || (err == nil) != (err2 == nil) {
			t.Fatalf("two parses of the same bytes differ:\n%+v, %v\n%+v, %v", in, err, again, err2)
		}
		if err != nil {
			if !errors.Is(err, ErrInboundMalformed) && !errors.Is(err, ErrInboundTooLarge) {
				t.Fatalf("error %v is neither ErrInboundMalformed nor ErrInboundTooLarge", err)
			}
			if !reflect.DeepEqual(in, Inbound{}) {
				t.Fatalf("an error and a result: %v, %+v", err, in)
			}
			return
		}
		if !kinds[in.Kind] {
			t.Fatalf("no error and Kind %q", in.Kind)
		}
		checkKindFields(t, in)
		checkBounds(t, in)
	})
}

// checkKindFields asserts that only the fields of the message's kind are
// set, as classify fills them.
func checkKindFields(t *testing.T, in Inbound) {
	t.Helper()
	bounce := in.Hard || in.Status != "" || in.Diagnostic != ""
	switch in.Kind {
	case InboundBounce:
		if in.Snippet != "" {
			t.Errorf("bounce with a snippet %q", in.Snippet)
		}
		if in.Status != "" && !inboundStatus.MatchString(in.Status) {
			t.Errorf("bounce status %q", in.Status)
		}
		if in.Hard && strings.HasPrefix(in.Status, "4.") {
			t.Errorf("hard bounce with a temporary status %q", in.Status)
		}
	case InboundComplaint:
		if bounce {
			t.Errorf("complaint with bounce details %+v", in)
		}
	default:
		if bounce || in.FailedAddress != "" {
			t.Errorf("%s with bounce details %+v", in.Kind, in)
		}
	}
	if in.Kind == InboundUnsubscribe && in.UnsubscribeToken == "" {
		t.Errorf("unsubscribe without a token")
	}
	// Only a delivery report is checked before the unsubscribe address.
	if in.UnsubscribeToken != "" && in.Kind != InboundUnsubscribe && in.Kind != InboundBounce && in.Kind != InboundAutoReply {
		t.Errorf("%s although a recipient is an unsubscribe address", in.Kind)
	}
	if in.Calendar != nil && (in.Kind != InboundReply || in.Calendar.UID == "" || in.Calendar.Attendee == "") {
		t.Errorf("%s with calendar reply %+v", in.Kind, in.Calendar)
	}
}

// checkBounds asserts the documented limits and normal forms, which keep
// what is stored and matched small and comparable.
func checkBounds(t *testing.T, in Inbound) {
	t.Helper()
	if len(in.To) > maxRecipients || len(in.References) > maxInboundRefs {
		t.Errorf("%d recipients, %d references", len(in.To), len(in.References))
	}
	if utf8.RuneCountInString(in.Subject) > maxSubject || utf8.RuneCountInString(in.Snippet) > maxSnippet ||
		utf8.RuneCountInString(in.Diagnostic) > maxDiagnostic {
		t.Errorf("subject, snippet or diagnostic too long: %d, %d, %d bytes", len(in.Subject), len(in.Snippet), len(in.Diagnostic))
	}
	if in.Subject != strings.Join(strings.Fields(in.Subject), " ") {
		t.Errorf("subject %q is not one line of single spaces", in.Subject)
	}
	seen := map[string]bool{}
	for _, id := range in.References {
		if id == "" || seen[id] || strings.Contains(id, ">") {
			t.Errorf("reference %q empty, repeated or bracketed in %q", id, in.References)
		}
		seen[id] = true
	}
	if strings.Contains(in.MessageID, ">") {
		t.Errorf("Message-ID %q keeps a bracket", in.MessageID)
	}
	for _, a := range append([]string{in.From, in.FailedAddress, in.UnsubscribeToken}, in.To...) {
		if a != strings.ToLower(a) {
			t.Errorf("address or token %q is not lower-case", a)
		}
	}
	if len(in.PlusTokens) > len(in.To) {
		t.Errorf("%d plus tokens for %d recipients", len(in.PlusTokens), len(in.To))
	}
}

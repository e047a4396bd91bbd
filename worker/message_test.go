package worker

import (
	"bytes"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const testICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Outreach//EN\r\nMETHOD:REQUEST\r\n" +
	"BEGIN:VEVENT\r\nUID:event-7@outreach.example.org\r\nSEQUENCE:0\r\nDTSTAMP:20250101T090000Z\r\n" +
	"DTSTART:20250310T090000Z\r\nDTEND:20250310T100000Z\r\nSUMMARY:Finance circle\r\n" +
	"ORGANIZER;CN=Ana:mailto:ana@outreach.example.org\r\n" +
	"ATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION:mailto:lea@example.net\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

func baseMessage() Message {
	return Message{
		From: "ana@outreach.example.org", FromName: "Ana Example",
		To: "lea@example.net", ToName: "Lea Lead",
		Subject: "Invitation", Text: "Hello", HTML: "<p>Hello</p>",
		MessageID: "r1.abc@outreach.example.org",
	}
}

func parse(t *testing.T, m Message) *netmail.Message {
	t.Helper()
	raw, err := m.Bytes()
	if err != nil {
		t.Fatalf("Bytes: %v", err)
	}
	if bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n"), nil), []byte("\n")) {
		t.Error("message has a bare LF")
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("ReadMessage: %v", err)
	}
	return msg
}

func TestMessageHeaders(t *testing.T) {
	m := baseMessage()
	m.FromName = "Ana Müller \"Finanz\""
	m.Subject = "Einladung: Größer denken – Finanzierung"
	m.ReplyTo = "reply+r1@outreach.example.org"
	m.InReplyTo = []string{"r0.step1@outreach.example.org", "r0.step2@outreach.example.org"}
	m.UnsubscribeURL = "https://outreach.example.org/u/tok"
	m.UnsubscribeMailto = "mailto:unsub+r1@outreach.example.org"
	m.Headers = map[string]string{"X-Outreach-Campaign": "42", "X-Outreach-Recipient": "r1"}
	h := parse(t, m).Header
	dec := new(mime.WordDecoder)
	want := map[string]string{
		"Message-Id":            "<r1.abc@outreach.example.org>",
		"In-Reply-To":           "<r0.step2@outreach.example.org>",
		"References":            "<r0.step1@outreach.example.org> <r0.step2@outreach.example.org>",
		"Reply-To":              "<reply+r1@outreach.example.org>",
		"List-Unsubscribe":      "<https://outreach.example.org/u/tok>, <mailto:unsub+r1@outreach.example.org>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"X-Outreach-Campaign":   "42",
		"X-Outreach-Recipient":  "r1",
		"Mime-Version":          "1.0",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if subj, err := dec.DecodeHeader(h.Get("Subject")); err != nil || subj != m.Subject {
		t.Errorf("Subject decodes to %q (%v), want %q", subj, err, m.Subject)
	}
	from, err := h.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != m.FromName || from[0].Address != m.From {
		t.Errorf("From = %v (%v), want %q <%s>", from, err, m.FromName, m.From)
	}
	if d, err := h.Date(); err != nil || time.Since(d) > time.Minute {
		t.Errorf("Date = %v (%v), want now", d, err)
	}
	for _, k := range []string{"User-Agent", "X-Mailer"} {
		if v := h.Get(k); v != "" {
			t.Errorf("%s = %q, want none", k, v)
		}
	}
}

func TestMessageUnsubscribeHTTP(t *testing.T) {
	m := baseMessage()
	m.UnsubscribeURL = "http://127.0.0.1:8080/u/tok"
	m.UnsubscribeMailto = "mailto:unsub@outreach.example.org"
	h := parse(t, m).Header
	if got, want := h.Get("List-Unsubscribe"), "<http://127.0.0.1:8080/u/tok>, <mailto:unsub@outreach.example.org>"; got != want {
		t.Errorf("List-Unsubscribe = %q, want %q", got, want)
	}
	if got := h.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post = %q", got)
	}
}

func TestMessageUnsubscribeMailtoOnly(t *testing.T) {
	m := baseMessage()
	m.UnsubscribeMailto = "mailto:unsub@outreach.example.org"
	h := parse(t, m).Header
	if got := h.Get("List-Unsubscribe"); got != "<mailto:unsub@outreach.example.org>" {
		t.Errorf("List-Unsubscribe = %q", got)
	}
	if got := h.Get("List-Unsubscribe-Post"); got != "" {
		t.Errorf("List-Unsubscribe-Post = %q without an https URL, want none", got)
	}
}

type leaf struct {
	mediaType, method, disposition string
	body                           string
}

// leaves decodes every non-multipart part of msg in order.
func leaves(t *testing.T, msg *netmail.Message) []leaf {
	t.Helper()
	var out []leaf
	var walk func(h map[string][]string, body io.Reader)
	walk = func(h map[string][]string, body io.Reader) {
		get := func(k string) string {
			if v := h[k]; len(v) > 0 {
				return v[0]
			}
			return ""
		}
		mt, params, err := mime.ParseMediaType(get("Content-Type"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				walk(p.Header, p)
			}
		}
		switch get("Content-Transfer-Encoding") {
		case "quoted-printable":
			body = quotedprintable.NewReader(body)
		case "base64":
			body = base64.NewDecoder(base64.StdEncoding, body)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, leaf{mt, params["method"], get("Content-Disposition"), string(b)})
	}
	walk(msg.Header, msg.Body)
	return out
}

func TestMessageParts(t *testing.T) {
	long := strings.Repeat("Ä long line that quoted-printable has to wrap. ", 10)
	tests := []struct {
		name string
		m    func(Message) Message
		want []leaf
	}{
		{"text and html", func(m Message) Message { m.Text, m.HTML = long, "<p>"+long+"</p>"; return m },
			[]leaf{{mediaType: "text/plain", body: long}, {mediaType: "text/html", body: "<p>" + long + "</p>"}}},
		{"text only", func(m Message) Message { m.HTML = ""; return m },
			[]leaf{{mediaType: "text/plain", body: "Hello"}}},
		{"html only", func(m Message) Message { m.Text = ""; return m },
			[]leaf{{mediaType: "text/html", body: "<p>Hello</p>"}}},
		{"calendar", func(m Message) Message { m.Calendar = []byte(testICS); return m },
			[]leaf{
				{mediaType: "text/plain", body: "Hello"}, {mediaType: "text/html", body: "<p>Hello</p>"},
				{mediaType: "text/calendar", method: "REQUEST", body: testICS},
				{mediaType: "application/ics", disposition: `attachment; filename="invite.ics"`, body: testICS},
			}},
		{"calendar cancel", func(m Message) Message {
			m.Calendar = []byte(strings.Replace(testICS, "METHOD:REQUEST", "METHOD:CANCEL", 1))
			m.Text = ""
			return m
		}, []leaf{
			{mediaType: "text/html", body: "<p>Hello</p>"},
			{mediaType: "text/calendar", method: "CANCEL", body: strings.Replace(testICS, "METHOD:REQUEST", "METHOD:CANCEL", 1)},
			{mediaType: "application/ics", disposition: `attachment; filename="invite.ics"`, body: strings.Replace(testICS, "METHOD:REQUEST", "METHOD:CANCEL", 1)},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := leaves(t, parse(t, tt.m(baseMessage())))
			if len(got) != len(tt.want) {
				t.Fatalf("got %d parts %+v, want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				g, w := got[i], tt.want[i]
				g.body, w.body = strings.ReplaceAll(g.body, "\r\n", "\n"), strings.ReplaceAll(w.body, "\r\n", "\n")
				if g != w {
					t.Errorf("part %d = %+v\nwant %+v", i, g, w)
				}
			}
		})
	}
}

func TestMessageRefusesBadInput(t *testing.T) {
	inject := "x\r\nBcc: victim@example.com"
	tests := []struct {
		name, field string
		m           func(*Message)
	}{
		{"CRLF in From", "From", func(m *Message) { m.From = "ana@outreach.example.org" + inject }},
		{"CRLF in FromName", "FromName", func(m *Message) { m.FromName = inject }},
		{"LF in ToName", "ToName", func(m *Message) { m.ToName = "Lea\nBcc: x@y.z" }},
		{"CR in Subject", "Subject", func(m *Message) { m.Subject = "Hi\rthere" }},
		{"NUL in Subject", "Subject", func(m *Message) { m.Subject = "Hi\x00" }},
		{"C1 control in Subject", "Subject", func(m *Message) { m.Subject = "Hi\u0085there" }},
		{"CRLF in ReplyTo", "ReplyTo", func(m *Message) { m.ReplyTo = "r@outreach.example.org" + inject }},
		{"CRLF in To", "To", func(m *Message) { m.To = "lea@example.net" + inject }},
		{"CRLF in MessageID", "MessageID", func(m *Message) { m.MessageID = "a@b" + inject }},
		{"brackets in MessageID", "MessageID", func(m *Message) { m.MessageID = "<a@b>" }},
		{"no MessageID", "MessageID", func(m *Message) { m.MessageID = "" }},
		{"MessageID without @", "MessageID", func(m *Message) { m.MessageID = "abc" }},
		{"bad InReplyTo", "InReplyTo[1]", func(m *Message) { m.InReplyTo = []string{"a@b", "c d@e"} }},
		{"CRLF in header value", "X-Outreach-Campaign", func(m *Message) { m.Headers = map[string]string{"X-Outreach-Campaign": inject} }},
		{"non-X header", "Bcc", func(m *Message) { m.Headers = map[string]string{"Bcc": "victim@example.com"} }},
		{"header name with colon", "X-A:B", func(m *Message) { m.Headers = map[string]string{"X-A:B": "1"} }},
		{"display name in From", "From", func(m *Message) { m.From = "Ana <ana@outreach.example.org>" }},
		{"invalid To", "To", func(m *Message) { m.To = "lea.example.net" }},
		{"empty To", "To", func(m *Message) { m.To = "" }},
		{"invalid UTF-8 Subject", "Subject", func(m *Message) { m.Subject = "Hi \xff" }},
		{"ftp unsubscribe", "UnsubscribeURL", func(m *Message) { m.UnsubscribeURL = "ftp://x.example/u" }},
		{"unsubscribe with bracket", "UnsubscribeURL", func(m *Message) { m.UnsubscribeURL = "https://x.example/u>, <https://evil.test" }},
		{"unsubscribe CRLF", "UnsubscribeURL", func(m *Message) { m.UnsubscribeURL = "https://x.example/u" + inject }},
		{"mailto without scheme", "UnsubscribeMailto", func(m *Message) { m.UnsubscribeMailto = "unsub@x.example" }},
		{"no body", "neither Text nor HTML", func(m *Message) { m.Text, m.HTML = "", "" }},
		{"calendar without METHOD", "METHOD", func(m *Message) { m.Calendar = []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n") }},
		{"calendar not iCalendar", "Calendar", func(m *Message) { m.Calendar = []byte("hello") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := baseMessage()
			tt.m(&m)
			raw, err := m.Bytes()
			if err == nil {
				t.Fatalf("Bytes accepted it:\n%s", raw)
			}
			if !strings.Contains(err.Error(), tt.field) {
				t.Errorf("error %q does not name %q", err, tt.field)
			}
		})
	}
}

func benchMessage() Message {
	html := "<html><body>" + strings.Repeat("<p>Dear Lea, we would be glad to see you at the finance circle in Vienna. <a href=\"https://outreach.example.org/c/abcdef\">Details</a></p>\n", 40) + "</body></html>"
	return Message{
		From: "ana@outreach.example.org", FromName: "Ana Example",
		To: "lea@example.net", ToName: "Lea Lead", ReplyTo: "reply+r1@outreach.example.org",
		Subject:           "Invitation: finance circle, 10 March",
		HTML:              html[:5000],
		Text:              strings.Repeat("Dear Lea, we would be glad to see you at the finance circle.\n", 20),
		MessageID:         "r1.abcdefgh@outreach.example.org",
		InReplyTo:         []string{"r0.abcdefgh@outreach.example.org"},
		UnsubscribeURL:    "https://outreach.example.org/u/eyJyIjoxMjN9.c2lnbmF0dXJlLWhlcmU",
		UnsubscribeMailto: "mailto:unsub+r1@outreach.example.org",
		Headers:           map[string]string{"X-Outreach-Campaign": "42"},
	}
}

// BenchmarkMessageBytes renders a message with a 5 KB HTML part.
func BenchmarkMessageBytes(b *testing.B) {
	m := benchMessage()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Bytes(); err != nil {
			b.Fatal(err)
		}
	}
}

// updateMessageGolden rewrites the files under testdata/ that
// TestMessageGolden compares with; only do it for an intended change of
// the output, and review the diff.
var updateMessageGolden = flag.Bool("update-message-golden", false, "rewrite testdata/message-*.golden")

// goldenMessages are the messages whose rendering TestMessageGolden pins.
func goldenMessages() map[string]Message {
	full := baseMessage()
	full.FromName, full.ToName = "Ana Müller \"Finanz\"", "Léa Lead"
	full.Subject = "Einladung: Größer denken – Finanzierung für das Jahr 2025 und danach"
	full.ReplyTo = "reply+r1@outreach.example.org"
	full.InReplyTo = []string{"r0.step1@outreach.example.org", "r0.step2@outreach.example.org"}
	full.UnsubscribeURL = "https://outreach.example.org/u/tok"
	full.UnsubscribeMailto = "mailto:unsub+r1@outreach.example.org"
	full.Headers = map[string]string{"X-Outreach-Campaign": "42", "X-Outreach-Recipient": "r1 – Größe"}
	full.Text = "Hallo Léa,\n\nwir würden uns freuen, Sie zu sehen. \t\nA=B\r\n" + strings.Repeat("Ä long line that quoted-printable has to wrap. ", 4)
	full.HTML = "<p style=\"margin:0\">Hallo Léa,</p>\n" + strings.Repeat("<a href=\"https://outreach.example.org/c/abc?x=1&y=2\">Details</a> ", 5) + "\n"
	full.Calendar = []byte(testICS)

	devText := baseMessage()
	devText.HTML = ""
	devText.UnsubscribeURL = "http://127.0.0.1:8080/u/tok"
	devText.UnsubscribeMailto = "mailto:unsub@outreach.example.org"

	return map[string]Message{"full": full, "dev-text": devText, "bench": benchMessage()}
}

var (
	goldenDate     = regexp.MustCompile(`(?m)^Date: [^\r]*\r$`)
	goldenBoundary = regexp.MustCompile(`boundary=([0-9A-Za-z'()+_,./:=?-]+)`)
)

// normaliseMessage replaces what differs between two renderings of the
// same message: the Date header, the random multipart boundaries, and the
// order of the two List-Unsubscribe headers, which go-mail writes from a map.
func normaliseMessage(raw []byte) []byte {
	out := goldenDate.ReplaceAll(raw, []byte("Date: DATE\r"))
	for i, m := range goldenBoundary.FindAllSubmatch(raw, -1) {
		out = bytes.ReplaceAll(out, m[1], fmt.Appendf(nil, "BOUNDARY-%d", i+1))
	}
	post := []byte("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")
	if i := bytes.Index(out, post); i >= 0 {
		out = append(out[:i:i], out[i+len(post):]...)
		out = append(post, out...)
	}
	return out
}

// TestMessageGolden compares renderings with checked-in files, so that a
// change to Bytes (or a go-mail upgrade) cannot change the output
// unnoticed.
func TestMessageGolden(t *testing.T) {
	for name, m := range goldenMessages() {
		t.Run(name, func(t *testing.T) {
			raw, err := m.Bytes()
			if err != nil {
				t.Fatalf("Bytes: %v", err)
			}
			got := normaliseMessage(raw)
			file := filepath.Join("testdata", "message-"+name+".golden")
			if *updateMessageGolden {
				if err := os.WriteFile(file, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("rendering differs from %s:\ngot:\n%s\nwant:\n%s", file, got, want)
			}
		})
	}
}

// Display names come from contact data: whatever they hold, the From and
// To headers parse back to them. A backslash in a name that needs encoding
// used to produce an encoded word that readers cannot parse.
func TestMessageDisplayNamesRoundTrip(t *testing.T) {
	for _, name := range []string{"Ana Lima", `Jürgen \ Müller`, `Ѯ\`, `O'Brien, "Pat"`, `Zoë (Hub) <team>`, `back\slash only`} {
		m := baseMessage()
		m.FromName, m.ToName = name, name
		raw, err := m.Bytes()
		if err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		msg, err := netmail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		for _, field := range []string{"From", "To"} {
			if a, err := netmail.ParseAddress(msg.Header.Get(field)); err != nil || a.Name != name {
				t.Errorf("%s %q parses as %+v (%v), want the name %q", field, msg.Header.Get(field), a, err, name)
			}
		}
	}
}

package worker

import (
	"bufio"
	"bytes"
	"mime"
	netmail "net/mail"
	"net/textproto"
	"strings"
	"testing"
)

// fuzzMessage is a message with every header Outreach sets, its contact
// data replaced by the fuzzer's values.
func fuzzMessage(name, subject, addr, value string) Message {
	m := baseMessage()
	m.FromName, m.ToName, m.Subject, m.To = name, name, subject, addr
	m.ReplyTo = "reply+r1@outreach.example.org"
	m.InReplyTo = []string{"r0.step1@outreach.example.org"}
	m.UnsubscribeURL = "https://outreach.example.org/u/tok"
	m.UnsubscribeMailto = "mailto:unsubscribe+tok@outreach.example.org"
	m.Headers = map[string]string{"X-Outreach-Campaign": value}
	m.Calendar = []byte(testICS)
	return m
}

// headerFields reads the header section of a rendered message and returns
// the number of values per field name.
func headerFields(t testing.TB, raw []byte) map[string]int {
	t.Helper()
	h, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw))).ReadMIMEHeader()
	if err != nil {
		t.Fatalf("the header section does not parse: %v\n%s", err, raw)
	}
	n := map[string]int{}
	for k, v := range h {
		n[k] = len(v)
	}
	return n
}

// FuzzHeaders builds a message whose display names, subject, recipient
// address and an X- header come from contact data. Bytes either refuses it
// with an error naming the message (always when a value holds CR or LF) or
// renders a header section with exactly the fields a benign message has,
// whose subject and names decode back to the values given.
func FuzzHeaders(f *testing.F) {
	f.Add("Ana Example", "Invitation", "lea@example.net", "42")
	f.Add("Ana Müller \"Finanz\"", "Einladung: Größer denken – Finanzierung", "o'brien+events@mail.example.ie", "r1")
	f.Add("x\r\nBcc: victim@example.com", "Hi\rthere", "lea@example.net\r\nBcc: victim@example.com", "x\r\nBcc: victim@example.com")
	f.Add("Lea\nBcc: x@y.z", "Hi\x00", "Lea <lea@example.net>", "Hi\u0085there")
	f.Add("=?utf-8?q?Bcc:_x@y.z?=", "=?utf-8?B?QmNjOiB4QHkuegpYOiB5?=", "\"quoted name\"@example.org", strings.Repeat("long ", 40))
	f.Add(strings.Repeat("Müller-Lüdenscheidt ", 10), strings.Repeat("Ärger über Überlängen ", 12), "ANA@EXAMPLE.ORG", "")
	f.Add("\u2028\u2029", "\u00a0Subject\u3000", "a@b", "\ufeff")

	benign, err := fuzzMessage("Ana Example", "Invitation", "lea@example.net", "42").Bytes()
	if err != nil {
		f.Fatal(err)
	}
	want := headerFields(f, benign)
	dec := new(mime.WordDecoder)
	f.Fuzz(func(t *testing.T, name, subject, addr, value string) {
		raw, err := fuzzMessage(name, subject, addr, value).Bytes()
		if strings.ContainsAny(name+subject+addr+value, "\r\n") && err == nil {
			t.Fatalf("a value with CR or LF was accepted:\n%s", raw)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "worker: message ") {
				t.Fatalf("error %q does not say which message field is wrong", err)
			}
			return
		}
		header, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
		if bytes.Contains(bytes.ReplaceAll(header, []byte("\r\n"), nil), []byte("\n")) ||
			bytes.Contains(bytes.ReplaceAll(header, []byte("\r\n"), nil), []byte("\r")) {
			t.Fatalf("bare CR or LF in the header section:\n%q", header)
		}
		got := headerFields(t, raw)
		if len(got) != len(want) {
			t.Fatalf("header fields %v, want %v:\n%s", got, want, header)
		}
		for k, n := range want {
			if got[k] != n {
				t.Fatalf("header %s appears %d times, want %d:\n%s", k, got[k], n, header)
			}
		}
		msg, err := netmail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("ReadMessage: %v", err)
		}
		// Space around a header value is folding whitespace, not content,
		// and where go-mail folds a long value inside a run of spaces the
		// run comes back one space shorter: words are compared, not spaces.
		if s, err := dec.DecodeHeader(msg.Header.Get("Subject")); err != nil || !sameWords(s, subject) {
			t.Errorf("Subject decodes to %q (%v), want %q", s, err, subject)
		}
		if v, err := dec.DecodeHeader(msg.Header.Get("X-Outreach-Campaign")); err != nil || !sameWords(v, value) {
			t.Errorf("X-Outreach-Campaign decodes to %q (%v), want %q", v, err, value)
		}
		for _, field := range []string{"From", "To"} {
			a, err := netmail.ParseAddress(msg.Header.Get(field))
			if err != nil || a.Name != name {
				t.Errorf("%s %q parses as %+v (%v), want name %q", field, msg.Header.Get(field), a, err, name)
			}
		}
	})
}

// sameWords compares two header texts word by word.
func sameWords(a, b string) bool {
	return strings.Join(strings.Fields(a), " ") == strings.Join(strings.Fields(b), " ")
}

package templates

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func sampleData() Data {
	return Data{
		Contact: Contact{
			FirstName: "Anna", LastName: "Kowalska", Email: "anna@example.org",
			JobTitle: "Programme manager", Seniority: "middle", Organisation: "Gründerzentrum Nord",
			OrganisationType: "business_support", Country: "DE", Language: "de",
			Topics:     []string{"access_to_finance", "coaching_mentoring"},
			Attributes: map[string]string{"city": "Hamburg"},
		},
		Event: &Event{
			Title:    "Access to finance: community of practice",
			Start:    time.Date(2026, 3, 12, 14, 0, 0, 0, time.UTC),
			End:      time.Date(2026, 3, 12, 16, 30, 0, 0, time.UTC),
			TimeZone: "Europe/Berlin",
			Location: "Haus der Wirtschaft, Berlin",
			URL:      "https://example.org/events/42?lang=de&ref=mail",
		},
		Campaign:       Campaign{Name: "Spring sessions"},
		UnsubscribeURL: "https://outreach.example/u/t0k",
		RSVPYesURL:     "https://outreach.example/r/yes/t0k",
		RSVPNoURL:      "https://outreach.example/r/no/t0k",
	}
}

func mustCompile(t testing.TB, m Message) *Compiled {
	t.Helper()
	c, err := Compile(m)
	if err != nil {
		t.Fatalf("Compile() = %v", err)
	}
	return c
}

func TestRenderPersonalises(t *testing.T) {
	c := mustCompile(t, Message{
		Subject: "{{ .Contact.FirstName }}, join us: {{ .Event.Title }}",
		HTML:    `<p>Dear {{ .Contact.FirstName }} {{ .Contact.LastName }} ({{ .Contact.Organisation }}, {{ .Contact.Attributes.city }})</p><p>{{ .Contact.Topics | join ", " }}</p><a href="{{ .RSVPYesURL }}">Yes</a>`,
		Text:    "Dear {{ .Contact.FirstName }}, {{ .Campaign.Name }} ({{ .Contact.Seniority }}, {{ .Contact.Country }})",
	})
	got, err := c.Render(sampleData())
	if err != nil {
		t.Fatal(err)
	}
	want := Rendered{
		Subject: "Anna, join us: Access to finance: community of practice",
		HTML:    `<p>Dear Anna Kowalska (Gründerzentrum Nord, Hamburg)</p><p>access_to_finance, coaching_mentoring</p><a href="https://outreach.example/r/yes/t0k">Yes</a>`,
		Text:    "Dear Anna, Spring sessions (middle, DE)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Render() mismatch (-want +got):\n%s", diff)
	}
}

func TestRenderEscapesHTMLOnly(t *testing.T) {
	c := mustCompile(t, Message{
		Subject: "Hello {{ .Contact.FirstName }}",
		HTML:    `<p title="{{ .Contact.FirstName }}">Dear {{ .Contact.FirstName }}</p>`,
		Text:    "Dear {{ .Contact.FirstName }}",
	})
	d := sampleData()
	d.Contact.FirstName = "<script>alert(1)</script>"
	got, err := c.Render(d)
	if err != nil {
		t.Fatal(err)
	}
	want := Rendered{
		Subject: "Hello <script>alert(1)</script>",
		HTML:    `<p title="&lt;script&gt;alert(1)&lt;/script&gt;">Dear &lt;script&gt;alert(1)&lt;/script&gt;</p>`,
		Text:    "Dear <script>alert(1)</script>",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Render() mismatch (-want +got):\n%s", diff)
	}
}

func TestRenderDefault(t *testing.T) {
	c := mustCompile(t, Message{
		Subject: "Hi {{ .Contact.FirstName | default \"colleague\" }}",
		Text:    `{{ .Contact.FirstName | default "colleague" }}/{{ .Contact.Attributes.missing | default "somewhere" }}/{{ .Contact.Topics | default "no topics" }}`,
	})
	tests := []struct {
		first  string
		topics []string
		want   string
	}{
		{"Anna", []string{"x"}, "Anna/somewhere/[x]"},
		{"", nil, "colleague/somewhere/no topics"},
		{"  ", []string{}, "colleague/somewhere/no topics"},
	}
	for _, tt := range tests {
		d := sampleData()
		d.Contact.FirstName, d.Contact.Topics = tt.first, tt.topics
		got, err := c.Render(d)
		if err != nil {
			t.Fatal(err)
		}
		if got.Text != tt.want {
			t.Errorf("first name %q: Text = %q, want %q", tt.first, got.Text, tt.want)
		}
	}
}

func TestRenderRefusesSubjectInjection(t *testing.T) {
	c := mustCompile(t, Message{Subject: "Hello {{ .Contact.FirstName }}", Text: "x"})
	for _, name := range []string{"Anna\r\nBcc: everyone@example.org", "Anna\nX-Evil: 1", "Anna\r"} {
		d := sampleData()
		d.Contact.FirstName = name
		_, err := c.Render(d)
		var e *Error
		if !errors.As(err, &e) || e.Part != "subject" || !strings.Contains(e.Msg, "line break") {
			t.Errorf("Render(FirstName %q) error = %v, want a subject line-break error", name, err)
		}
	}
}

func TestRenderEmptySubject(t *testing.T) {
	c := mustCompile(t, Message{Subject: "{{ .Contact.FirstName }}", Text: "x"})
	d := sampleData()
	d.Contact.FirstName = " "
	_, err := c.Render(d)
	var e *Error
	if !errors.As(err, &e) || e.Part != "subject" {
		t.Errorf("Render() error = %v, want an empty-subject error", err)
	}
}

func TestRenderNilEvent(t *testing.T) {
	c := mustCompile(t, Message{Subject: "Hi", HTML: "<p>Join us</p>\n<p>at {{ .Event.Title }}</p>"})
	d := sampleData()
	d.Event = nil
	_, err := c.Render(d)
	want := &Error{Part: "html", Line: 2, Column: 10, Msg: "<.Event.Title>: the campaign has no event; put event fields inside {{ with .Event }}"}
	var got *Error
	if !errors.As(err, &got) {
		t.Fatalf("Render() error = %v, want %v", err, want)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Render() error mismatch (-want +got):\n%s", diff)
	}
}

func TestRenderFunctionErrorNamesPart(t *testing.T) {
	c := mustCompile(t, Message{Subject: "Hi", Text: "x\n{{ .Contact.FirstName | date \"long\" }}"})
	_, err := c.Render(sampleData())
	var got *Error
	if !errors.As(err, &got) || got.Part != "text" || got.Line != 2 || !strings.Contains(got.Msg, "want a time") {
		t.Errorf("Render() error = %v, want a text:2 error about the time", err)
	}
}

func TestRenderDerivesText(t *testing.T) {
	c := mustCompile(t, Message{Subject: "Hi", HTML: `<p>Dear {{ .Contact.FirstName }},</p><p><a href="{{ .RSVPYesURL }}">Yes</a></p>`})
	got, err := c.Render(sampleData())
	if err != nil {
		t.Fatal(err)
	}
	want := "Dear Anna,\n\nYes (https://outreach.example/r/yes/t0k)\n"
	if got.Text != want {
		t.Errorf("Text = %q, want %q", got.Text, want)
	}
}

func TestRenderEventTimeZoneAndLanguage(t *testing.T) {
	c := mustCompile(t, Message{Subject: "Hi", Text: "{{ with .Event }}{{ .Start }}|{{ .Start.Hour }}|{{ .End | date \"time\" }}{{ end }}"})
	got, err := c.Render(sampleData())
	if err != nil {
		t.Fatal(err)
	}
	if want := "Donnerstag, 12. März 2026, 15:00 Uhr|15|17:30"; got.Text != want {
		t.Errorf("Text = %q, want %q", got.Text, want)
	}
}

func TestRenderUnknownTimeZone(t *testing.T) {
	c := mustCompile(t, Message{Subject: "Hi", Text: "x"})
	d := sampleData()
	d.Event.TimeZone = "Mars/Olympus_Mons"
	if _, err := c.Render(d); err == nil || !strings.Contains(err.Error(), "Mars/Olympus_Mons") {
		t.Errorf("Render() error = %v, want one naming the time zone", err)
	}
}

func TestRenderConcurrently(t *testing.T) {
	c := mustCompile(t, DefaultInvitation())
	langs := []string{"en", "de", "fr", "pl"}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			d := sampleData()
			d.Contact.FirstName = langs[i%len(langs)]
			for range 50 {
				r, err := c.Render(d)
				if err != nil {
					t.Error(err)
					return
				}
				if !strings.Contains(r.HTML, "Dear "+d.Contact.FirstName+",") {
					t.Errorf("HTML for %s lacks its greeting", d.Contact.FirstName)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestPreview(t *testing.T) {
	got, err := Preview(Message{Subject: "Hi {{ .Contact.FirstName }}", Text: "x"}, sampleData())
	if err != nil || got.Subject != "Hi Anna" {
		t.Errorf("Preview() = %+v, %v; want subject %q", got, err, "Hi Anna")
	}
	_, err = Preview(Message{Subject: "Hi {{ .Contact.Nmae }}", Text: "x"}, sampleData())
	var e *Error
	if !errors.As(err, &e) || e.Part != "subject" || e.Column != 16 {
		t.Errorf("Preview() error = %v, want subject:1:16", err)
	}
}

// A template that loops over a large number compiles, but rendering stops
// at the size bound with an error naming the part, instead of eating the
// worker's memory.
func TestRenderRefusesRunawayOutput(t *testing.T) {
	c, err := Compile(Message{Subject: "Hi", HTML: "<p>{{ range 1000000000 }}x{{ end }}</p>"})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	_, err = c.Render(Data{})
	var te *Error
	if !errors.As(err, &te) || te.Part != "html" || !strings.Contains(te.Msg, "MiB") {
		t.Fatalf("render of a runaway loop: %v, want an html error about the size", err)
	}
}

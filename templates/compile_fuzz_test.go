package templates

import (
	"errors"
	"strings"
	"testing"
)

// scriptMarker stands for contact data that would run in a reader's mail
// client if it reached the HTML unescaped.
const scriptMarker = "<script>fuzz()</script>"

// hostileData is sampleData with every text a contact, an import or an
// event may supply replaced by s and the script marker.
func hostileData(s string) Data {
	d := sampleData()
	d.Contact = Contact{
		FirstName: scriptMarker + s, LastName: s + scriptMarker, Email: s, JobTitle: s,
		Seniority: s, Organisation: scriptMarker, OrganisationType: s, Country: s, Language: s,
		Topics:     []string{scriptMarker, s},
		Attributes: map[string]string{"city": scriptMarker + s, s: scriptMarker},
	}
	d.Event.Title = scriptMarker + s
	d.Event.Location = s
	d.Campaign.Name = s + scriptMarker
	return d
}

// FuzzCompile compiles any subject, HTML and text source. Compile either
// succeeds or returns an *Error naming the part and a line and column
// inside that part. A compiled message renders without panicking, for
// ordinary data, for data without an event and for hostile contact data:
// either it fails with an *Error naming the part, or the subject is one
// trimmed, non-empty line and the HTML holds no markup from the data.
func FuzzCompile(f *testing.F) {
	for _, m := range []Message{DefaultInvitation(), DefaultFollowUp(), DefaultEventUpdate(), DefaultEventCancel()} {
		f.Add(m.Subject, m.HTML, m.Text, "Anna")
	}
	for _, s := range [][4]string{
		{"Hi", "<p>\n  Dear {{ .Contact.Nmae }}</p>", "", ""},
		{"Hi {{ .Contcat.FirstName }}", "x", "", ""},
		{"Hi", "", "Dear\n{{ .Contact.FirstName | shout }}", ""},
		{"Hi", "<p>Dear\n  {{ .Contact.FirstName ", "", ""},
		{"Hi", "<p>x</p>\n<p>{{ .Contact.FirstName }} {{ .Contact.FirstName | 3 }}</p>", "", ""},
		{"Hi", "{{ if false }}\n{{ .Event.Titel }}\n{{ end }}", "", ""},
		{"Hi", "{{ with .Event }}{{ else with .Contact }}{{ .Nmae }}{{ end }}", "", ""},
		{"Hi", "{{ range .Contact.Topics }}{{ .Name }}{{ end }}", "", ""},
		{"Hi", "Grüße {{ .Contact.Nmae }}", "", ""},
		{"Hi", "x {{ default \"colleague }}\n{{ .Contact.FirstName }}", "", ""},
		{"Hi", `{{ define "greet" }}{{ .Nmae }}{{ end }}{{ template "greet" .Contact }}`, "", ""},
		{"Hi", `<a href="{{ .UnsubscribeURL }}>x</a>`, "", ""},
		{"Hi", "<p\n{{ if .Event }}title=\"{{ end }}\">", "", ""},
		{"Invitation\n{{ .Event.Title }}", "x", "", ""},
		{"Hi {{ .Contact.FirstName }}", "<p>{{ .Contact.FirstName }}</p>", "", "x\r\nBcc: victim@example.com"},
		{"{{ .Contact.LastName | upper }}", `<a href="{{ .Event.URL }}" title="{{ .Contact.FirstName }}">{{ .Event.Title }}</a>` +
			`<script>var n = "{{ .Contact.FirstName }}";</script><style>p { color: {{ .Contact.Country }} }</style>` +
			`<textarea>{{ .Contact.Attributes.city }}</textarea><!-- {{ .Contact.Email }} -->`, "{{ .Contact.FirstName }}", `"'</script>`},
		{"{{ with .Event }}{{ .Start | date \"long\" }}{{ end }}", "{{ range $i, $t := .Contact.Topics }}{{ $i }}={{ $t | title }}{{ end }}",
			"{{ .Contact.Topics | join \", \" }} {{ .Event.Start }}", "ANNA-LENA"},
		{"{{ printf \"%s\" .Contact.FirstName }}", "{{ .Contact.FirstName | printf \"%q\" }}{{ slice .Contact.FirstName 1 }}", "", "é"},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	f.Fuzz(func(t *testing.T, subject, html, text, value string) {
		m := Message{Subject: subject, HTML: html, Text: text}
		c, err := Compile(m)
		if err != nil {
			checkError(t, "Compile", err, m, true)
			return
		}
		if c == nil {
			t.Fatal("Compile returned neither a template nor an error")
		}
		noEvent := sampleData()
		noEvent.Event = nil
		for _, d := range []Data{sampleData(), noEvent, hostileData(value)} {
			r, err := c.Render(d)
			if err != nil {
				checkError(t, "Render", err, m, false)
				continue
			}
			if strings.ContainsAny(r.Subject, "\r\n") || r.Subject == "" || r.Subject != strings.TrimSpace(r.Subject) {
				t.Fatalf("rendered subject %q: want one trimmed, non-empty line", r.Subject)
			}
			if lower := strings.ToLower(r.HTML); strings.Contains(lower, "<script>fuzz()") && !strings.Contains(strings.ToLower(html), "<script>fuzz()") {
				t.Fatalf("contact data reached the HTML unescaped:\n%s", r.HTML)
			}
		}
	})
}

// checkError asserts that err is an *Error naming a part of m and, for
// Compile, a place inside that part.
func checkError(t *testing.T, op string, err error, m Message, placed bool) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: error %v (%T) is not an *Error", op, err, err)
	}
	src, ok := map[string]string{"subject": m.Subject, "html": m.HTML, "text": m.Text}[e.Part]
	if !ok || strings.TrimSpace(e.Msg) == "" {
		t.Fatalf("%s: error %+v does not name a part or say what is wrong", op, e)
	}
	if !placed {
		return
	}
	if e.Line < 1 || e.Column < 1 || e.Line > strings.Count(src, "\n")+1 {
		t.Fatalf("%s: error %q has no place inside the %s (%d lines)", op, e, e.Part, strings.Count(src, "\n")+1)
	}
}

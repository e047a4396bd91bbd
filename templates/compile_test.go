package templates

import (
	"errors"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name string
		msg  Message
		want Error
	}{
		{
			name: "unknown field",
			msg:  Message{Subject: "Hi", HTML: "<p>\n  Dear {{ .Contact.Nmae }}</p>"},
			want: Error{Part: "html", Line: 2, Column: 20, Msg: "unknown field Nmae in .Contact"},
		},
		{
			name: "unknown top-level field lists the fields",
			msg:  Message{Subject: "Hi {{ .Contcat.FirstName }}", HTML: "x"},
			want: Error{Part: "subject", Line: 1, Column: 8, Msg: "unknown field Contcat; the data has Contact, Event, Campaign, UnsubscribeURL, RSVPYesURL, RSVPNoURL"},
		},
		{
			name: "unknown function",
			msg:  Message{Subject: "Hi", Text: "Dear\n{{ .Contact.FirstName | shout }}"},
			want: Error{Part: "text", Line: 2, Column: 25, Msg: `unknown function "shout"`},
		},
		{
			name: "unclosed action",
			msg:  Message{Subject: "Hi", HTML: "<p>Dear\n  {{ .Contact.FirstName "},
			want: Error{Part: "html", Line: 2, Column: 3, Msg: "unclosed action"},
		},
		{
			name: "unclosed action followed by markup",
			msg:  Message{Subject: "Hi", HTML: "<p>\nHello {{ .Contact.FirstName </p>"},
			want: Error{Part: "html", Line: 2, Column: 7, Msg: `unclosed action: unexpected "<" in operand`},
		},
		{
			name: "bad pipeline",
			msg:  Message{Subject: "Hi", HTML: "<p>x</p>\n<p>{{ .Contact.FirstName }} {{ .Contact.FirstName | 3 }}</p>"},
			want: Error{Part: "html", Line: 2, Column: 29, Msg: "non executable command in pipeline stage 2"},
		},
		{
			name: "pipeline starting with a pipe",
			msg:  Message{Subject: "Hi", HTML: "{{ | upper }}"},
			want: Error{Part: "html", Line: 1, Column: 4, Msg: `unexpected "|" in command`},
		},
		{
			name: "unknown field in an if branch that would not run",
			msg:  Message{Subject: "Hi", HTML: "{{ if false }}\n{{ .Event.Titel }}\n{{ end }}"},
			want: Error{Part: "html", Line: 2, Column: 11, Msg: "unknown field Titel in .Event"},
		},
		{
			name: "unknown field inside with",
			msg:  Message{Subject: "Hi", HTML: "{{ with .Event }}{{ .Titel }}{{ end }}"},
			want: Error{Part: "html", Line: 1, Column: 22, Msg: "unknown field Titel in .Event"},
		},
		{
			name: "unknown field in an else with",
			msg:  Message{Subject: "Hi", HTML: "{{ with .Event }}{{ else with .Contact }}{{ .Nmae }}{{ end }}"},
			want: Error{Part: "html", Line: 1, Column: 46, Msg: "unknown field Nmae in .Contact"},
		},
		{
			name: "unknown field of a range element",
			msg:  Message{Subject: "Hi", HTML: "{{ range .Contact.Topics }}{{ .Name }}{{ end }}"},
			want: Error{Part: "html", Line: 1, Column: 32, Msg: "unknown field Name in an element of .Contact.Topics"},
		},
		{
			name: "unknown field through a variable",
			msg:  Message{Subject: "Hi", HTML: "{{ $c := .Contact }}{{ $c.Nmae }}"},
			want: Error{Part: "html", Line: 1, Column: 27, Msg: "unknown field Nmae in .Contact"},
		},
		{
			name: "columns count characters",
			msg:  Message{Subject: "Hi", HTML: "Grüße {{ .Contact.Nmae }}"},
			want: Error{Part: "html", Line: 1, Column: 19, Msg: "unknown field Nmae in .Contact"},
		},
		{
			name: "missing end",
			msg:  Message{Subject: "Hi", HTML: "a\n{{ with .Event }}{{ if .Title }}x{{ end }}"},
			want: Error{Part: "html", Line: 2, Column: 1, Msg: "{{with}} is never closed: add {{end}}"},
		},
		{
			name: "stray else",
			msg:  Message{Subject: "Hi", HTML: "{{ .Contact.FirstName }}{{ else }}"},
			want: Error{Part: "html", Line: 1, Column: 25, Msg: "unexpected {{else}}"},
		},
		{
			name: "unterminated string",
			msg:  Message{Subject: "Hi", HTML: "x {{ default \"colleague }}\n{{ .Contact.FirstName }}"},
			want: Error{Part: "html", Line: 1, Column: 14, Msg: "unterminated quoted string"},
		},
		{
			name: "wrong number of arguments",
			msg:  Message{Subject: "Hi", HTML: "{{ date .Event.Start }}"},
			want: Error{Part: "html", Line: 1, Column: 4, Msg: "date takes 2 arguments, got 1"},
		},
		{
			name: "field given arguments",
			msg:  Message{Subject: "Hi", HTML: "{{ .Contact.LastName | .Contact.FirstName }}"},
			want: Error{Part: "html", Line: 1, Column: 33, Msg: "FirstName is a field, not a method: it takes no arguments"},
		},
		{
			name: "unknown template",
			msg:  Message{Subject: "Hi", HTML: `{{ template "footer" . }}`},
			want: Error{Part: "html", Line: 1, Column: 13, Msg: `unknown template "footer"`},
		},
		{
			name: "defined template is checked with its data",
			msg:  Message{Subject: "Hi", HTML: `{{ define "greet" }}{{ .Nmae }}{{ end }}{{ template "greet" .Contact }}`},
			want: Error{Part: "html", Line: 1, Column: 25, Msg: "unknown field Nmae in .Contact"},
		},
		{
			name: "unfinished attribute",
			msg:  Message{Subject: "Hi", HTML: `<a href="{{ .UnsubscribeURL }}>x</a>`},
			want: Error{Part: "html", Line: 1, Column: 37, Msg: "the HTML ends inside a tag, attribute or comment: is a quote or > missing?"},
		},
		{
			name: "branches ending in different contexts",
			msg:  Message{Subject: "Hi", HTML: "<p\n{{ if .Event }}title=\"{{ end }}\">"},
			want: Error{Part: "html", Line: 2, Column: 1, Msg: "{{if}} branches end in different contexts"},
		},
		{
			name: "empty subject",
			msg:  Message{Subject: " \n", HTML: "x"},
			want: Error{Part: "subject", Line: 1, Column: 1, Msg: "the subject is empty"},
		},
		{
			name: "subject on two lines",
			msg:  Message{Subject: "Invitation\n{{ .Event.Title }}", HTML: "x"},
			want: Error{Part: "subject", Line: 1, Column: 11, Msg: "the subject must be a single line"},
		},
		{
			name: "no body",
			msg:  Message{Subject: "Hi"},
			want: Error{Part: "html", Line: 1, Column: 1, Msg: "the message has no body: html and text are both empty"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile(tt.msg)
			var got *Error
			if !errors.As(err, &got) {
				t.Fatalf("Compile() error = %v, want *Error %v", err, &tt.want)
			}
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("Compile() error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCompileAccepts(t *testing.T) {
	tests := []string{
		`{{ .Contact.Attributes.city | default "your city" | upper }}`,
		`{{ index .Contact.Attributes "favourite colour" }}`,
		`{{ .Contact.Topics | join ", " }} {{ len .Contact.Topics }}`,
		`{{ range $i, $t := .Contact.Topics }}{{ $i }}: {{ $t | title }}{{ end }}`,
		`{{ with .Event }}{{ .Title }} {{ .Start | date "long" }} {{ .End | dateIn "de" "15:04" }} {{ $.RSVPYesURL }}{{ end }}`,
		`{{ .Event.Start.Year }} {{ .Event.Start.Format "2006" }} {{ .Event.End.IsZero }}`,
		`{{ if and .Event (eq .Contact.Seniority "middle") }}{{ printf "%s!" .Event.Title }}{{ end }}`,
		`{{ $name := .Contact.FirstName }}{{ if $name }}{{ $name | lower }}{{ end }}`,
		`{{/* a comment with "}}" and it's quotes */}}{{ .Campaign.Name }}`,
		`{{ block "sig" .Campaign }}{{ .Name }}{{ end }}`,
		"{{- .Contact.FirstName -}}\n",
	}
	for _, src := range tests {
		if _, err := Compile(Message{Subject: "Hi", HTML: src, Text: src}); err != nil {
			t.Errorf("Compile(%q) = %v, want no error", src, err)
		}
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		err  Error
		want string
	}{
		{Error{Part: "html", Line: 3, Column: 14, Msg: "unknown field Nmae in .Contact"}, "html:3:14: unknown field Nmae in .Contact"},
		{Error{Part: "subject", Msg: "the rendered subject is empty"}, "subject: the rendered subject is empty"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

// The checker validates against Data, templates run on view: they must
// agree on every field name, or Compile would accept what Render rejects.
func TestViewMirrorsData(t *testing.T) {
	pairs := []struct{ data, view any }{{Data{}, view{}}, {Event{}, eventView{}}}
	for _, p := range pairs {
		if diff := cmp.Diff(exportedFields(reflect.TypeOf(p.data)), exportedFields(reflect.TypeOf(p.view))); diff != "" {
			t.Errorf("%T and %T differ (-data +view):\n%s", p.data, p.view, diff)
		}
	}
}

func exportedFields(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() {
			names = append(names, f.Name)
		}
	}
	return names
}

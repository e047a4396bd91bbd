package crm

import "testing"

func TestNormaliseEmail(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"Ana.Lima@Example.org", "ana.lima@example.org", true},
		{"o'brien+events@mail.example.ie", "o'brien+events@mail.example.ie", true},
		{"Ana Lima <ana@example.org>", "ana@example.org", true},
		{`"quoted name"@example.org`, `"quoted name"@example.org`, false}, // a space in the address
		{"jürgen@example.de", "jürgen@example.de", true},
		{"info@gründer-müller.de", "info@gründer-müller.de", true},
		{"ana@localhost", "", false},
		{"ana@example.", "", false},
		{"ana@-example.org", "", false},
		{".ana@example.org", "", false},
		{"ana..lima@example.org", "", false},
		{"ana@exa_mple.org", "", false},
		{"@example.org", "", false},
		{"ana", "", false},
		{"ana@example.org, bob@example.org", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := normaliseEmail(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("normaliseEmail(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

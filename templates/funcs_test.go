package templates

import (
	"testing"
	"time"
)

func TestDate(t *testing.T) {
	// 14:00 UTC is 15:00 in Berlin and Paris (CET) and 14:00 in London.
	start := time.Date(2026, 3, 12, 14, 0, 0, 0, time.UTC)
	tests := []struct {
		lang, zone, style, want string
	}{
		{"de", "Europe/Berlin", "long", "Donnerstag, 12. März 2026"},
		{"de", "Europe/Berlin", "short", "12.03.2026"},
		{"de", "Europe/Berlin", "time", "15:00"},
		{"de", "Europe/Berlin", "datetime", "Donnerstag, 12. März 2026, 15:00 Uhr"},
		{"de-AT", "Europe/Vienna", "long", "Donnerstag, 12. März 2026"},
		{"fr", "Europe/Paris", "long", "jeudi 12 mars 2026"},
		{"fr", "Europe/Paris", "datetime", "jeudi 12 mars 2026 à 15 h 00"},
		{"FR", "Europe/Paris", "short", "12/03/2026"},
		{"en", "Europe/London", "long", "Thursday, 12 March 2026"},
		{"en", "Europe/London", "short", "12 Mar 2026"},
		{"en", "Europe/London", "datetime", "Thursday, 12 March 2026 at 14:00"},
		{"es", "Europe/Madrid", "long", "jueves, 12 de marzo de 2026"},
		{"it", "Europe/Rome", "datetime", "giovedì 12 marzo 2026, ore 15:00"},
		{"nl", "Europe/Amsterdam", "datetime", "donderdag 12 maart 2026 om 15:00"},
		{"pt", "Europe/Lisbon", "long", "quinta-feira, 12 de março de 2026"},
		{"pl", "Europe/Warsaw", "long", "czwartek, 12 marca 2026"},
		{"xx", "America/New_York", "datetime", "Thursday, 12 March 2026 at 10:00"},
		{"", "", "time", "14:00"},
		{"de", "Europe/Berlin", "Mon 2 Jan, 15:04 MST", "Do. 12 März, 15:00 CET"},
		{"fr", "Europe/Paris", "Monday", "jeudi"},
		{"en", "Asia/Tokyo", "2006-01-02 15:04", "2026-03-12 23:00"},
	}
	for _, tt := range tests {
		c := mustCompile(t, Message{Subject: "x", Text: "{{ .Event.Start | date \"" + tt.style + "\" }}"})
		d := sampleData()
		d.Contact.Language, d.Event.TimeZone, d.Event.Start = tt.lang, tt.zone, start
		got, err := c.Render(d)
		if err != nil {
			t.Fatal(err)
		}
		if got.Text != tt.want {
			t.Errorf("date %q for %s in %s = %q, want %q", tt.style, tt.lang, tt.zone, got.Text, tt.want)
		}
	}
}

func TestDatePinnedLanguageAndZeroTime(t *testing.T) {
	c := mustCompile(t, Message{Subject: "x", Text: `{{ with .Event }}{{ .Start | dateIn "en" "long" }}|{{ .End | date "time" }}|{{ dateIn "fr" "long" .Start }}{{ end }}`})
	d := sampleData()
	d.Event.End = time.Time{}
	got, err := c.Render(d)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Thursday, 12 March 2026||jeudi 12 mars 2026"; got.Text != want {
		t.Errorf("Text = %q, want %q", got.Text, want)
	}
}

func TestParseLayoutKeepsLiteralWords(t *testing.T) {
	ts := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	// "Janet" and "Monet" are not month or day names, as in time.Format.
	if got, want := localeFor("de").format(ts, "Janet Monet Jan Mon"), "Janet Monet Jan. Mo."; got != want {
		t.Errorf("format = %q, want %q", got, want)
	}
}

func TestTitleUpperLower(t *testing.T) {
	tests := []struct{ fn, in, want string }{
		{"title", "anna-lena MÜLLER", "Anna-Lena Müller"},
		{"title", "o'brien", "O'brien"},
		{"title", "élodie de la tour", "Élodie De La Tour"},
		{"upper", "élodie", "ÉLODIE"},
		{"lower", "ÇAĞLA", "çağla"},
	}
	for _, tt := range tests {
		c := mustCompile(t, Message{Subject: "x", Text: "{{ .Contact.FirstName | " + tt.fn + " }}"})
		d := sampleData()
		d.Contact.FirstName = tt.in
		got, err := c.Render(d)
		if err != nil {
			t.Fatal(err)
		}
		if got.Text != tt.want {
			t.Errorf("%s(%q) = %q, want %q", tt.fn, tt.in, got.Text, tt.want)
		}
	}
}

func TestJoin(t *testing.T) {
	tests := []struct {
		list any
		want string
	}{
		{[]string{"a", "b"}, "a, b"},
		{[]int{1, 2}, "1, 2"},
		{nil, ""},
	}
	for _, tt := range tests {
		got, err := join(", ", tt.list)
		if err != nil || got != tt.want {
			t.Errorf("join(%v) = %q, %v; want %q", tt.list, got, err, tt.want)
		}
	}
	if _, err := join(", ", 3); err == nil {
		t.Error("join(3) succeeded, want an error")
	}
}

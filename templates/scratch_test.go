package templates

import "testing"

func BenchmarkParts(b *testing.B) {
	m := DefaultInvitation()
	c := mustCompile(b, m)
	v, _ := newView(sampleData())
	for _, p := range []*part{c.subject, c.html, c.text} {
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.render(v)
			}
		})
	}
	b.Run("view", func(b *testing.B) {
		b.ReportAllocs()
		d := sampleData()
		for b.Loop() {
			newView(d)
		}
	})
	plain := mustCompile(b, Message{Subject: "x", HTML: `{{ .Contact.FirstName }}{{ .Contact.FirstName }}{{ .Contact.FirstName }}{{ .Contact.FirstName }}{{ .Contact.FirstName }}{{ .Contact.FirstName }}{{ .Contact.FirstName }}{{ .Contact.FirstName }}{{ .Contact.FirstName }}{{ .Contact.FirstName }}`, Text: `{{ .Contact.FirstName }}{{ .Contact.FirstName }}{{ .Contact.FirstName }}{{ .Contact.FirstName }}{{ .Contact.FirstName }}{{ .Contact.FirstName }}{{ .Contact.FirstName }}{{ .Contact.FirstName }}{{ .Contact.FirstName }}{{ .Contact.FirstName }}`})
	for _, p := range []*part{plain.html, plain.text} {
		b.Run("10fields-"+p.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.render(v)
			}
		})
	}
	dates := mustCompile(b, Message{Subject: "x", Text: `{{ .Event.Start | date "long" }}{{ .Event.Start | date "long" }}{{ .Event.Start | date "long" }}{{ .Event.Start | date "long" }}{{ .Event.Start | date "long" }}{{ .Event.Start | date "long" }}{{ .Event.Start | date "long" }}{{ .Event.Start | date "long" }}{{ .Event.Start | date "long" }}{{ .Event.Start | date "long" }}`})
	b.Run("10dates-text", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			dates.text.render(v)
		}
	})
	urls := mustCompile(b, Message{Subject: "x", HTML: `<a href="{{ .RSVPYesURL }}"></a><a href="{{ .RSVPYesURL }}"></a><a href="{{ .RSVPYesURL }}"></a><a href="{{ .RSVPYesURL }}"></a><a href="{{ .RSVPYesURL }}"></a><a href="{{ .RSVPYesURL }}"></a><a href="{{ .RSVPYesURL }}"></a><a href="{{ .RSVPYesURL }}"></a><a href="{{ .RSVPYesURL }}"></a><a href="{{ .RSVPYesURL }}"></a>`})
	b.Run("10urls-html", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			urls.html.render(v)
		}
	})
}

package templates

import (
	"strings"
	"testing"
)

// typicalEmail is a rendered invitation of about 5 KB: the default one with
// an agenda added, seven links in all.
func typicalEmail() string {
	r, err := Preview(DefaultInvitation(), sampleData())
	if err != nil {
		panic(err)
	}
	agenda := `<p style="margin:0 0 16px 0;">On the agenda: <a href="https://example.org/agenda?day=1&amp;track=finance" style="color:#1d5fa8;">microfinance for newcomers</a>, ` +
		`<a href="https://example.org/agenda?day=1&amp;track=mentoring" style="color:#1d5fa8;">mentoring that lasts</a> and ` +
		`<a href="https://example.org/speakers" style="color:#1d5fa8;">our speakers</a>, followed by an informal lunch where you can meet the other participants.</p>` + "\n"
	const anchor = `<p style="margin:0 0 16px 0;">Is a colleague`
	if !strings.Contains(r.HTML, anchor) {
		panic("default invitation changed: no place for the agenda")
	}
	html := r.HTML
	for len(html) < 5000 {
		html = strings.Replace(html, anchor, agenda+anchor, 1)
	}
	return html
}

func BenchmarkRender(b *testing.B) {
	c := mustCompile(b, DefaultInvitation())
	d := sampleData()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Render(d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderDerivedText(b *testing.B) {
	m := DefaultInvitation()
	m.Text = ""
	c := mustCompile(b, m)
	d := sampleData()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Render(d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRewriteLinks(b *testing.B) {
	doc := typicalEmail()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		RewriteLinks(doc, track, "https://t.example/o/t0k")
	}
}

func BenchmarkTextFromHTML(b *testing.B) {
	doc := typicalEmail()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		TextFromHTML(doc)
	}
}

func BenchmarkCompile(b *testing.B) {
	m := DefaultInvitation()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(m); err != nil {
			b.Fatal(err)
		}
	}
}

package templates

import (
	"bytes"
	stdhtml "html"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"
)

// track rewrites every link except the unsubscribe one, as the click
// tracker does.
func track(url string) (string, bool) {
	if strings.Contains(url, "/u/") {
		return "", false
	}
	return "https://t.example/c?u=" + url, true
}

func TestRewriteLinks(t *testing.T) {
	tests := []struct {
		name, in, pixel, want string
	}{
		{
			name: "rewrites http and https, keeps other bytes",
			in:   "<P CLASS=x>Hi <A  Href = 'https://a.example/x' title=\"t\">a</A>\n<a href=http://b.example>b</a></P>",
			want: "<P CLASS=x>Hi <A  Href = 'https://t.example/c?u=https://a.example/x' title=\"t\">a</A>\n<a href=\"https://t.example/c?u=http://b.example\">b</a></P>",
		},
		{
			name: "unescapes and re-escapes ampersands",
			in:   `<a href="https://a.example/?x=1&amp;y=2">a</a>`,
			want: `<a href="https://t.example/c?u=https://a.example/?x=1&amp;y=2">a</a>`,
		},
		{
			name: "skips mailto, tel, anchors, relative and the unsubscribe link",
			in:   `<a href="mailto:x@example.org">m</a><a href="tel:+4930">t</a><a href="#top">#</a><a href="/rel">r</a><a href="https://o.example/u/tok">u</a><a name="x">n</a>`,
			want: `<a href="mailto:x@example.org">m</a><a href="tel:+4930">t</a><a href="#top">#</a><a href="/rel">r</a><a href="https://o.example/u/tok">u</a><a name="x">n</a>`,
		},
		{
			name: "area elements, not other tags",
			in:   `<map><area shape="rect" href="https://a.example/m"></map><link href="https://a.example/css"><abbr href="https://a.example/abbr">x</abbr>`,
			want: `<map><area shape="rect" href="https://t.example/c?u=https://a.example/m"></map><link href="https://a.example/css"><abbr href="https://a.example/abbr">x</abbr>`,
		},
		{
			name: "ignores links in comments, scripts and attribute values",
			in:   `<!-- <a href="https://c.example">c</a> --><script>"<a href='https://s.example'>"</script><img alt='<a href="https://i.example">'><textarea><a href="https://t2.example"></textarea>`,
			want: `<!-- <a href="https://c.example">c</a> --><script>"<a href='https://s.example'>"</script><img alt='<a href="https://i.example">'><textarea><a href="https://t2.example"></textarea>`,
		},
		{
			name: "first href wins",
			in:   `<a href="https://one.example" href="https://two.example">x</a>`,
			want: `<a href="https://t.example/c?u=https://one.example" href="https://two.example">x</a>`,
		},
		{
			name:  "pixel before body end",
			in:    "<html><body><p>x</p></BODY></html>",
			pixel: "https://t.example/o?a=1&b=2",
			want:  `<html><body><p>x</p><img src="https://t.example/o?a=1&amp;b=2" width="1" height="1" alt="" style="display:none"></BODY></html>`,
		},
		{
			name:  "pixel appended without body",
			in:    "<p>x</p>",
			pixel: "https://t.example/o",
			want:  `<p>x</p><img src="https://t.example/o" width="1" height="1" alt="" style="display:none">`,
		},
		{
			name: "unfinished tag at the end is kept",
			in:   `<p>x</p><a href="https://a.example"`,
			want: `<p>x</p><a href="https://a.example"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RewriteLinks(tt.in, track, tt.pixel); got != tt.want {
				t.Errorf("RewriteLinks() mismatch:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestRewriteLinksKeepsEverythingElse(t *testing.T) {
	keep := func(string) (string, bool) { return "", false }
	for _, doc := range scannerCorpus() {
		if got := RewriteLinks(doc, keep, ""); got != doc {
			t.Errorf("RewriteLinks(%q) changed the document:\n%q", doc, got)
		}
	}
}

// TestUnescapeAttr compares attribute decoding with the HTML tokenizer's.
func TestUnescapeAttr(t *testing.T) {
	values := []string{
		"https://x.example/?a=1&amp;b=2",
		"?a=1&region=de&copy=2&lang=en&not=1&para",
		"&copy &copy; &reg&reg; &lt&gt &amp= &ampx &amp",
		"&#65;&#x42;&#67 &#x44 &#; &#x; &# &",
		"&unknown; &zwnj;&nbsp;x &NotANamedOne",
		"&&&;; &;",
		"caf&eacute;&eacute",
		"&semi;&fjlig;&notit;&copyx;&copy;x",
		"&nLt;&nGt;&nLt &#4294967361;&#x100000041;&#1x&#128;&#xD800;",
	}
	for _, v := range values {
		if got, want := unescapeAttr(v), tokenizerAttr(v); got != want {
			t.Errorf("unescapeAttr(%q) = %q, want %q", v, got, want)
		}
	}
}

func FuzzUnescapeAttr(f *testing.F) {
	f.Add("?a=1&region=de&copy=2&amp;b")
	f.Add("&#x41;&semi;&fjlig;&notit;")
	f.Fuzz(func(t *testing.T, v string) {
		if strings.ContainsAny(v, "\"\x00\r") || !utf8.ValidString(v) {
			t.Skip("not a double-quoted attribute value the tokenizer returns as is")
		}
		if got, want := unescapeAttr(v), tokenizerAttr(v); got != want {
			t.Errorf("unescapeAttr(%q) = %q, want %q", v, got, want)
		}
	})
}

func FuzzWriteEscaped(f *testing.F) {
	f.Add(`https://t.example/c?u=https://a.example/?x=1&y='2'<"3">`)
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		var b bytes.Buffer
		writeEscaped(&b, s)
		if got, want := b.String(), stdhtml.EscapeString(s); got != want {
			t.Errorf("writeEscaped(%q) = %q, want %q", s, got, want)
		}
	})
}

func tokenizerAttr(v string) string {
	z := html.NewTokenizer(strings.NewReader(`<a href="` + v + `">`))
	z.Next()
	_, val, _ := z.TagAttr()
	return string(val)
}

func TestLinks(t *testing.T) {
	doc := `<a href="https://a.example/?x=1&amp;y=2">a</a> <a href=" http://b.example ">b</a> <a href="mailto:x@y">m</a> <area href="HTTPS://c.example"> <a href="#x">x</a>`
	want := []string{"https://a.example/?x=1&y=2", "http://b.example", "HTTPS://c.example"}
	if diff := cmp.Diff(want, Links(doc)); diff != "" {
		t.Errorf("Links() mismatch (-want +got):\n%s", diff)
	}
}

func TestRewriteLinksDefaultInvitation(t *testing.T) {
	r, err := Preview(DefaultInvitation(), sampleData())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"https://example.org/events/42?lang=de&ref=mail",
		"https://outreach.example/r/yes/t0k",
		"https://outreach.example/r/no/t0k",
		"https://outreach.example/u/t0k",
	}
	if diff := cmp.Diff(want, Links(r.HTML)); diff != "" {
		t.Errorf("Links() mismatch (-want +got):\n%s", diff)
	}
	out := RewriteLinks(r.HTML, track, "https://t.example/o")
	wantLinks := []string{"https://t.example/c?u=" + want[0], "https://t.example/c?u=" + want[1], "https://t.example/c?u=" + want[2], want[3]}
	if diff := cmp.Diff(wantLinks, Links(out)); diff != "" {
		t.Errorf("Links(rewritten) mismatch (-want +got):\n%s", diff)
	}
	if !strings.Contains(out, `style="display:none"></body>`) {
		t.Error("pixel is not right before </body>")
	}
}

// scannerCorpus holds documents that exercise the tokenizer rules the tag
// scanner mirrors.
func scannerCorpus() []string {
	return []string{
		"",
		"plain text",
		"a < b and c > d <",
		"<",
		"</",
		"</>x",
		"<!DOCTYPE html><html><head><title>a <b> </title></head><body></body></html>",
		`<p a=">" b='>' c=>d</p>`,
		`<a/href="https://x.example"/>`,
		`<a =href="https://x.example">`,
		`<a href>x</a><a href=>y</a>`,
		"<!-- a --><!--><!---><!-- --!> x --><!-- -- -->",
		"<!-- unterminated",
		"<?xml version='1.0'?><x>",
		"<!bogus>",
		"</ p><//x></3>",
		"<style>a{}</style ><STYLE>b</Style\n>",
		"<script>if (a < b) document.write('</scr' + 'ipt>')</script>",
		"<title></titles></title>",
		"<xmp><a href='x'></xmp><plaintext><a href='y'>",
		"<textarea>unclosed <a href='https://x.example'>",
		"<A HREF=\"https://x.example\">X</A>",
		"<div\nclass=\"a\"\tid='b'\f>\r\n</div>",
		"<img src=x/>",
		"<p x='unterminated>",
		"<a href='https://x.example'",
		"<br/><br /><br/ >",
		"<!--[if mso]><table><tr><td><![endif]--><p>x</p><!--[if mso]></td></tr></table><![endif]-->",
	}
}

type span struct {
	Start, End int
	Closing    bool
}

// TestTagScannerAgreesWithTokenizer checks the hand-written scanner against
// golang.org/x/net/html: both must see the same tags at the same offsets.
func TestTagScannerAgreesWithTokenizer(t *testing.T) {
	docs := append(scannerCorpus(), DefaultInvitation().HTML, typicalEmail())
	for _, doc := range docs {
		if diff := cmp.Diff(tokenizerTags(doc), scannerTags(doc)); diff != "" {
			t.Errorf("tags of %q differ (-tokenizer +scanner):\n%s", doc, diff)
		}
	}
}

func FuzzTagScanner(f *testing.F) {
	for _, doc := range scannerCorpus() {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		if strings.Contains(strings.ToLower(doc), "<script") {
			t.Skip("script escape states are deliberately simplified")
		}
		if diff := cmp.Diff(tokenizerTags(doc), scannerTags(doc)); diff != "" {
			t.Errorf("tags of %q differ (-tokenizer +scanner):\n%s", doc, diff)
		}
	})
}

func tokenizerTags(doc string) []span {
	var tags []span
	z := html.NewTokenizer(strings.NewReader(doc))
	off := 0
	for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
		n := len(z.Raw())
		if tt == html.StartTagToken || tt == html.SelfClosingTagToken || tt == html.EndTagToken {
			tags = append(tags, span{off, off + n, tt == html.EndTagToken})
		}
		off += n
	}
	return tags
}

func scannerTags(doc string) []span {
	var tags []span
	s := tagScanner{src: doc}
	for t, ok := s.next(); ok; t, ok = s.next() {
		tags = append(tags, span{t.start, t.end, t.closing})
	}
	return tags
}

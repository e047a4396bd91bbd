package templates

import (
	"strings"
	"testing"
)

type textCase struct{ name, in, want string }

func TestTextFromHTML(t *testing.T) {
	for _, tt := range textCases() {
		t.Run(tt.name, func(t *testing.T) {
			if got := TextFromHTML(tt.in); got != tt.want {
				t.Errorf("TextFromHTML() mismatch:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func textCases() []textCase {
	return []textCase{
		{
			name: "empty",
			in:   "",
			want: "",
		},
		{
			name: "paragraphs and collapsed whitespace",
			in:   "<p>Dear   Anna,\n\t</p><p>see <b>you</b> <i>soon</i>.</p>",
			want: "Dear Anna,\n\nsee you soon.\n",
		},
		{
			name: "inline tags do not split words",
			in:   "<p>Hel<b>lo</b> there</p>",
			want: "Hello there\n",
		},
		{
			name: "line breaks and divs",
			in:   "<div>Warm regards,<br>The team</div><div>Berlin</div>",
			want: "Warm regards,\nThe team\nBerlin\n",
		},
		{
			name: "entities decoded",
			in:   "<p>Caf&eacute; &amp; more &lt;tags&gt; &#8211; &quot;ok&quot;</p>",
			want: "Café & more <tags> – \"ok\"\n",
		},
		{
			name: "links with text, with their url as text, and empty",
			in:   `<p><a href="https://a.example/?a=1&amp;b=2">Programme</a>, <a href="https://b.example">https://b.example</a>, <a href="https://c.example"><img src="logo.png"></a></p>`,
			want: "Programme (https://a.example/?a=1&b=2), https://b.example, https://c.example\n",
		},
		{
			name: "mailto and anchors",
			in:   `<p>Write to <a href="mailto:team@example.org">team@example.org</a> or <a href="mailto:team@example.org">us</a>, <a href="#top">top</a></p>`,
			want: "Write to team@example.org or us (team@example.org), top\n",
		},
		{
			name: "lists",
			in:   "<p>Agenda:</p><ul><li>Welcome</li><li>Finance<ol><li>Loans</li><li>Grants</li></ol></li></ul><p>End</p>",
			want: "Agenda:\n\n- Welcome\n- Finance\n  1. Loans\n  2. Grants\n\nEnd\n",
		},
		{
			name: "scripts, styles, head and hidden preheader dropped",
			in:   `<html><head><title>T</title><style>p{color:red}</style></head><body><div style="display: none; max-height:0">preheader</div><script>alert(1)</script><p>Body</p><img src="https://t.example/o" style="display:none"><p hidden>secret</p></body></html>`,
			want: "Body\n",
		},
		{
			name: "table cells on one line, rows on their own",
			in:   "<table><tr><td>When</td><td>Thursday</td></tr><tr><td>Where</td><td>Berlin</td></tr></table>",
			want: "When Thursday\nWhere Berlin\n",
		},
		{
			name: "non-breaking spaces keep words together and spacer cells vanish",
			in:   "<p>12&nbsp;March</p><table><tr><td>&nbsp;</td><td>x</td></tr></table>",
			want: "12 March\n\nx\n",
		},
		{
			name: "wrapping at 76 characters",
			in:   "<p>" + strings.Repeat("word ", 20) + "</p>",
			want: strings.TrimSpace(strings.Repeat("word ", 15)) + "\n" + strings.TrimSpace(strings.Repeat("word ", 5)) + "\n",
		},
		{
			name: "long urls are not cut",
			in:   `<p>See <a href="https://example.org/` + strings.Repeat("x", 80) + `">this</a> now</p>`,
			want: "See this\n(https://example.org/" + strings.Repeat("x", 80) + ")\nnow\n",
		},
		{
			name: "list items wrap under their text",
			in:   "<ul><li>" + strings.Repeat("word ", 20) + "</li></ul>",
			want: "- " + strings.TrimSpace(strings.Repeat("word ", 15)) + "\n  " + strings.TrimSpace(strings.Repeat("word ", 5)) + "\n",
		},
		{
			name: "preformatted text kept",
			in:   "<pre>\nline 1\n  line 2</pre><p>after</p>",
			want: "line 1\n  line 2\n\nafter\n",
		},
		{
			name: "blockquote",
			in:   "<p>She wrote:</p><blockquote>Count me in</blockquote>",
			want: "She wrote:\n\n> Count me in\n",
		},
		{
			name: "headings and rules",
			in:   "<h1>Invitation</h1><hr><p>Text</p>",
			want: "Invitation\n\n--------------------\n\nText\n",
		},
		{
			name: "unclosed head does not swallow the body",
			in:   "<head><title>x</title><body><p>Hi</p>",
			want: "Hi\n",
		},
	}
}

func TestTextFromHTMLLineWidth(t *testing.T) {
	r, err := Preview(DefaultInvitation(), sampleData())
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(TextFromHTML(r.HTML), "\n") {
		if n := len([]rune(line)); n > textWidth && strings.Contains(line, " ") {
			t.Errorf("line of %d characters: %q", n, line)
		}
	}
}

// TestTextFromHTMLMatchesTokenizer holds TextFromHTML to the first
// implementation, which read the document with golang.org/x/net/html's
// tokenizer, on the emails and on documents with the corners of HTML in them.
func TestTextFromHTMLMatchesTokenizer(t *testing.T) {
	for _, doc := range textCorpus() {
		if got, want := TextFromHTML(doc), tokenizerText(doc); got != want {
			t.Errorf("TextFromHTML(%q) differs from the tokenizer's:\n got %q\nwant %q", doc, got, want)
		}
	}
}

// FuzzTextFromHTML compares TextFromHTML with the tokenizer-based
// implementation on any input. They may differ in one place only: the tag
// scanner ends a script's content at the first "</script", where the
// tokenizer follows the escaped-script rules, under which a "<script" after
// "<!--" inside a script hides the next "</script>" (see tagScanner). Email
// clients do not run scripts, and the text drops them anyway; the two differ
// when such a script is followed by text.
func FuzzTextFromHTML(f *testing.F) {
	for _, doc := range textCorpus() {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		if lower := strings.ToLower(doc); strings.Count(lower, "<script") >= 2 && strings.Contains(lower, "<!--") {
			t.Skip("escaped script content is deliberately simplified")
		}
		if got, want := TextFromHTML(doc), tokenizerText(doc); got != want {
			t.Errorf("TextFromHTML(%q) differs from the tokenizer's:\n got %q\nwant %q", doc, got, want)
		}
	})
}

// textCorpus holds the default emails, rendered in their variants and as
// written, the documents of the tests above and of the tag scanner's, and
// some corners of HTML that the conversion meets.
func textCorpus() []string {
	var docs []string
	noEvent := sampleData()
	noEvent.Event, noEvent.RSVPYesURL, noEvent.RSVPNoURL = nil, "", ""
	noName := sampleData()
	noName.Contact.FirstName = ""
	for _, m := range []Message{DefaultInvitation(), DefaultFollowUp(), DefaultEventUpdate(), DefaultEventCancel()} {
		docs = append(docs, m.HTML)
		for _, d := range []Data{sampleData(), noEvent, noName} {
			r, err := Preview(m, d)
			if err != nil {
				panic(err)
			}
			docs = append(docs, r.HTML)
		}
	}
	docs = append(docs, typicalEmail())
	for _, tt := range textCases() {
		docs = append(docs, tt.in)
	}
	docs = append(docs, scannerCorpus()...)
	return append(docs,
		// References: numeric forms with and without ";", out of range,
		// Windows-1252, legacy names without ";", unknown ones, and the two
		// that decode to more bytes than they take.
		"<p>&#5 &#5</p>&#5",
		"<p>&#1x &#x; &#; &# &#x41 &#X41; &#0; &#128; &#x9F; &#xD800; &#1114112; &#4294967361; &#x100000041;</p>",
		"<p>&amp &ampx &copy2026 &notit; &notin; &unknown; &nLt; &nGt; &nLt &fjlig; &NotANamedOne &&;</p>&amp",
		"<p>caf&eacute;&nbsp;au&nbsp;lait &zwnj;&nbsp;&ZeroWidthSpace; x</p>",
		"<p>a&am<!-- -->p;b</p><p>&lt<b>&gt</b></p>",
		// Raw text: references decoded in <textarea> and <title> only,
		// NUL bytes replaced, and line breaks normalised.
		"<textarea>&lt;b&gt; <b>x</b></textarea><xmp>&lt; <i>y</i></xmp><noembed>&amp;</noembed>",
		"<p>a\x00b</p><xmp>c\x00d</xmp><textarea>e\x00&amp;</textarea><title/>t\x00&lt;</title>",
		"<pre>\r\na\r\nb\rc&#13;d\r</pre><p>e\r\nf</p>",
		"<plaintext><p>all &amp; the rest</p>",
		"<script/>shown</script><style/>also shown</style><p>x</p>",
		"<title>t</title><p>x</p><textarea>unclosed &amp; <p>",
		// Tags in other cases, with NUL bytes and odd names.
		"<P>Up</P><DIV>per</DIV><Ul><LI>case</li></uL><TABLE><TR><TD>a</TD><TD>b</TD></TR></TABLE>",
		"<div hidden><DIV>x</div>y</DIV>z",
		"<x\x00y hidden>a</x\ufffdy>b</x\x00y>c",
		"<xÄ hidden>a</xä>b</xÄ>c",
		"<svg><title>t</title><text>drawn</text></svg>after",
		// Hidden elements: attribute names in any case, only the first of a
		// name counting, references and white space in styles, values that
		// end in "/", self-closing tags.
		`<div HIDDEN>a</div><div style="DISPLAY : NONE">b</div><div STYLE="visibility:hidden">c</div>d`,
		`<div style="color:red" style="display:none">a</div><div style="display:none" style="color:red">b</div>c`,
		`<div style="display&#58;none">a</div><div style="d i s p l a y:n o n e">b</div><div style="display:&#x4e;one">c</div>d`,
		"<div style=\"display:\u00a0none\">a</div><div style=\"d\u0130splay:none\">b</div><div style=\"display:non\u0130\">c</div>d",
		`<div style="display:none;" hidden/>a</div>b<div hidden a=b/>c</div>d<div hidden a=b a=c/>e</div>f`,
		`<div hidden/ >a</div><div hidden / a/>b</div><div hidden a= / >c</div><div hidden =/>d</div>e`,
		`<br style="display:none"><img hidden>a<hr hidden>b<p>c</p>`,
		`<span style="text-decoration:none;display:inline-block">kept</span><span style="ſtyle">x</span>`,
		// Links: text that is the url, mailto and tel, anchors, javascript,
		// references and spaces in the href, the first href counting, links
		// around blocks, nested and unclosed.
		`<a href=" https://a.example/?x=1&amp;y=2&region=de ">https://a.example/?x=1&y=2&region=de</a>`,
		`<a href="mailto:a@example.org">a@example.org</a> <a href="tel:+4930">call</a> <a href="MAILTO:">x</a> <a href="JavaScript:void(0)">js</a>`,
		`<a href="https://one.example" HREF="https://two.example">one</a><a HREF="https://three.example" href="x">three</a>`,
		`<a href>none</a><a href="">empty</a><a href=#top>top</a><a>no href</a>`,
		`<a href="https://b.example"><div>block</div><p>para</p></a><a href="https://c.example">open <a href="https://d.example">nested</a>`,
		"<a href=\"https://e.example/\x00\r\n&#x;\">e</a><a href=\"\u200b\"></a><a href=\"https://f.example/a  b\">f</a>",
		// Lists, quotes and pre, nested and left open.
		"<ol><li>one<li>two<ul><li>a</li></ul></ol><li>loose</li></ul></ol>",
		"<blockquote><blockquote>deep "+strings.Repeat("quoted words ", 12)+"</blockquote></blockquote>",
		"<ul><li><pre>  code\n    more</pre></li></ul><pre></pre><pre>\n\n</pre>",
		// Wrapping with words of many bytes and non-breaking spaces.
		"<p>"+strings.Repeat("Grüße aus Köln ", 8)+strings.Repeat("\u00a0", 3)+strings.Repeat("ß", 80)+"</p>",
		"<p>"+strings.Repeat("a\u00a0b ", 20)+"</p><p>\xff\xfe "+strings.Repeat("x", 77)+"</p>",
		// Markup that is not a tag, and unfinished at the end.
		"a < b > c <3 </ x> <!doctype html><? pi ?>d",
		"<p>x</p><a href='https://a.example'",
		"<p>x</p><p",
		"text<",
		"text</",
		"<!-- x",
	)
}

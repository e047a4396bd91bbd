package templates

import (
	"strings"
	"testing"
)

func TestTextFromHTML(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
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
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TextFromHTML(tt.in); got != tt.want {
				t.Errorf("TextFromHTML() mismatch:\n got %q\nwant %q", got, tt.want)
			}
		})
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

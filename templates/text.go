package templates

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// textWidth is where lines are wrapped: short enough for any mail client
// and below the 78 characters RFC 5322 recommends.
const textWidth = 76

// TextFromHTML derives a readable plain-text part from an HTML body: block
// elements become line breaks, list items "- " (or "1. " in ordered lists),
// links "text (url)" (just the url when the text is the url), entities are
// decoded, scripts, styles and hidden elements dropped, whitespace collapsed,
// and lines wrapped at about 76 characters where there is a space.
func TextFromHTML(body string) string {
	w := &textWriter{}
	w.out.Grow(len(body) / 3)
	z := html.NewTokenizer(strings.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return w.finish()
		case html.TextToken:
			w.text(string(z.Text()))
		case html.StartTagToken:
			w.start(readTag(z), false)
		case html.SelfClosingTagToken:
			w.start(readTag(z), true)
		case html.EndTagToken:
			name, _ := z.TagName()
			w.end(elementName(name))
		}
	}
}

// element is a start tag with the attributes the text conversion uses.
type element struct {
	name, href string
	hidden     bool
}

func readTag(z *html.Tokenizer) element {
	name, more := z.TagName()
	e := element{name: elementName(name)}
	for more {
		var k, v []byte
		k, v, more = z.TagAttr()
		switch string(k) {
		case "href":
			if e.name == "a" {
				e.href = strings.TrimSpace(string(v))
			}
		case "hidden":
			e.hidden = true
		case "style":
			e.hidden = e.hidden || hiddenStyle(v)
		}
	}
	return e
}

// elementName avoids an allocation per tag for the names HTML knows.
func elementName(name []byte) string {
	if a := atom.Lookup(name); a != 0 {
		return a.String()
	}
	return string(name)
}

// hiddenStyle spots the display:none that email preheaders and tracking
// pixels use; their text is not meant to be read. Most elements of an
// email carry a style, so the common case must not allocate.
func hiddenStyle(style []byte) bool {
	if !containsFold(style, "none") && !containsFold(style, "hidden") {
		return false
	}
	s := strings.ToLower(strings.Join(strings.Fields(string(style)), ""))
	return strings.Contains(s, "display:none") || strings.Contains(s, "visibility:hidden")
}

// containsFold reports whether b contains lower, ignoring ASCII case; lower
// must be lower-case letters.
func containsFold(b []byte, lower string) bool {
	for i := 0; i+len(lower) <= len(b); i++ {
		j := 0
		for j < len(lower) && b[i+j]|0x20 == lower[j] {
			j++
		}
		if j == len(lower) {
			return true
		}
	}
	return false
}

// Elements whose start or end begins a new line (1) or a new paragraph (2).
var blockBreaks = map[string]int{
	"p": 2, "h1": 2, "h2": 2, "h3": 2, "h4": 2, "h5": 2, "h6": 2, "table": 2,
	"blockquote": 2, "pre": 2, "dl": 2, "form": 2, "fieldset": 2, "figure": 2, "address": 2,
	"div": 1, "tr": 1, "dt": 1, "dd": 1, "section": 1, "article": 1, "header": 1,
	"footer": 1, "nav": 1, "main": 1, "aside": 1, "caption": 1, "figcaption": 1, "center": 1,
}

// Elements whose content is never text for a reader.
var skipped = map[string]bool{
	"head": true, "script": true, "style": true, "title": true, "template": true,
	"noscript": true, "iframe": true, "object": true, "svg": true,
}

// Void elements have no end tag, so hiding one must not start a skip.
var void = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true,
}

// textWriter collects the inline text of the current block in para and
// writes it out, wrapped and indented, when the block ends.
type textWriter struct {
	out       strings.Builder
	para      strings.Builder
	space     bool // whitespace was seen since the last word
	breaks    int  // line breaks owed before the next block
	marker    string
	indent    string
	lists     []list
	links     []openLink
	quotes    int
	pre       int
	skip      string // the element being skipped, and how deeply it nests
	skipDepth int
}

type list struct {
	ordered     bool
	n           int
	outerIndent string // the indent to return to when the list ends
}

type openLink struct {
	href  string
	start int // offset in para where the link's text begins
}

func (w *textWriter) start(e element, selfClosing bool) {
	if w.skipping(e.name, true) {
		return
	}
	if (skipped[e.name] || e.hidden) && !void[e.name] && !selfClosing {
		w.skip, w.skipDepth = e.name, 1
		return
	}
	switch e.name {
	case "br":
		w.lineBreak()
	case "hr":
		w.block(2)
		w.para.WriteString(strings.Repeat("-", 20))
		w.block(2)
	case "a":
		w.links = append(w.links, openLink{href: e.href, start: w.para.Len()})
	case "ul", "ol":
		w.openList(e.name == "ol")
	case "li":
		w.listItem()
	case "td", "th":
		w.space = true
	case "pre":
		w.block(2)
		w.pre++
	case "blockquote":
		w.block(2)
		w.quotes++
	default:
		w.block(blockBreaks[e.name])
	}
}

func (w *textWriter) end(name string) {
	if w.skipping(name, false) {
		return
	}
	switch name {
	case "a":
		w.closeLink()
	case "ul", "ol":
		w.closeList()
	case "li":
		w.block(1)
	case "pre":
		w.block(2)
		w.pre = max(w.pre-1, 0)
	case "blockquote":
		w.block(2)
		w.quotes = max(w.quotes-1, 0)
	case "td", "th":
		w.space = true
	default:
		w.block(blockBreaks[name])
	}
}

// skipping tracks nesting of the element being skipped, so that a <div>
// inside a hidden <div> does not end the skip early. A <body> ends any skip:
// an unclosed <head> must not swallow the message.
func (w *textWriter) skipping(name string, opening bool) bool {
	if w.skip == "" {
		return false
	}
	if opening && name == "body" {
		w.skip = ""
		return false
	}
	if name == w.skip && !void[name] {
		if opening {
			w.skipDepth++
		} else if w.skipDepth--; w.skipDepth == 0 {
			w.skip = ""
		}
	}
	return true
}

func (w *textWriter) text(s string) {
	if w.skip != "" {
		return
	}
	if w.pre > 0 {
		w.para.WriteString(s)
		return
	}
	for s != "" {
		if isHTMLSpace(s[0]) {
			w.space = true
			s = s[1:]
			continue
		}
		n := 1
		for n < len(s) && !isHTMLSpace(s[n]) {
			n++
		}
		w.word(s[:n])
		s = s[n:]
	}
}

// word appends one word. A non-breaking space keeps its neighbours on one
// line ("12&nbsp;March"); one standing alone, as in spacer cells, is just
// whitespace.
func (w *textWriter) word(s string) {
	if s[0] >= utf8.RuneSelf && strings.Trim(s, "\u00a0\u200b\u200c\u200d\ufeff") == "" {
		w.space = true
		return
	}
	if w.space && w.para.Len() > 0 && !strings.HasSuffix(w.para.String(), "\n") {
		w.para.WriteByte(' ')
	}
	w.space = false
	w.para.WriteString(s)
}

func (w *textWriter) lineBreak() {
	w.para.WriteByte('\n')
	w.space = false
}

// closeLink appends the URL after the link's text unless the text already
// says it, and drops links that mean nothing outside the HTML (#anchors).
func (w *textWriter) closeLink() {
	if len(w.links) == 0 {
		return
	}
	l := w.links[len(w.links)-1]
	w.links = w.links[:len(w.links)-1]
	href := l.href
	if href == "" || strings.HasPrefix(href, "#") || hasPrefixFold(href, "javascript:") {
		return
	}
	label := ""
	if l.start <= w.para.Len() {
		label = strings.TrimSpace(w.para.String()[l.start:])
	}
	shown := href
	if hasPrefixFold(href, "mailto:") || hasPrefixFold(href, "tel:") {
		_, shown, _ = strings.Cut(href, ":")
	}
	switch label {
	case shown, href:
	case "":
		w.space = true
		w.word(shown)
	default:
		w.space = true
		w.word("(" + shown + ")")
	}
}

func (w *textWriter) openList(ordered bool) {
	breaks := 2
	if len(w.lists) > 0 {
		breaks = 1
	}
	w.block(breaks)
	w.lists = append(w.lists, list{ordered: ordered, outerIndent: w.indent})
}

func (w *textWriter) closeList() {
	if len(w.lists) == 0 {
		return
	}
	l := w.lists[len(w.lists)-1]
	w.lists = w.lists[:len(w.lists)-1]
	if len(w.lists) == 0 {
		w.block(2)
	} else {
		w.block(1)
	}
	w.indent, w.marker = l.outerIndent, ""
}

// listItem starts an item: its first line carries the marker, the lines
// after it are indented to the marker's width.
func (w *textWriter) listItem() {
	w.block(1)
	if len(w.lists) == 0 {
		w.lists = append(w.lists, list{})
	}
	l := &w.lists[len(w.lists)-1]
	l.n++
	mark := "- "
	if l.ordered {
		mark = strconv.Itoa(l.n) + ". "
	}
	w.marker = l.outerIndent + mark
	w.indent = l.outerIndent + strings.Repeat(" ", len(mark))
}

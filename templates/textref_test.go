package templates

// This file keeps the first implementation of TextFromHTML, built on the
// golang.org/x/net/html tokenizer, as the reference that the differential
// tests in text_test.go hold the faster, scanner-based one to. It is the
// code as it was, its names prefixed with "ref" (TextFromHTML itself is
// tokenizerText); only the tests use it.

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// tokenizerText derives a readable plain-text part from an HTML body: block
// elements become line breaks, list items "- " (or "1. " in ordered lists),
// links "text (url)" (just the url when the text is the url), entities are
// decoded, scripts, styles and hidden elements dropped, whitespace collapsed,
// and lines wrapped at about 76 characters where there is a space.
func tokenizerText(body string) string {
	w := &refTextWriter{}
	w.out.Grow(len(body) / 3)
	z := html.NewTokenizer(strings.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return w.finish()
		case html.TextToken:
			w.text(string(z.Text()))
		case html.StartTagToken:
			w.start(refReadTag(z), false)
		case html.SelfClosingTagToken:
			w.start(refReadTag(z), true)
		case html.EndTagToken:
			name, _ := z.TagName()
			w.end(refElementName(name))
		}
	}
}

// element is a start tag with the attributes the text conversion uses.
type refElement struct {
	name, href string
	hidden     bool
}

func refReadTag(z *html.Tokenizer) refElement {
	name, more := z.TagName()
	e := refElement{name: refElementName(name)}
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
			e.hidden = e.hidden || refHiddenStyle(v)
		}
	}
	return e
}

// elementName avoids an allocation per tag for the names HTML knows.
func refElementName(name []byte) string {
	if a := atom.Lookup(name); a != 0 {
		return a.String()
	}
	return string(name)
}

// hiddenStyle spots the display:none that email preheaders and tracking
// pixels use; their text is not meant to be read. Most elements of an
// email carry a style, so the common case must not allocate.
func refHiddenStyle(style []byte) bool {
	if !refContainsFold(style, "none") && !refContainsFold(style, "hidden") {
		return false
	}
	s := strings.ToLower(strings.Join(strings.Fields(string(style)), ""))
	return strings.Contains(s, "display:none") || strings.Contains(s, "visibility:hidden")
}

// containsFold reports whether b contains lower, ignoring ASCII case; lower
// must be lower-case letters.
func refContainsFold(b []byte, lower string) bool {
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
var refBlockBreaks = map[string]int{
	"p": 2, "h1": 2, "h2": 2, "h3": 2, "h4": 2, "h5": 2, "h6": 2, "table": 2,
	"blockquote": 2, "pre": 2, "dl": 2, "form": 2, "fieldset": 2, "figure": 2, "address": 2,
	"div": 1, "tr": 1, "dt": 1, "dd": 1, "section": 1, "article": 1, "header": 1,
	"footer": 1, "nav": 1, "main": 1, "aside": 1, "caption": 1, "figcaption": 1, "center": 1,
}

// Elements whose content is never text for a reader.
var refSkipped = map[string]bool{
	"head": true, "script": true, "style": true, "title": true, "template": true,
	"noscript": true, "iframe": true, "object": true, "svg": true,
}

// Void elements have no end tag, so hiding one must not start a skip.
var refVoid = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true,
}

// textWriter collects the inline text of the current block in para and
// writes it out, wrapped and indented, when the block ends.
type refTextWriter struct {
	out       strings.Builder
	para      strings.Builder
	space     bool // whitespace was seen since the last word
	breaks    int  // line breaks owed before the next block
	marker    string
	indent    string
	lists     []refList
	links     []refOpenLink
	quotes    int
	pre       int
	skip      string // the element being skipped, and how deeply it nests
	skipDepth int
}

type refList struct {
	ordered     bool
	n           int
	outerIndent string // the indent to return to when the list ends
}

type refOpenLink struct {
	href  string
	start int // offset in para where the link's text begins
}

func (w *refTextWriter) start(e refElement, selfClosing bool) {
	if w.skipping(e.name, true) {
		return
	}
	if (refSkipped[e.name] || e.hidden) && !refVoid[e.name] && !selfClosing {
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
		w.links = append(w.links, refOpenLink{href: e.href, start: w.para.Len()})
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
		w.block(refBlockBreaks[e.name])
	}
}

func (w *refTextWriter) end(name string) {
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
		w.block(refBlockBreaks[name])
	}
}

// skipping tracks nesting of the element being skipped, so that a <div>
// inside a hidden <div> does not end the skip early. A <body> ends any skip:
// an unclosed <head> must not swallow the message.
func (w *refTextWriter) skipping(name string, opening bool) bool {
	if w.skip == "" {
		return false
	}
	if opening && name == "body" {
		w.skip = ""
		return false
	}
	if name == w.skip && !refVoid[name] {
		if opening {
			w.skipDepth++
		} else if w.skipDepth--; w.skipDepth == 0 {
			w.skip = ""
		}
	}
	return true
}

func (w *refTextWriter) text(s string) {
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
func (w *refTextWriter) word(s string) {
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

func (w *refTextWriter) lineBreak() {
	w.para.WriteByte('\n')
	w.space = false
}

// closeLink appends the URL after the link's text unless the text already
// says it, and drops links that mean nothing outside the HTML (#anchors).
func (w *refTextWriter) closeLink() {
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

func (w *refTextWriter) openList(ordered bool) {
	breaks := 2
	if len(w.lists) > 0 {
		breaks = 1
	}
	w.block(breaks)
	w.lists = append(w.lists, refList{ordered: ordered, outerIndent: w.indent})
}

func (w *refTextWriter) closeList() {
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
func (w *refTextWriter) listItem() {
	w.block(1)
	if len(w.lists) == 0 {
		w.lists = append(w.lists, refList{})
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

// The output side: blocks become wrapped, indented lines.

// block ends the current block and asks for n line breaks (1: new line,
// 2: blank line) before the next one.
func (w *refTextWriter) block(n int) {
	if n == 0 {
		return
	}
	w.flush()
	w.breaks = max(w.breaks, n)
}

func (w *refTextWriter) flush() {
	s := w.para.String()
	w.para.Reset()
	w.space = false
	for i := range w.links {
		w.links[i].start = 0 // a link around a block: its text restarts here
	}
	if w.pre > 0 {
		s = strings.TrimPrefix(strings.TrimRight(s, " \t\r\n"), "\n")
	} else {
		s = strings.TrimSpace(s)
	}
	if s == "" {
		return
	}
	w.separate()
	if w.pre > 0 {
		w.writePre(s)
	} else {
		w.writeWrapped(s)
	}
	w.marker = ""
}

// separate writes the line breaks owed before a new block.
func (w *refTextWriter) separate() {
	if w.out.Len() > 0 {
		for range max(w.breaks, 1) {
			w.out.WriteByte('\n')
		}
	}
	w.breaks = 0
}

// lineStart begins an output line with quote marks and the indent, or the
// list marker on the first line of an item.
func (w *refTextWriter) lineStart(first bool) {
	for range w.quotes {
		w.out.WriteString("> ")
	}
	if first && w.marker != "" {
		w.out.WriteString(w.marker)
	} else {
		w.out.WriteString(w.indent)
	}
}

func (w *refTextWriter) writePre(s string) {
	first := true
	for line := range strings.SplitSeq(s, "\n") {
		if !first {
			w.out.WriteByte('\n')
		}
		w.lineStart(first)
		w.out.WriteString(strings.TrimRight(line, " \t\r"))
		first = false
	}
}

// writeWrapped writes a block, keeping its hard line breaks (from <br>)
// and breaking at spaces so that lines stay within the width; a longer word
// (a URL) gets a line of its own rather than being cut.
func (w *refTextWriter) writeWrapped(s string) {
	width := max(textWidth-utf8.RuneCountInString(w.indent)-2*w.quotes, 20)
	first := true
	for hard := range strings.SplitSeq(s, "\n") {
		if !first {
			w.out.WriteByte('\n')
		}
		if hard = strings.TrimSpace(hard); hard != "" {
			w.lineStart(first)
			w.writeWords(hard, width)
		}
		first = false
	}
}

func (w *refTextWriter) writeWords(line string, width int) {
	n := 0
	for word := range strings.SplitSeq(line, " ") {
		if word == "" {
			continue
		}
		wn := utf8.RuneCountInString(word)
		if n > 0 && n+1+wn > width {
			w.out.WriteByte('\n')
			w.lineStart(false)
			n = 0
		}
		if n > 0 {
			w.out.WriteByte(' ')
			n++
		}
		if strings.Contains(word, "\u00a0") {
			word = strings.ReplaceAll(word, "\u00a0", " ")
		}
		w.out.WriteString(word)
		n += wn
	}
}

func (w *refTextWriter) finish() string {
	w.flush()
	if w.out.Len() == 0 {
		return ""
	}
	return w.out.String() + "\n"
}

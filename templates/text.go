package templates

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// textWidth is where lines are wrapped: short enough for any mail client
// and below the 78 characters RFC 5322 recommends.
const textWidth = 76

// TextFromHTML derives a readable plain-text part from an HTML body: block
// elements become line breaks, list items "- " (or "1. " in ordered lists),
// links "text (url)" (just the url when the text is the url), entities are
// decoded, scripts, styles and hidden elements dropped, whitespace collapsed,
// and lines wrapped at about 76 characters where there is a space.
//
// It runs for every message sent without a text template, so it reads the
// document with the package's tag scanner rather than a full tokenizer; the
// text between tags is cut and decoded as the HTML tokenizer does it.
func TextFromHTML(body string) string {
	w := textWriters.Get().(*textWriter)
	defer w.release()
	e := &w.element
	s := tagScanner{src: body, element: e}
	text := 0 // where the text not yet given to w begins
	for s.pos < len(body) {
		if s.rawText != "" {
			name, from := s.rawText, s.pos
			s.skipRawText()
			w.rawText(body[from:s.pos], name == "textarea" || name == "title")
			text = s.pos
			continue
		}
		i := strings.IndexByte(body[s.pos:], '<')
		if i < 0 {
			break
		}
		start := s.pos + i
		if rest := body[start:]; rest == "<" || rest == "</" {
			break // at the very end these are text
		}
		t, ok := s.markup(start)
		if !ok && s.pos == start+1 {
			continue // a "<" that starts no markup is text
		}
		// A tag, comment or doctype ends the text before it. An unfinished
		// tag at the end takes the rest of the document with it.
		w.text(body[text:start])
		text = s.pos
		if ok {
			w.tag(t.name, t.closing, e)
		}
	}
	w.text(body[text:])
	return w.finish()
}

// element holds what the text conversion uses of a start tag's attributes.
type element struct {
	href        string
	hidden      bool
	selfClosing bool
}

// readElement reads the attributes of a start tag from i to the closing
// ">" into e, the way the HTML tokenizer reports them: names ignore ASCII
// case, only the first of several attributes with one name counts, values
// are decoded. It returns the offset past ">" and false if there is none.
func (t *tag) readElement(i int, e *element) (int, bool) {
	*e = element{}
	src := t.src
	isLink := equalASCIIFold(t.name, "a")
	var seenHref, seenStyle bool
	var last attr
	lastStart := -1
	for {
		i = skipHTMLSpace(src, i)
		if i >= len(src) {
			return 0, false
		}
		if src[i] == '>' {
			break
		}
		start := i
		var a attr
		a, i = nextAttr(src, i)
		last, lastStart = a, start
		switch len(a.name) {
		case 4:
			if !seenHref && equalASCIIFold(a.name, "href") {
				seenHref = true
				if isLink && a.hasValue {
					e.href = src[a.valStart:a.valEnd] // decoded below
				}
			}
		case 5:
			if !seenStyle && equalASCIIFold(a.name, "style") {
				seenStyle = true
				e.hidden = e.hidden || a.hasValue && hiddenStyle(src[a.valStart:a.valEnd])
			}
		case 6:
			e.hidden = e.hidden || equalASCIIFold(a.name, "hidden")
		}
	}
	end := i + 1
	if e.href != "" {
		e.href = strings.TrimSpace(attrText(e.href))
	}
	// "<br/>" closes itself, "<p a=b/>" does not: its "/" belongs to the
	// value. The tokenizer keeps only the first attribute of a name, so a
	// repeated one's value does not count.
	e.selfClosing = src[end-2] == '/'
	if e.selfClosing && last.hasValue && last.quote == 0 && last.valEnd == end-1 {
		e.selfClosing = repeatedAttr(src, t.start+1+len(t.name), lastStart, last.name)
	}
	return end, true
}

// repeatedAttr reports whether an attribute before offset end, reading from
// offset i, has the name name, ignoring ASCII case as the tokenizer does.
func repeatedAttr(src string, i, end int, name string) bool {
	for i = skipHTMLSpace(src, i); i < end; i = skipHTMLSpace(src, i) {
		var a attr
		a, i = nextAttr(src, i)
		if equalASCIIFold(a.name, name) {
			return true
		}
	}
	return false
}

// tagName is a tag's name as the tokenizer reports it: ASCII letters
// lower-cased, NUL bytes replaced.
func tagName(s string) string {
	s = strings.ReplaceAll(s, "\x00", "\ufffd")
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// elementName returns a tag's name lower-cased as the tokenizer does it,
// without allocating for names in lower case or that the conversion uses.
func elementName(name string) string {
	for i := 0; i < len(name); i++ {
		if c := name[i]; 'A' <= c && c <= 'Z' || c == 0 {
			var buf [16]byte
			if len(name) <= len(buf) {
				b := buf[:len(name)]
				for j := range b {
					b[j] = lowerASCII(name[j])
				}
				if known := knownElement(b); known != "" {
					return known
				}
			}
			return tagName(name)
		}
	}
	return name
}

// knownElement returns the name in b for the elements the conversion
// treats specially and some common others, or "".
func knownElement(b []byte) string {
	return knownElements[string(b)]
}

var knownElements = func() map[string]string {
	m := make(map[string]string)
	for n := range strings.FieldsSeq(`a b i u em strong span font small html body ul ol li td th
		tbody thead tfoot center p h1 h2 h3 h4 h5 h6 table blockquote pre dl form fieldset
		figure address div tr dt dd section article header footer nav main aside caption
		figcaption head script style title template noscript iframe object svg area base br
		col embed hr img input link meta source track wbr`) {
		m[n] = n
	}
	return m
}()

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// equalASCIIFold is strings.EqualFold for ASCII only: the tokenizer does
// not fold other letters ("ſtyle" is not "style").
func equalASCIIFold(s, t string) bool {
	if len(s) != len(t) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if lowerASCII(s[i]) != lowerASCII(t[i]) {
			return false
		}
	}
	return true
}

// attrText decodes an attribute value as the tokenizer does: NUL bytes
// replaced, line breaks normalised, character references decoded.
func attrText(v string) string {
	if strings.IndexByte(v, 0) >= 0 {
		v = strings.ReplaceAll(v, "\x00", "\ufffd")
	}
	return unescapeAttr(convertNewlines(v))
}

// convertNewlines turns "\r\n" and a lone "\r" into "\n", as HTML does with
// its input before anything else.
func convertNewlines(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// unescapeText decodes the character references of a text run as browsers
// do outside attributes: a known legacy name is decoded without its ";",
// even as the prefix of a longer word ("&copy2026" is "©2026").
func unescapeText(s string) string {
	i := strings.IndexByte(s, '&')
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i >= 0 {
		b.WriteString(s[:i])
		s = s[i:]
		var ref string
		var n int
		if len(s) > 1 && s[1] == '#' {
			ref, n = numericRef(s)
		} else {
			n = 1
			for n < len(s) && isASCIIAlnum(s[n]) {
				n++
			}
			if n < len(s) && s[n] == ';' {
				n++
			}
			ref = namedRef(s[:n])
		}
		b.WriteString(ref)
		s = s[n:]
		i = strings.IndexByte(s, '&')
	}
	b.WriteString(s)
	return b.String()
}

// hiddenStyle spots the display:none that email preheaders and tracking
// pixels use; their text is not meant to be read. A style hides when it
// mentions "none" or "hidden" and, lower-cased with its white space
// removed, holds "display:none" or "visibility:hidden". Most elements of an
// email carry a style, so this looks only around each ":" and, unless the
// style holds a character reference, allocates nothing.
func hiddenStyle(style string) bool {
	// Of the tokenizer's decoding only the references matter here: a NUL
	// byte or its replacement, "\r" or "\n", tell the same.
	style = unescapeAttr(style)
	found := false
	for i := strings.IndexByte(style, ':'); i >= 0 && !found; {
		found = styleIs(style[:i], style[i+1:], "display", "none") ||
			styleIs(style[:i], style[i+1:], "visibility", "hidden")
		j := strings.IndexByte(style[i+1:], ':')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return found && (containsFold(style, "none") || containsFold(style, "hidden"))
}

// styleIs reports whether before ends with property and after starts with
// value, ignoring white space and case as strings.Fields and
// strings.ToLower would.
func styleIs(before, after, property, value string) bool {
	// Most declarations are told apart by their last letter.
	if i := len(before) - 1; i >= 0 && before[i] < utf8.RuneSelf && !isASCIISpace(before[i]) &&
		lowerASCII(before[i]) != property[len(property)-1] {
		return false
	}
	for k := len(property) - 1; k >= 0; {
		if before == "" {
			return false
		}
		r, n := utf8.DecodeLastRuneInString(before)
		before = before[:len(before)-n]
		if !isSpaceRune(r) {
			if unicode.ToLower(r) != rune(property[k]) {
				return false
			}
			k--
		}
	}
	for k := 0; k < len(value); {
		if after == "" {
			return false
		}
		r, n := utf8.DecodeRuneInString(after)
		after = after[n:]
		if !isSpaceRune(r) {
			if unicode.ToLower(r) != rune(value[k]) {
				return false
			}
			k++
		}
	}
	return true
}

func isSpaceRune(r rune) bool {
	if r < utf8.RuneSelf {
		return isASCIISpace(byte(r))
	}
	return unicode.IsSpace(r)
}

// containsFold reports whether s contains lower, ignoring ASCII case; lower
// must be lower-case letters.
func containsFold(s, lower string) bool {
	for i := 0; i+len(lower) <= len(s); i++ {
		j := 0
		for j < len(lower) && s[i+j]|0x20 == lower[j] {
			j++
		}
		if j == len(lower) {
			return true
		}
	}
	return false
}

// isASCIISpace is the ASCII part of unicode.IsSpace, as strings.Fields uses it.
func isASCIISpace(c byte) bool {
	return c == ' ' || '\t' <= c && c <= '\r'
}

// blockBreaks tells the elements whose start or end begins a new line (1)
// or a new paragraph (2).
func blockBreaks(name string) int {
	switch name {
	case "p", "h1", "h2", "h3", "h4", "h5", "h6", "table",
		"blockquote", "pre", "dl", "form", "fieldset", "figure", "address":
		return 2
	case "div", "tr", "dt", "dd", "section", "article", "header",
		"footer", "nav", "main", "aside", "caption", "figcaption", "center":
		return 1
	}
	return 0
}

// skipped tells the elements whose content is never text for a reader.
func skipped(name string) bool {
	switch name {
	case "head", "script", "style", "title", "template",
		"noscript", "iframe", "object", "svg":
		return true
	}
	return false
}

// void tells the elements that have no end tag, so that hiding one does not
// start a skip.
func void(name string) bool {
	switch name {
	case "area", "base", "br", "col", "embed", "hr", "img",
		"input", "link", "meta", "source", "track", "wbr":
		return true
	}
	return false
}

// textWriters keeps writers, with their buffers, between conversions: one
// runs for every message sent without a text template.
var textWriters = sync.Pool{New: func() any { return new(textWriter) }}

// release empties w, keeping its buffers unless a very large document
// grew them, and puts it back in textWriters.
func (w *textWriter) release() {
	if w.out.Cap() > 256<<10 || cap(w.para) > 256<<10 {
		return
	}
	// Clear what refers to the document, so that the pool does not keep it.
	clear(w.links[:cap(w.links)])
	clear(w.lists[:cap(w.lists)])
	out := w.out
	out.Reset()
	*w = textWriter{out: out, para: w.para[:0], links: w.links[:0], lists: w.lists[:0]}
	textWriters.Put(w)
}

// textWriter collects the inline text of the current block in para and
// writes it out, wrapped and indented, when the block ends.
type textWriter struct {
	out       bytes.Buffer
	para      []byte
	spaced    bool // para may hold spaces in a row, from a link's URL
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
	element   element // the attributes of the start tag being read
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

// tag takes a tag as written; e holds the attributes of a start tag.
func (w *textWriter) tag(name string, closing bool, e *element) {
	name = elementName(name)
	if closing {
		w.end(name)
	} else {
		w.start(name, e)
	}
}

func (w *textWriter) start(name string, e *element) {
	if w.skipping(name, true) {
		return
	}
	if (skipped(name) || e.hidden) && !void(name) && !e.selfClosing {
		w.skip, w.skipDepth = name, 1
		return
	}
	switch name {
	case "br":
		w.lineBreak()
	case "hr":
		w.block(2)
		w.para = append(w.para, "--------------------"...)
		w.block(2)
	case "a":
		w.links = append(w.links, openLink{href: e.href, start: len(w.para)})
	case "ul", "ol":
		w.openList(name == "ol")
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
		w.block(blockBreaks(name))
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
		w.block(blockBreaks(name))
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
	if name == w.skip && !void(name) {
		if opening {
			w.skipDepth++
		} else if w.skipDepth--; w.skipDepth == 0 {
			w.skip = ""
		}
	}
	return true
}

// text takes a run of text as it stands in the document.
func (w *textWriter) text(raw string) {
	if w.skip != "" || raw == "" {
		return
	}
	if w.pre > 0 {
		raw = convertNewlines(raw) // only <pre> keeps line breaks as they are
	}
	w.words(unescapeText(raw))
}

// rawText takes the content of an element such as <xmp> or <textarea>,
// which holds no tags; only a <textarea>'s or <title>'s holds references.
func (w *textWriter) rawText(raw string, references bool) {
	if w.skip != "" || raw == "" {
		return
	}
	raw = convertNewlines(raw)
	if strings.IndexByte(raw, 0) >= 0 {
		raw = strings.ReplaceAll(raw, "\x00", "\ufffd")
	}
	if references {
		raw = unescapeText(raw)
	}
	w.words(raw)
}

func (w *textWriter) words(s string) {
	if w.pre > 0 {
		w.para = append(w.para, s...)
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
	w.wordStart()
	w.para = append(w.para, s...)
}

// wordStart writes the space owed before a word.
func (w *textWriter) wordStart() {
	if w.space && len(w.para) > 0 && w.para[len(w.para)-1] != '\n' {
		w.para = append(w.para, ' ')
	}
	w.space = false
}

func (w *textWriter) lineBreak() {
	w.para = append(w.para, '\n')
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
	var label []byte
	if l.start <= len(w.para) {
		label = bytes.TrimSpace(w.para[l.start:])
	}
	shown := href
	if hasPrefixFold(href, "mailto:") || hasPrefixFold(href, "tel:") {
		_, shown, _ = strings.Cut(href, ":")
	}
	w.spaced = w.spaced || strings.IndexByte(shown, ' ') >= 0
	switch {
	case string(label) == shown || string(label) == href:
	case len(label) == 0:
		w.space = true
		w.word(shown)
	default:
		w.space = true
		w.wordStart()
		w.para = append(w.para, '(')
		w.para = append(w.para, shown...)
		w.para = append(w.para, ')')
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

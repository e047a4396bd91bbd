package templates

import (
	"bytes"
	"html"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Links lists the absolute http(s) links of a rendered HTML body, in order,
// as written after HTML-unescaping.
func Links(body string) []string {
	var links []string
	s := tagScanner{src: body}
	for t, ok := s.next(); ok; t, ok = s.next() {
		if href, ok := t.href(); ok {
			links = append(links, href)
		}
	}
	return links
}

// RewriteLinks returns body with the href of every <a> and <area> that holds
// an http(s) URL replaced by rewrite(url); rewrite returns ("", false) to
// keep a link as it is (the unsubscribe link, say). mailto:, tel: and #
// links are never offered to it. The url is the attribute value
// HTML-unescaped ("&amp;" becomes "&"). When pixelURL is not empty an
// invisible 1x1 image loading it goes before </body>, or at the end when
// there is no body element. Every other byte is kept as it was.
func RewriteLinks(body string, rewrite func(url string) (string, bool), pixelURL string) string {
	b := linkBuffers.Get().(*bytes.Buffer)
	defer releaseLinkBuffer(b)
	pixel := pixelURL != ""
	s := tagScanner{src: body}
	copied := 0
	for t, ok := s.next(); ok; t, ok = s.next() {
		switch {
		case t.closing && pixel && strings.EqualFold(t.name, "body"):
			b.WriteString(body[copied:t.start])
			writePixel(b, pixelURL)
			pixel, copied = false, t.start
		case !t.closing && t.hrefEnd > 0:
			copied = rewriteHref(b, body, copied, t, rewrite)
		}
	}
	b.WriteString(body[copied:])
	if pixel {
		writePixel(b, pixelURL)
	}
	return b.String()
}

// linkBuffers keeps RewriteLinks's buffer between messages: the result's
// size is only known at the end, and growing a builder to it would copy it
// more than once.
var linkBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func releaseLinkBuffer(b *bytes.Buffer) {
	if b.Cap() > 256<<10 {
		return // a very large document: let its buffer go
	}
	b.Reset()
	linkBuffers.Put(b)
}

// rewriteHref writes body up to t's href value, then the rewritten value if
// rewrite wants one, and returns how far body has been copied.
func rewriteHref(b *bytes.Buffer, body string, copied int, t tag, rewrite func(string) (string, bool)) int {
	url, ok := t.href()
	if !ok {
		return copied
	}
	to, ok := rewrite(url)
	if !ok {
		return copied
	}
	b.WriteString(body[copied:t.hrefStart])
	if t.quote == 0 {
		b.WriteByte('"')
	}
	writeEscaped(b, to)
	if t.quote == 0 {
		b.WriteByte('"')
	}
	return t.hrefEnd
}

func writePixel(b *bytes.Buffer, url string) {
	b.WriteString(`<img src="`)
	writeEscaped(b, url)
	b.WriteString(`" width="1" height="1" alt="" style="display:none">`)
}

// writeEscaped writes html.EscapeString(s) without making the string.
func writeEscaped(b *bytes.Buffer, s string) {
	for {
		i := strings.IndexAny(s, `&'<>"`)
		if i < 0 {
			b.WriteString(s)
			return
		}
		b.WriteString(s[:i])
		switch s[i] {
		case '&':
			b.WriteString("&amp;")
		case '\'':
			b.WriteString("&#39;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&#34;")
		}
		s = s[i+1:]
	}
}

// href returns the tag's link when it is an absolute http(s) URL. Browsers
// ignore the spaces around a URL, and so does this.
func (t tag) href() (string, bool) {
	if t.hrefEnd == 0 {
		return "", false
	}
	v := unescapeAttr(t.src[t.hrefStart:t.hrefEnd])
	v = strings.Trim(v, " \t\n\f\r")
	if !hasPrefixFold(v, "http://") && !hasPrefixFold(v, "https://") {
		return "", false
	}
	return v, true
}

// unescapeAttr decodes character references the way browsers do inside an
// attribute, which differs from text: a legacy reference written without
// its semicolon stays literal when a letter, digit or "=" follows, so the
// query "?a=1&region=de" keeps its "&reg" instead of becoming "®ion".
func unescapeAttr(v string) string {
	i := strings.IndexByte(v, '&')
	if i < 0 {
		return v
	}
	var b strings.Builder
	b.Grow(len(v))
	for i >= 0 {
		b.WriteString(v[:i])
		ref, n := charRef(v[i:])
		b.WriteString(ref)
		v = v[i+n:]
		i = strings.IndexByte(v, '&')
	}
	b.WriteString(v)
	return b.String()
}

// charRef decodes the reference at the start of s ("&...") and returns it
// with the number of bytes it used; a "&" that starts no reference stands
// for itself.
func charRef(s string) (string, int) {
	if len(s) > 1 && s[1] == '#' {
		return numericRef(s)
	}
	n := 1
	for n < len(s) && isASCIIAlnum(s[n]) {
		n++
	}
	switch {
	case n == 1:
		return "&", 1
	case n < len(s) && s[n] == ';':
		n++
	case n < len(s) && s[n] == '=':
		return s[:n], n // "&amp=" in a query is literal
	}
	name := s[:n]
	if ref := namedRef(name); isWholeRef(name, ref) {
		return ref, n
	}
	return name, n
}

// namedRef decodes the named reference name ("&" with the letters and
// digits after it and the ";" that follows them), as in text: a legacy
// name without ";" is decoded even at the start of a longer one.
func namedRef(name string) string {
	// The standard library leaves out the two references whose decoding
	// takes more bytes than their name.
	switch name {
	case "&nLt;":
		return "\u226a\u20d2"
	case "&nGt;":
		return "\u226b\u20d2"
	}
	return html.UnescapeString(name)
}

// isWholeRef tells the decoding of a whole reference from that of a legacy
// prefix ("&region" -> "®ion"), which browsers do not apply inside
// attributes: a prefix match leaves the rest of the name behind it.
func isWholeRef(name, ref string) bool {
	if ref == name {
		return false
	}
	return name == "&semi;" || !strings.HasSuffix(ref, name[len(name)-1:])
}

// numericRef decodes "&#65;", "&#x41;" and their forms without ";" as
// browsers do, which html.UnescapeString does not quite: it leaves "&#5" at
// the end of its input and "&#1x" alone, and lets "&#4294967361;" wrap
// around to "A".
func numericRef(s string) (string, int) {
	n := 2
	hex := n < len(s) && (s[n] == 'x' || s[n] == 'X')
	if hex {
		n++
	}
	first := n
	var r rune
digits:
	for ; n < len(s); n++ {
		var d rune
		switch c := s[n]; {
		case '0' <= c && c <= '9':
			d = rune(c - '0')
		case hex && isHexLetter(c):
			d = rune(c|0x20-'a') + 10
		default:
			break digits
		}
		if r <= unicode.MaxRune { // more digits cannot make it valid
			if hex {
				r = r*16 + d
			} else {
				r = r*10 + d
			}
		}
	}
	if n == first {
		return "&", 1
	}
	if n < len(s) && s[n] == ';' {
		n++
	}
	switch {
	case 0x80 <= r && r <= 0x9f:
		r = windows1252[r-0x80] // what old pages meant by these
	case r == 0 || 0xd800 <= r && r <= 0xdfff || r > unicode.MaxRune:
		r = utf8.RuneError
	}
	return string(r), n
}

// windows1252 maps the C1 controls 0x80 to 0x9f as browsers do in
// references, to the characters of Windows-1252.
var windows1252 = [32]rune{
	'\u20ac', '\u0081', '\u201a', '\u0192', '\u201e', '\u2026', '\u2020', '\u2021',
	'\u02c6', '\u2030', '\u0160', '\u2039', '\u0152', '\u008d', '\u017d', '\u008f',
	'\u0090', '\u2018', '\u2019', '\u201c', '\u201d', '\u2022', '\u2013', '\u2014',
	'\u02dc', '\u2122', '\u0161', '\u203a', '\u0153', '\u009d', '\u017e', '\u0178',
}

func isHexLetter(c byte) bool {
	return 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isASCIIAlnum(c byte) bool {
	return isASCIILetter(c) || '0' <= c && c <= '9'
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

package templates

import (
	"html"
	"strings"
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
	var b strings.Builder
	b.Grow(len(body) + len(body)/8 + len(pixelURL) + 128)
	pixel := pixelURL != ""
	s := tagScanner{src: body}
	copied := 0
	for t, ok := s.next(); ok; t, ok = s.next() {
		switch {
		case t.closing && pixel && strings.EqualFold(t.name, "body"):
			b.WriteString(body[copied:t.start])
			writePixel(&b, pixelURL)
			pixel, copied = false, t.start
		case !t.closing && t.hrefEnd > 0:
			copied = rewriteHref(&b, body, copied, t, rewrite)
		}
	}
	b.WriteString(body[copied:])
	if pixel {
		writePixel(&b, pixelURL)
	}
	return b.String()
}

// rewriteHref writes body up to t's href value, then the rewritten value if
// rewrite wants one, and returns how far body has been copied.
func rewriteHref(b *strings.Builder, body string, copied int, t tag, rewrite func(string) (string, bool)) int {
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
	b.WriteString(html.EscapeString(to))
	if t.quote == 0 {
		b.WriteByte('"')
	}
	return t.hrefEnd
}

func writePixel(b *strings.Builder, url string) {
	b.WriteString(`<img src="`)
	b.WriteString(html.EscapeString(url))
	b.WriteString(`" width="1" height="1" alt="" style="display:none">`)
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
	if ref := html.UnescapeString(name); isWholeRef(name, ref) {
		return ref, n
	}
	return name, n
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

// numericRef decodes "&#65;", "&#x41;" and their forms without ";".
func numericRef(s string) (string, int) {
	n := 2
	hex := n < len(s) && (s[n] == 'x' || s[n] == 'X')
	if hex {
		n++
	}
	digits := n
	for n < len(s) && ('0' <= s[n] && s[n] <= '9' || hex && isHexLetter(s[n])) {
		n++
	}
	if n == digits {
		return "&", 1
	}
	if n < len(s) && s[n] == ';' {
		return html.UnescapeString(s[:n+1]), n + 1
	}
	// html.UnescapeString leaves a short reference without ";" at the end of
	// its input alone ("&#5"); browsers decode it.
	return html.UnescapeString(s[:n] + ";"), n
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

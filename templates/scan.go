package templates

import "strings"

// tag is one start or end tag found by tagScanner. For <a> and <area> the
// scanner also records where the value of the first href attribute lies
// (hrefEnd is 0 when there is none).
type tag struct {
	start, end         int // "<" to just past ">"
	name               string
	closing            bool
	hrefStart, hrefEnd int
	quote              byte // the quote around the href value, 0 if unquoted
	src                string
}

// tagScanner walks an HTML document tag by tag. It follows the HTML
// tokenizer's rules for where tags, comments and raw-text elements (script,
// style, title, ...) begin and end, but never looks at text, which makes it
// several times faster than a full tokenizer: link rewriting runs for every
// message sent. The one simplification is that a script's content ends at
// the first "</script", ignoring the rarely met escaped-script states.
type tagScanner struct {
	src     string
	pos     int
	rawText string // the element whose raw text comes next, lower-case
	// element, when set, receives what TextFromHTML needs of each start tag,
	// read in place of the href.
	element *element
}

func (s *tagScanner) next() (tag, bool) {
	for s.pos < len(s.src) {
		if s.rawText != "" {
			s.skipRawText()
			continue
		}
		i := strings.IndexByte(s.src[s.pos:], '<')
		if i < 0 || s.pos+i+1 >= len(s.src) {
			break
		}
		start := s.pos + i
		if t, ok := s.markup(start); ok {
			return t, true
		}
	}
	s.pos = len(s.src)
	return tag{}, false
}

// markup reads whatever starts with the "<" at start, moving s.pos past it,
// and reports whether it was a tag.
func (s *tagScanner) markup(start int) (tag, bool) {
	src := s.src
	c := src[start+1]
	switch {
	case isASCIILetter(c):
		return s.tag(start, start+1, false)
	case c == '/' && start+2 < len(src) && isASCIILetter(src[start+2]):
		return s.tag(start, start+2, true)
	case c == '/' && start+2 < len(src) && src[start+2] == '>':
		s.pos = start + 3 // "</>" is nothing at all
	case strings.HasPrefix(src[start:], "<!--"):
		s.pos = commentEnd(src, start+4)
	case c == '!' || c == '?' || c == '/':
		s.pos = closeAngle(src, start+2) // doctype, bogus comment
	default:
		s.pos = start + 1 // a lone "<" is text
	}
	return tag{}, false
}

func (s *tagScanner) tag(start, nameStart int, closing bool) (tag, bool) {
	src := s.src
	i := nameStart
	for i < len(src) && !isHTMLSpace(src[i]) && src[i] != '/' && src[i] != '>' {
		i++
	}
	t := tag{start: start, name: src[nameStart:i], closing: closing, src: src}
	var end int
	var ok bool
	if s.element != nil && !closing {
		end, ok = t.readElement(i, s.element)
	} else {
		wantHref := !closing && (strings.EqualFold(t.name, "a") || strings.EqualFold(t.name, "area"))
		end, ok = t.readAttrs(i, wantHref)
	}
	if !ok {
		s.pos = len(src) // the document ends inside the tag: it is not one
		return tag{}, false
	}
	t.end, s.pos = end, end
	if !closing && rawTextElement(t.name) {
		s.rawText = strings.ToLower(t.name)
	}
	return t, true
}

// readAttrs reads attributes from i to the closing ">", recording the first
// href when wanted. It returns the offset past ">" and false if there is
// none.
func (t *tag) readAttrs(i int, wantHref bool) (int, bool) {
	src := t.src
	for {
		i = skipHTMLSpace(src, i)
		if i >= len(src) {
			return 0, false
		}
		if src[i] == '>' {
			return i + 1, true
		}
		var a attr
		a, i = nextAttr(src, i)
		if wantHref && a.hasValue && strings.EqualFold(a.name, "href") {
			t.hrefStart, t.hrefEnd, t.quote = a.valStart, a.valEnd, a.quote
			wantHref = false
		} else if wantHref && strings.EqualFold(a.name, "href") {
			wantHref = false // a valueless href still hides later ones
		}
	}
}

type attr struct {
	name             string
	valStart, valEnd int
	quote            byte
	hasValue         bool
}

// nextAttr reads one attribute starting at i (not a space, not ">"), as the
// HTML tokenizer does: "/" separates attributes, "=" may start a name, and
// an unquoted value runs to a space or ">".
func nextAttr(src string, i int) (attr, int) {
	ks := i
	for i < len(src) {
		c := src[i]
		if c == '=' && i == ks {
			i++
			continue
		}
		if c == '=' || c == '/' || c == '>' || isHTMLSpace(c) {
			break
		}
		i++
	}
	a := attr{name: src[ks:i]}
	i = skipHTMLSpace(src, i)
	if i >= len(src) || src[i] != '=' {
		if i < len(src) && src[i] == '/' {
			i++
		}
		return a, i
	}
	return attrValue(src, skipHTMLSpace(src, i+1), a)
}

func attrValue(src string, i int, a attr) (attr, int) {
	if i >= len(src) || src[i] == '>' {
		return a, i
	}
	a.hasValue = true
	if q := src[i]; q == '"' || q == '\'' {
		a.quote, a.valStart = q, i+1
		j := strings.IndexByte(src[i+1:], q)
		if j < 0 {
			a.valEnd = len(src)
			return a, len(src)
		}
		a.valEnd = i + 1 + j
		return a, a.valEnd + 1
	}
	a.valStart = i
	for i < len(src) && !isHTMLSpace(src[i]) && src[i] != '>' {
		i++
	}
	a.valEnd = i
	return a, i
}

// skipRawText moves past the content of a script, style, title or similar
// element, up to its end tag, which the next call then reads as a tag.
func (s *tagScanner) skipRawText() {
	name := s.rawText
	s.rawText = ""
	if name == "plaintext" {
		s.pos = len(s.src)
		return
	}
	for i := s.pos; ; {
		j := strings.Index(s.src[i:], "</")
		if j < 0 {
			s.pos = len(s.src)
			return
		}
		i += j
		k := i + 2 + len(name)
		if k < len(s.src) && strings.EqualFold(s.src[i+2:k], name) && endsRawName(s.src[k]) {
			s.pos = i
			return
		}
		i += 2
	}
}

func endsRawName(c byte) bool { return isHTMLSpace(c) || c == '/' || c == '>' }

// rawTextElement reports whether name's content is raw text; it switches
// on the length first because it runs for every start tag.
func rawTextElement(name string) bool {
	var candidates []string
	switch len(name) {
	case 3:
		candidates = []string{"xmp"}
	case 5:
		candidates = []string{"style", "title"}
	case 6:
		candidates = []string{"iframe", "script"}
	case 7:
		candidates = []string{"noembed"}
	case 8:
		candidates = []string{"noframes", "noscript", "textarea"}
	case 9:
		candidates = []string{"plaintext"}
	}
	for _, c := range candidates {
		if strings.EqualFold(name, c) {
			return true
		}
	}
	return false
}

// commentEnd returns the offset past a comment whose body starts at i. Like
// browsers it accepts "-->", "--!>", and "<!-->" or "<!--->" as empty
// comments.
func commentEnd(src string, i int) int {
	dashes, beginning := 0, true
	for ; i < len(src); i++ {
		switch src[i] {
		case '-':
			dashes++
			continue
		case '>':
			if dashes >= 2 || beginning {
				return i + 1
			}
		case '!':
			if dashes >= 2 && i+1 < len(src) {
				if src[i+1] == '>' {
					return i + 2
				}
				i++
				if src[i] == '-' {
					dashes, beginning = 1, false
					continue
				}
			}
		}
		dashes, beginning = 0, false
	}
	return len(src)
}

func closeAngle(src string, i int) int {
	if i >= len(src) {
		return len(src)
	}
	if j := strings.IndexByte(src[i:], '>'); j >= 0 {
		return i + j + 1
	}
	return len(src)
}

func skipHTMLSpace(src string, i int) int {
	for i < len(src) && isHTMLSpace(src[i]) {
		i++
	}
	return i
}

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f'
}

func isASCIILetter(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

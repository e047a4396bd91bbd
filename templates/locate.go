package templates

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template/parse"
	"unicode"
)

// This file places parse errors, which text/template reports by line only.

var parseErrRE = regexp.MustCompile(`(?s)^template: [^:]*:(\d+): (.*)$`)

// parseError places a parse error. text/template reports only a line, so
// the action at fault is found again: lexical errors by scanning actions,
// a missing {{end}} by matching blocks, and anything else by parsing
// prefixes of the source that end after an action: the parser stops at the
// first bad token, so the shortest prefix that fails the same way ends with
// the culprit.
func parseError(part, src string, err error) *Error {
	m := parseErrRE.FindStringSubmatch(err.Error())
	if m == nil {
		return &Error{Part: part, Msg: err.Error()}
	}
	line, _ := strconv.Atoi(m[1])
	msg := m[2]
	acts, bad := scanActions(src)
	if bad >= 0 && isLexical(msg) {
		return errorAt(part, src, bad, "%s", msg)
	}
	if msg == "unexpected EOF" {
		if a, kw, ok := unclosedBlock(src, acts); ok {
			return errorAt(part, src, a.start, "{{%s}} is never closed: add {{end}}", kw)
		}
	}
	// Prefixes ending before the culprit parse or fail differently, those
	// ending after it fail the same way: a binary search finds it.
	k := sort.Search(len(acts), func(k int) bool {
		return parseMessage(part, src[:acts[k].end]) == err.Error()
	})
	if k < len(acts) {
		return errorAt(part, src, pinpoint(src, acts[k], msg), "%s", msg)
	}
	if bad >= 0 && strings.HasPrefix(src[bad:], "{{") {
		// The parser gave up inside an action that has no closing "}}";
		// that is the mistake to show.
		return errorAt(part, src, bad, "unclosed action: %s", msg)
	}
	if bad >= 0 {
		return errorAt(part, src, bad, "%s", msg)
	}
	return &Error{Part: part, Line: line, Column: 1, Msg: msg}
}

func isLexical(msg string) bool {
	return strings.HasPrefix(msg, "unclosed action") || strings.HasPrefix(msg, "unclosed comment") ||
		strings.HasPrefix(msg, "unterminated ")
}

func parseMessage(name, src string) string {
	if _, err := parseTrees(name, src); err != nil {
		return err.Error()
	}
	return ""
}

// parseTrees parses without checking function names: Compile checks them
// itself so that it can say where the unknown one is.
func parseTrees(name, src string) (map[string]*parse.Tree, error) {
	t := parse.New(name)
	t.Mode = parse.SkipFuncCheck | parse.ParseComments
	trees := map[string]*parse.Tree{}
	_, err := t.Parse(src, "", "", trees)
	return trees, err
}

// pinpoint narrows an error to the token its message quotes when that token
// occurs once in the action; otherwise the action itself is the place.
func pinpoint(src string, a action, msg string) int {
	tok := quotedToken(msg)
	body := src[a.start:a.end]
	if tok == "" || strings.Count(body, tok) != 1 {
		return a.start
	}
	return a.start + strings.Index(body, tok)
}

func quotedToken(msg string) string {
	i := strings.IndexAny(msg, `"<`)
	if i < 0 {
		return ""
	}
	closing := byte('"')
	if msg[i] == '<' {
		closing = '>'
	}
	j := strings.IndexByte(msg[i+1:], closing)
	if j <= 0 {
		return ""
	}
	return msg[i+1 : i+1+j]
}

// action is the span of one {{ ... }} in a template source, from the left
// delimiter to just past the right one.
type action struct{ start, end int }

// scanActions finds the actions in src as the template lexer does; bad is
// the offset of a lexical error (unclosed action, comment or string) or -1.
func scanActions(src string) (acts []action, bad int) {
	for i := 0; ; {
		j := strings.Index(src[i:], "{{")
		if j < 0 {
			return acts, -1
		}
		end, bad := actionEnd(src, i+j)
		if bad >= 0 {
			return acts, bad
		}
		acts = append(acts, action{start: i + j, end: end})
		i = end
	}
}

// actionEnd follows the lexer far enough to know where the action opening
// at start closes: strings and comments may themselves contain "}}".
func actionEnd(src string, start int) (end, bad int) {
	i := start + len("{{")
	if len(src) > i+1 && src[i] == '-' && isTemplateSpace(src[i+1]) {
		i += 2
	}
	if strings.HasPrefix(src[i:], "/*") {
		k := strings.Index(src[i+2:], "*/")
		if k < 0 {
			return 0, i
		}
		i += 2 + k + 2
	}
	for i < len(src) {
		switch c := src[i]; c {
		case '"', '\'', '`':
			k := literalEnd(src, i+1, c)
			if k < 0 {
				return 0, i
			}
			i = k
			continue
		case '}':
			if strings.HasPrefix(src[i:], "}}") {
				return i + 2, -1
			}
		}
		i++
	}
	return 0, start
}

// literalEnd returns the offset just past the closing quote of a literal
// whose body starts at i, or -1 if it is unterminated. Only raw strings
// (backquotes) may span lines.
func literalEnd(src string, i int, quote byte) int {
	for i < len(src) {
		c := src[i]
		switch {
		case c == quote:
			return i + 1
		case quote == '`':
		case c == '\n':
			return -1
		case c == '\\':
			if i+1 < len(src) && src[i+1] == '\n' {
				return -1
			}
			i++
		}
		i++
	}
	return -1
}

func isTemplateSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

// unclosedBlock returns the innermost block action lacking an {{end}}.
func unclosedBlock(src string, acts []action) (action, string, bool) {
	var open []action
	var kws []string
	for _, a := range acts {
		switch kw := keyword(src[a.start:a.end]); kw {
		case "if", "with", "range", "block", "define":
			open, kws = append(open, a), append(kws, kw)
		case "end":
			if len(open) > 0 {
				open, kws = open[:len(open)-1], kws[:len(kws)-1]
			}
		}
	}
	if len(open) == 0 {
		return action{}, "", false
	}
	return open[len(open)-1], kws[len(kws)-1], true
}

func keyword(act string) string {
	s := strings.TrimPrefix(act, "{{")
	if len(s) > 1 && s[0] == '-' && isTemplateSpace(s[1]) {
		s = s[1:]
	}
	s = strings.TrimLeft(s, " \t\r\n")
	if end := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }); end >= 0 {
		s = s[:end]
	}
	return s
}

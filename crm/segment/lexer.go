package segment

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokenKind int

const (
	tokEOF tokenKind = iota
	tokWord
	tokString
	tokLParen
	tokRParen
	tokComma
	tokEq
	tokNe
	tokMatch
	tokLt
	tokGt
	tokLe
	tokGe
)

// token is one lexeme. For a string, text is the unescaped value; for
// everything else it is the source text.
type token struct {
	kind tokenKind
	text string
	pos  int
}

// describe names a token the way an error message shows what was found.
func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "end of input"
	case tokString:
		return "string " + quote(t.text)
	}
	return `"` + t.text + `"`
}

// isWord reports whether t is the bare word w, ignoring case, as keywords
// and field names are case-insensitive.
func (t token) isWord(w string) bool {
	return t.kind == tokWord && strings.EqualFold(t.text, w)
}

// punctuation maps single-character tokens; "!", "<" and ">" are handled
// apart because they may start two-character operators.
var punctuation = map[rune]tokenKind{
	'(': tokLParen, ')': tokRParen, ',': tokComma, '=': tokEq, '~': tokMatch,
}

// lexer turns the source into tokens up front: expressions are short, and a
// slice gives the parser free lookahead.
type lexer struct {
	src  []rune
	i    int
	toks []token
}

func lex(src string) ([]token, error) {
	if err := checkUTF8(src); err != nil {
		return nil, err
	}
	l := &lexer{src: []rune(src)}
	for {
		l.skipSpace()
		if l.i >= len(l.src) {
			break
		}
		if err := l.next(); err != nil {
			return nil, err
		}
	}
	l.toks = append(l.toks, token{kind: tokEOF, pos: len(l.src) + 1})
	return l.toks, nil
}

// checkUTF8 rejects invalid encodings early: Postgres would refuse them as
// parameters anyway, and positions are counted in runes.
func checkUTF8(src string) error {
	pos := 1
	for i, r := range src {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(src[i:]); size == 1 {
				return errorf(pos, "invalid UTF-8 encoding")
			}
		}
		pos++
	}
	return nil
}

func (l *lexer) skipSpace() {
	for l.i < len(l.src) && unicode.IsSpace(l.src[l.i]) {
		l.i++
	}
}

func (l *lexer) emit(kind tokenKind, text string, start int) {
	l.toks = append(l.toks, token{kind: kind, text: text, pos: start + 1})
}

func (l *lexer) next() error {
	r := l.src[l.i]
	switch {
	case r == '"':
		return l.str()
	case isWordRune(r):
		l.word()
	case punctuation[r] != 0:
		l.emit(punctuation[r], string(r), l.i)
		l.i++
	case r == '<' || r == '>' || r == '!':
		return l.comparison()
	default:
		return l.unexpected(r)
	}
	return nil
}

// isWordRune reports whether r may appear in a bare word. Beyond letters and
// digits it admits the punctuation of dates, timestamps and email addresses,
// so 2026-01-31, 2026-01-31T09:00:00+01:00 and x@y.org need no quotes.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) ||
		strings.ContainsRune("_-.@+:", r)
}

func (l *lexer) word() {
	start := l.i
	for l.i < len(l.src) && isWordRune(l.src[l.i]) {
		l.i++
	}
	l.emit(tokWord, string(l.src[start:l.i]), start)
}

// comparisonOps are the operators that start with <, > or !.
var comparisonOps = map[string]tokenKind{"<": tokLt, ">": tokGt, "<=": tokLe, ">=": tokGe, "!=": tokNe}

// comparison lexes <, >, <=, >= and !=.
func (l *lexer) comparison() error {
	start, text := l.i, string(l.src[l.i])
	l.i++
	if l.i < len(l.src) && l.src[l.i] == '=' {
		text += "="
		l.i++
	}
	kind, ok := comparisonOps[text]
	if !ok {
		return errorf(start+1, `unexpected character "!"; the operator is "!="`)
	}
	l.emit(kind, text, start)
	return nil
}

func (l *lexer) unexpected(r rune) error {
	pos := l.i + 1
	switch {
	case r == '\'':
		return errorf(pos, `unexpected character "'"; strings use double quotes`)
	case !unicode.IsPrint(r):
		return errorf(pos, "unexpected character %U", r)
	}
	return errorf(pos, "unexpected character %s; put values that contain it in double quotes", quote(string(r)))
}

// str lexes a double-quoted string. Only \" and \\ are escapes, so a
// backslash before anything else is an error rather than a silent guess.
func (l *lexer) str() error {
	start := l.i
	var b strings.Builder
	for l.i++; l.i < len(l.src); l.i++ {
		switch r := l.src[l.i]; r {
		case '"':
			l.i++
			l.emit(tokString, b.String(), start)
			return nil
		case '\\':
			if err := l.escape(&b); err != nil {
				return err
			}
		case 0:
			return errorf(l.i+1, "strings cannot contain the NUL character")
		default:
			b.WriteRune(r)
		}
	}
	return errorf(start+1, "unterminated string: expected a closing double quote, found end of input")
}

func (l *lexer) escape(b *strings.Builder) error {
	l.i++
	if l.i >= len(l.src) {
		return errorf(l.i, `unterminated string: expected a character after "\", found end of input`)
	}
	r := l.src[l.i]
	if r != '"' && r != '\\' {
		return errorf(l.i, `unknown escape "\%c" in string; only \" and \\ are escapes`, r)
	}
	b.WriteRune(r)
	return nil
}

// quote writes s as a string literal of the language, the inverse of str.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

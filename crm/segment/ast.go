package segment

import (
	"strings"
	"unicode/utf8"
)

// Expr is a parsed segment expression. Its String method prints a
// canonical form (lower-case keywords, British field names, minimal quotes
// and parentheses) that parses back to the same expression, so stored
// segments can be normalised and compared.
type Expr interface {
	String() string
	isExpr()
}

type andExpr struct{ terms []Expr }

type orExpr struct{ terms []Expr }

type notExpr struct{ x Expr }

// comparison is "field op value" or "field [not] in (values)".
type comparison struct {
	field  *field
	op     op
	values []value
}

// value is a value as written, kept raw until Compile validates it against
// its field, and located so that a validation error can point at it.
type value struct {
	text string
	pos  int
}

func (*andExpr) isExpr()          {}
func (*orExpr) isExpr()           {}
func (*notExpr) isExpr()          {}
func (*comparison) isExpr()       {}
func (*Engagement) isExpr()       {}
func (e *andExpr) String() string { return joinTerms(e.terms, " and ", bindAnd) }
func (e *orExpr) String() string  { return joinTerms(e.terms, " or ", bindOr) }
func (e *notExpr) String() string { return "not " + operand(e.x, bindAtom) }

// Binding strengths, for printing only the parentheses that change meaning:
// "not" binds tighter than "and", which binds tighter than "or".
const (
	bindOr = iota
	bindAnd
	bindAtom
)

func binding(e Expr) int {
	switch e.(type) {
	case *orExpr:
		return bindOr
	case *andExpr:
		return bindAnd
	}
	return bindAtom
}

// operand prints e, in parentheses if it binds more loosely than least.
func operand(e Expr, least int) string {
	if binding(e) < least {
		return "(" + e.String() + ")"
	}
	return e.String()
}

func joinTerms(terms []Expr, sep string, least int) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = operand(t, least)
	}
	return strings.Join(parts, sep)
}

// String prints the comparison with its values quoted only where needed.
func (c *comparison) String() string {
	head := c.field.name + " " + c.op.String() + " "
	if c.op != opIn && c.op != opNotIn {
		return head + c.values[0].String()
	}
	parts := make([]string, len(c.values))
	for i, v := range c.values {
		parts[i] = v.String()
	}
	return head + "(" + strings.Join(parts, ", ") + ")"
}

// String prints the value bare when it would lex back as the same word,
// and quoted otherwise.
func (v value) String() string {
	if isBareWord(v.text) {
		return v.text
	}
	return quote(v.text)
}

func isBareWord(s string) bool {
	if s == "" || reserved[strings.ToLower(s)] || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !isWordRune(r) {
			return false
		}
	}
	return true
}

// reserved words cannot be bare values, so that "country = and" reports a
// missing value instead of silently comparing with the word "and".
var reserved = map[string]bool{"and": true, "or": true, "not": true, "in": true, "contains": true}

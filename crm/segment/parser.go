package segment

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Parse parses a segment expression. Blank input yields a nil Expr, which
// selects every contact; errors are *Error. Parse checks syntax, field
// names and which operators each field allows; Compile checks the values.
func Parse(src string) (Expr, error) {
	if strings.TrimFunc(src, unicode.IsSpace) == "" {
		return nil, nil
	}
	if utf8.RuneCountInString(src) > MaxLength {
		return nil, errorf(MaxLength+1, "expression is longer than %d characters", MaxLength)
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, errorf(t.pos, `expected "and", "or" or end of input, found %s`, t.describe())
	}
	return e, nil
}

// parser is a recursive-descent parser; precedence is not > and > or.
type parser struct {
	toks  []token
	i     int
	depth int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

// or parses "and-terms" joined by "or", flattening nested disjunctions so
// that equal expressions have equal trees.
func (p *parser) or() (Expr, error) {
	terms, err := p.list("or", p.and)
	if err != nil || len(terms) == 1 {
		return first(terms), err
	}
	return &orExpr{terms: flatten(terms, func(e Expr) []Expr {
		if o, ok := e.(*orExpr); ok {
			return o.terms
		}
		return nil
	})}, nil
}

func (p *parser) and() (Expr, error) {
	terms, err := p.list("and", p.unary)
	if err != nil || len(terms) == 1 {
		return first(terms), err
	}
	return &andExpr{terms: flatten(terms, func(e Expr) []Expr {
		if a, ok := e.(*andExpr); ok {
			return a.terms
		}
		return nil
	})}, nil
}

// list parses operands separated by the keyword sep.
func (p *parser) list(sep string, operand func() (Expr, error)) ([]Expr, error) {
	var terms []Expr
	for {
		e, err := operand()
		if err != nil {
			return nil, err
		}
		terms = append(terms, e)
		if !p.peek().isWord(sep) {
			return terms, nil
		}
		p.next()
	}
}

func first(terms []Expr) Expr {
	if len(terms) == 0 {
		return nil
	}
	return terms[0]
}

// flatten splices the children that inner returns in place of their parent.
func flatten(terms []Expr, inner func(Expr) []Expr) []Expr {
	var out []Expr
	for _, t := range terms {
		if sub := inner(t); sub != nil {
			out = append(out, sub...)
		} else {
			out = append(out, t)
		}
	}
	return out
}

// enter counts one level of nesting; the limit keeps recursion, and the
// SQL built from it, bounded.
func (p *parser) enter(t token) error {
	p.depth++
	if p.depth > MaxDepth {
		return errorf(t.pos, "expression nests deeper than %d levels", MaxDepth)
	}
	return nil
}

func (p *parser) unary() (Expr, error) {
	t := p.peek()
	if !t.isWord("not") {
		return p.primary()
	}
	p.next()
	if err := p.enter(t); err != nil {
		return nil, err
	}
	x, err := p.unary()
	p.depth--
	if err != nil {
		return nil, err
	}
	return &notExpr{x: x}, nil
}

func (p *parser) primary() (Expr, error) {
	t := p.peek()
	switch {
	case t.kind == tokLParen:
		return p.parens()
	case t.kind == tokWord && isEngagement(t.text):
		return p.engagement()
	case t.kind == tokWord && lookupField(t.text) != nil:
		return p.comparison()
	case t.kind == tokWord && !reserved[strings.ToLower(t.text)]:
		return nil, unknownField(t)
	}
	return nil, errorf(t.pos, "expected a condition (a field such as seniority, or an engagement such as replied), found %s", t.describe())
}

func (p *parser) parens() (Expr, error) {
	open := p.next()
	if err := p.enter(open); err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind == tokRParen {
		return nil, errorf(t.pos, `expected a condition after "(", found ")"`)
	}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	p.depth--
	return e, p.closeParen(open)
}

func (p *parser) closeParen(open token) error {
	switch t := p.next(); t.kind {
	case tokRParen:
		return nil
	case tokEOF:
		return errorf(t.pos, `expected ")" to close "(" at position %d, found end of input`, open.pos)
	default:
		return errorf(t.pos, `expected "and", "or" or ")", found %s`, t.describe())
	}
}

func unknownField(t token) error {
	names := append(fieldNames(), engagementKinds...)
	if s, ok := suggest(t.text, names); ok {
		return errorf(t.pos, "unknown field %s; did you mean %q?", t.describe(), s)
	}
	return errorf(t.pos, "unknown field %s; fields are %s, and engagements are %s",
		t.describe(), strings.Join(fieldNames(), ", "), strings.Join(engagementKinds, ", "))
}

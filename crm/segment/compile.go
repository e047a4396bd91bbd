package segment

import (
	"errors"
	"fmt"
	"strings"
)

// Options configures Compile.
type Options struct {
	// Engagement compiles an engagement predicate to a boolean SQL condition
	// over contact c, adding its values with args.Add; nil means engagement
	// predicates are refused. The condition must never be NULL (EXISTS is
	// the natural shape), so that "not" keeps its plain meaning.
	Engagement func(e *Engagement, args *Args) (string, error)
}

// Compile turns e into a boolean SQL condition over contacts aliased c, for
// use as "WHERE ... AND (<condition>)"; the parentheses are needed, as the
// condition may be a disjunction. Every value becomes a placeholder whose
// value is appended to args, which must not be nil; on error args is left
// unchanged. The
// condition is never NULL, so "not" selects exactly the contacts the
// positive form leaves out. A nil e selects every contact: "TRUE".
func Compile(e Expr, args *Args, opts Options) (string, error) {
	if e == nil {
		return "TRUE", nil
	}
	// Compiling into a scratch Args keeps a failed compile from leaving
	// half the values behind in the caller's.
	c := &compiler{args: NewArgs(args.next()), opts: opts}
	sql, _, err := c.expr(e)
	if err != nil {
		return "", err
	}
	args.values = append(args.values, c.args.values...)
	return sql, nil
}

// Where parses src and compiles it in one step; blank src gives "TRUE".
func Where(src string, args *Args, opts Options) (string, error) {
	e, err := Parse(src)
	if err != nil {
		return "", err
	}
	return Compile(e, args, opts)
}

// prec is how tightly a compiled condition binds, so that parentheses are
// added only where SQL precedence would otherwise regroup it.
type prec int

const (
	precOr  prec = iota // a disjunction, or SQL of unknown shape
	precAnd             // a conjunction
	precCmp             // a comparison or NOT
)

type compiler struct {
	args *Args
	opts Options
}

func (c *compiler) expr(e Expr) (string, prec, error) {
	switch e := e.(type) {
	case *andExpr:
		return c.join(e.terms, " AND ", precAnd)
	case *orExpr:
		return c.join(e.terms, " OR ", precOr)
	case *notExpr:
		return c.not(e.x)
	case *comparison:
		return c.comparison(e)
	case *Engagement:
		return c.engagement(e)
	}
	return "", 0, fmt.Errorf("segment: cannot compile %T", e)
}

// join compiles terms; any term looser than a comparison is parenthesised,
// which is required under AND and keeps mixed conditions readable under OR.
func (c *compiler) join(terms []Expr, sep string, p prec) (string, prec, error) {
	parts := make([]string, len(terms))
	for i, t := range terms {
		sql, tp, err := c.expr(t)
		if err != nil {
			return "", 0, err
		}
		parts[i] = paren(sql, tp)
	}
	return strings.Join(parts, sep), p, nil
}

func (c *compiler) not(x Expr) (string, prec, error) {
	sql, _, err := c.expr(x)
	if err != nil {
		return "", 0, err
	}
	return negate(sql), precCmp, nil
}

// negate always parenthesises: NOT binds more loosely than IN, LIKE and
// the comparison operators, and the parentheses spare the reader that rule.
func negate(sql string) string {
	return "NOT (" + sql + ")"
}

func paren(sql string, p prec) string {
	if p < precCmp {
		return "(" + sql + ")"
	}
	return sql
}

func (c *compiler) engagement(e *Engagement) (string, prec, error) {
	if c.opts.Engagement == nil {
		return "", 0, errorf(e.Pos, "engagement conditions such as %q need campaign data, which is not available here", e.Kind)
	}
	// The hook gets a copy, so that it cannot alter the caller's tree.
	copied := *e
	sql, err := c.opts.Engagement(&copied, c.args)
	var se *Error
	switch {
	case errors.As(err, &se):
		return "", 0, se
	case err != nil:
		return "", 0, errorf(e.Pos, "%s: %v", e.Kind, err)
	case strings.TrimSpace(sql) == "":
		return "", 0, errorf(e.Pos, "%s: no SQL for this engagement condition", e.Kind)
	}
	return sql, precOr, nil
}

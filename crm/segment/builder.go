package segment

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Building expressions from pickers: a form offers a field, one of its
// operators and values, and Condition writes the condition in the
// language, quoting values as the lexer needs, so that a coordinator who
// never types the syntax still gets an expression that parses.

// Engagements lists the engagement predicates, for pickers and help texts.
var Engagements = append([]string(nil), engagementKinds...)

// Operators lists the operators a field allows, as written in the
// language; for an engagement predicate they are "yes" (it happened) and
// "no" (it did not). Unknown names give nil.
func Operators(field string) []string {
	if isEngagement(field) {
		return []string{"yes", "no"}
	}
	f := lookupField(field)
	if f == nil {
		return nil
	}
	names := make([]string, len(f.ops))
	for i, o := range f.ops {
		names[i] = o.String()
	}
	return names
}

// Literal writes s as a value of the language: bare when it reads back as
// the same word, quoted otherwise ("Smith & Co", "and", "").
func Literal(s string) string { return value{text: s}.String() }

// Condition writes "field op value", or "field [not] in (v1, v2)" for the
// list operators, with every value quoted as needed. For an engagement
// predicate, op is "yes" or "no" and the one optional value is a campaign
// number: replied(campaign 12), not opened. Values are checked only for
// presence here; Compile checks them against the field.
func Condition(field, op string, values []string) (string, error) {
	if isEngagement(field) {
		return engagementCondition(strings.ToLower(field), op, values)
	}
	f := lookupField(field)
	if f == nil {
		return "", fmt.Errorf("unknown field %q", field)
	}
	o, ok := parseOp(op)
	if !ok || !f.allows(o) {
		return "", fmt.Errorf("%s takes %s, not %q", f.name, f.opList(), op)
	}
	if len(values) == 0 {
		return "", errors.New("choose or type a value")
	}
	if o != opIn && o != opNotIn {
		if len(values) > 1 {
			return "", fmt.Errorf("%q takes one value; use \"in\" for several", op)
		}
		return f.name + " " + o.String() + " " + Literal(values[0]), nil
	}
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = Literal(v)
	}
	return f.name + " " + o.String() + " (" + strings.Join(quoted, ", ") + ")", nil
}

func parseOp(s string) (op, bool) {
	s = strings.Join(strings.Fields(strings.ToLower(s)), " ")
	for o, name := range opNames {
		if name == s {
			return o, true
		}
	}
	return 0, false
}

func engagementCondition(kind, op string, values []string) (string, error) {
	var cond string
	switch len(values) {
	case 0:
		cond = kind
	case 1:
		id, err := strconv.ParseInt(strings.TrimSpace(values[0]), 10, 64)
		if err != nil || id < 1 {
			return "", fmt.Errorf("campaign %q is not a campaign number", values[0])
		}
		cond = kind + "(campaign " + strconv.FormatInt(id, 10) + ")"
	default:
		return "", fmt.Errorf("%s takes at most one campaign number", kind)
	}
	switch op {
	case "yes":
		return cond, nil
	case "no":
		return "not " + cond, nil
	}
	return "", fmt.Errorf("%s takes yes or no, not %q", kind, op)
}

// And appends cond to src with "and". When src is a disjunction it is put
// in parentheses first, since "a or b and c" would read as "a or (b and
// c)". A blank src gives cond alone; a src that does not parse is joined
// as written, so that its error still points at the text the coordinator
// typed.
func And(src, cond string) string {
	if strings.TrimSpace(src) == "" {
		return cond
	}
	src = strings.TrimSpace(src)
	if e, err := Parse(src); err == nil {
		if _, ok := e.(*orExpr); ok && !parenthesised(src) {
			src = "(" + src + ")"
		}
	}
	return src + " and " + cond
}

// parenthesised reports whether src is wrapped in one pair of parentheses
// that match each other: "(a or b)", but not "(a) or (b)", whose inside
// does not parse.
func parenthesised(src string) bool {
	if !strings.HasPrefix(src, "(") || !strings.HasSuffix(src, ")") {
		return false
	}
	_, err := Parse(src[1 : len(src)-1])
	return err == nil
}

package segment

import "strings"

// comparison compiles the negative operators as NOT of the positive one:
// because every positive condition is two-valued, "country != DE" then
// includes contacts without a country and "organisation_type != ngo" those
// without an organisation, as a reader expects.
func (c *compiler) comparison(x *comparison) (string, prec, error) {
	positive := map[op]op{opNe: opEq, opNotIn: opIn}[x.op]
	if positive == 0 {
		return c.positive(x, x.op)
	}
	sql, _, err := c.positive(x, positive)
	if err != nil {
		return "", 0, err
	}
	return negate(sql), precCmp, nil
}

func (c *compiler) positive(x *comparison, o op) (string, prec, error) {
	switch x.field.kind {
	case kindTime:
		return c.timeCond(x, o)
	case kindArray:
		return c.arrayCond(x, o)
	}
	return c.scalarCond(x, o)
}

// params normalises the comparison's values and binds them.
func (c *compiler) params(x *comparison) ([]string, error) {
	phs := make([]string, len(x.values))
	for i, v := range x.values {
		norm, err := normalise(x.field, v)
		if err != nil {
			return nil, err
		}
		phs[i] = c.args.Add(norm)
	}
	return phs, nil
}

// scalarCond compiles =, in and ~ on a text column of contacts or of
// organisations.
func (c *compiler) scalarCond(x *comparison, o op) (string, prec, error) {
	phs, err := c.params(x)
	if err != nil {
		return "", 0, err
	}
	lhs, rhs := x.field.column, phs
	if x.field.kind == kindText || x.field.kind == kindOrgText {
		// lower() on both sides, rather than strings.ToLower here, so that
		// Postgres folds case the same way for column and value.
		lhs, rhs = "lower("+lhs+")", wrapEach("lower(", phs, ")")
	}
	return scope(x.field, scalarOp(lhs, o, rhs))
}

func scalarOp(lhs string, o op, rhs []string) string {
	switch {
	case o == opMatch:
		// strpos, not LIKE, so that % and _ in the value need no escaping.
		return "strpos(" + lhs + ", " + rhs[0] + ") > 0"
	case o == opIn && len(rhs) > 1:
		return lhs + " IN (" + strings.Join(rhs, ", ") + ")"
	}
	return lhs + " = " + rhs[0]
}

// scope makes a condition on a nullable or organisation column two-valued.
// Organisation conditions are semi-joins, so the caller's query needs no
// join and a contact without an organisation simply does not match.
func scope(f *field, cond string) (string, prec, error) {
	switch f.kind {
	case kindEmail:
		return "c.email IS NOT NULL AND " + cond, precAnd, nil
	case kindOrgText, kindOrgEnum:
		return "c.organisation_id IS NOT NULL AND c.organisation_id IN " +
			"(SELECT o.id FROM organisations o WHERE " + cond + ")", precAnd, nil
	}
	return cond, precCmp, nil
}

// arrayCond compiles contains as array containment and in as overlap; both
// can use the GIN indexes on topics and tags.
func (c *compiler) arrayCond(x *comparison, o op) (string, prec, error) {
	phs, err := c.params(x)
	if err != nil {
		return "", 0, err
	}
	sqlOp := map[op]string{opContains: " @> ", opIn: " && "}[o]
	return x.field.column + sqlOp + "ARRAY[" + strings.Join(phs, ", ") + "]::text[]", precCmp, nil
}

// instantOps maps operators on a timestamp to SQL.
var instantOps = map[op]string{opEq: "=", opLt: "<", opGt: ">", opLe: "<=", opGe: ">="}

// dayBounds turns an order comparison with a whole day into one with an
// instant: the start of the day or of the next day.
var dayBounds = map[op]struct {
	sql     string
	nextDay bool
}{
	opLt: {"<", false},  // before the day starts
	opGe: {">=", false}, // from the day's start
	opLe: {"<", true},   // before the next day starts
	opGt: {">=", true},  // from the next day's start
}

// timeCond compiles comparisons on created_at. A date stands for the whole
// day in UTC, so "created_at <= 2026-01-31" includes that day and
// "created_at = 2026-01-31" is a half-open range over it.
func (c *compiler) timeCond(x *comparison, o op) (string, prec, error) {
	v, col := x.values[0], x.field.column
	t, dateOnly, ok := parseTime(v.text)
	switch {
	case !ok:
		return "", 0, errorf(v.pos, "invalid date %s for %s; use a date such as 2026-01-31 "+
			"or an RFC 3339 timestamp such as 2026-01-31T09:00:00Z", quote(v.text), x.field.name)
	case !dateOnly:
		return col + " " + instantOps[o] + " " + c.args.Add(t), precCmp, nil
	case o == opEq:
		return col + " >= " + c.args.Add(t) + " AND " + col + " < " + c.args.Add(t.AddDate(0, 0, 1)), precAnd, nil
	}
	b := dayBounds[o]
	if b.nextDay {
		t = t.AddDate(0, 0, 1)
	}
	return col + " " + b.sql + " " + c.args.Add(t), precCmp, nil
}

func wrapEach(prefix string, items []string, suffix string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = prefix + s + suffix
	}
	return out
}

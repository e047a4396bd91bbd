package crm

import (
	"outreach/crm/segment"
)

// Filter selects contacts with a segment expression. Segment carries the
// compiler options, such as the engagement predicates campaign data provides;
// without them those predicates are refused with a clear error.
type Filter struct {
	Where   string
	Segment segment.Options
}

// compile turns the filter into a SQL condition over contacts c whose
// placeholders start at $first.
func (f Filter) compile(first int) (string, []any, error) {
	args := segment.NewArgs(first)
	cond, err := segment.Where(f.Where, args, f.Segment)
	if err != nil {
		return "", nil, err
	}
	return "(" + cond + ")", args.Values(), nil
}

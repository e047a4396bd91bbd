package segment

import "strconv"

// Args collects the values behind a query's $n placeholders, so that a
// compiled fragment can sit after parameters the caller already bound.
type Args struct {
	first  int
	values []any
}

// NewArgs returns an Args whose first placeholder is $first; a caller whose
// query already uses $1 and $2 passes 3. Numbers below 1 mean 1.
func NewArgs(first int) *Args {
	return &Args{first: max(first, 1)}
}

// Add appends v and returns its placeholder, such as "$3".
func (a *Args) Add(v any) string {
	a.values = append(a.values, v)
	return "$" + strconv.Itoa(a.first+len(a.values)-1)
}

// Values returns the collected values in placeholder order, ready to pass
// to a query after the caller's own arguments.
func (a *Args) Values() []any {
	return a.values
}

// next returns the number the next placeholder will get.
func (a *Args) next() int {
	return a.first + len(a.values)
}

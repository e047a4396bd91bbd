package segment

import (
	"errors"
	"regexp"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"
)

// sqlWords is every identifier and keyword the compiler (and the test
// engagement hook) may emit. A value spliced into the SQL would show up as
// a token outside this list, or as a quote or other character the SQL
// tokenizer below refuses.
var sqlWords = map[string]bool{
	"TRUE": true, "NOT": true, "AND": true, "OR": true, "IN": true, "IS": true, "NULL": true,
	"SELECT": true, "FROM": true, "WHERE": true, "EXISTS": true, "ARRAY": true, "text": true,
	"lower": true, "strpos": true, "organisations": true, "o": true, "o.id": true, "o.name": true, "o.type": true,
	"c.id": true, "c.email": true, "c.first_name": true, "c.last_name": true, "c.job_title": true,
	"c.seniority": true, "c.organisation_id": true, "c.country": true, "c.language": true,
	"c.topics": true, "c.tags": true, "c.consent": true, "c.created_at": true,
	"activities": true, "a": true, "a.contact_id": true, "a.kind": true, "a.campaign_id": true, "a.occurred_at": true,
	"0": true, "1": true,
	"(": true, ")": true, ",": true, "[": true, "]": true, "::": true,
	"=": true, "<": true, ">": true, "<=": true, ">=": true, "@>": true, "&&": true,
}

var sqlToken = regexp.MustCompile(`^(?:\s+|\$[1-9][0-9]*|[A-Za-z_][A-Za-z0-9_]*(?:\.[a-z_]+)?|[0-9]+|::|<=|>=|@>|&&|[()\[\],=<>])`)

// sqlTokens splits compiled SQL, failing on anything outside the allow-list,
// and returns the placeholder numbers in order of appearance.
func sqlTokens(t *testing.T, sql string) []int {
	t.Helper()
	var placeholders []int
	for rest := sql; rest != ""; {
		tok := sqlToken.FindString(rest)
		switch {
		case tok == "":
			t.Fatalf("SQL %q: unexpected text at %q", sql, rest)
		case tok[0] == '$':
			n, _ := strconv.Atoi(tok[1:])
			placeholders = append(placeholders, n)
		case tok[0] == ' ' || tok[0] == '\n' || tok[0] == '\t':
		case !sqlWords[tok]:
			t.Fatalf("SQL %q: token %q is not in the allow-list", sql, tok)
		}
		rest = rest[len(tok):]
	}
	return placeholders
}

// checkPlaceholders asserts that each value has exactly one placeholder,
// numbered from first without gaps.
func checkPlaceholders(t *testing.T, sql string, first int, values []any) {
	t.Helper()
	seen := map[int]bool{}
	for _, n := range sqlTokens(t, sql) {
		if seen[n] || n < first || n >= first+len(values) {
			t.Fatalf("SQL %q: placeholder $%d repeated or outside $%d..$%d", sql, n, first, first+len(values)-1)
		}
		seen[n] = true
	}
	if len(seen) != len(values) {
		t.Fatalf("SQL %q has %d placeholders, want len(Values()) = %d", sql, len(seen), len(values))
	}
	for _, v := range values {
		switch v.(type) {
		case string, int64, time.Time:
		default:
			t.Fatalf("SQL %q: value %#v has unexpected type %T", sql, v, v)
		}
	}
}

// sameValues compares argument lists; cheaper than cmp.Equal, which
// matters when the fuzzer minimises a long input.
func sameValues(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		ta, aIsTime := a[i].(time.Time)
		tb, bIsTime := b[i].(time.Time)
		if aIsTime != bIsTime || (aIsTime && !ta.Equal(tb)) || (!aIsTime && a[i] != b[i]) {
			return false
		}
	}
	return true
}

func FuzzWhere(f *testing.F) {
	var seeds []string
	for _, c := range parseCases {
		seeds = append(seeds, c.src)
	}
	for _, c := range compileCases {
		seeds = append(seeds, c.src)
	}
	for _, c := range errorCases {
		seeds = append(seeds, c.src)
	}
	for _, s := range seeds {
		// The limit cases are kilobytes long; as seeds they would make
		// the fuzzer spend its time minimising them. TestWhereErrors
		// covers them.
		if len(s) <= 512 {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		const first = 3
		args := NewArgs(first)
		sql, err := Where(src, args, hooked)
		if err != nil {
			checkError(t, src, err, args)
			return
		}
		checkPlaceholders(t, sql, first, args.Values())
		checkRoundTrip(t, src, sql, args.Values())
	})
}

// checkError asserts that a failure is an *Error located within the input
// and leaves no values behind.
func checkError(t *testing.T, src string, err error, args *Args) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Where(%q) error %v is %T, want *Error", src, err, err)
	}
	if e.Pos < 1 || e.Pos > utf8.RuneCountInString(src)+1 {
		t.Fatalf("Where(%q) error position %d outside the input: %v", src, e.Pos, err)
	}
	if len(args.Values()) != 0 {
		t.Fatalf("Where(%q) failed but left %d values", src, len(args.Values()))
	}
}

// checkRoundTrip asserts that the canonical form compiles to the same SQL.
func checkRoundTrip(t *testing.T, src, sql string, values []any) {
	t.Helper()
	e, _ := Parse(src)
	if e == nil {
		return
	}
	canonical := e.String()
	if utf8.RuneCountInString(canonical) > MaxLength {
		return // spacing can push a valid expression over the limit
	}
	args := NewArgs(3)
	again, err := Where(canonical, args, hooked)
	if err != nil || again != sql || !sameValues(args.Values(), values) {
		t.Fatalf("canonical form %q of %q compiles to %q, %v; want %q", canonical, src, again, err, sql)
	}
}

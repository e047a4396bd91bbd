package segment

import "strings"

// op is a comparison operator.
type op int

const (
	opEq op = iota + 1
	opNe
	opIn
	opNotIn
	opContains
	opMatch
	opLt
	opGt
	opLe
	opGe
)

var opNames = map[op]string{
	opEq: "=", opNe: "!=", opIn: "in", opNotIn: "not in", opContains: "contains",
	opMatch: "~", opLt: "<", opGt: ">", opLe: "<=", opGe: ">=",
}

// String returns the operator as written in the language.
func (o op) String() string { return opNames[o] }

// symbolOps maps operator tokens; the word operators (in, not in, contains)
// are recognised by the parser.
var symbolOps = map[tokenKind]op{
	tokEq: opEq, tokNe: opNe, tokMatch: opMatch, tokLt: opLt, tokGt: opGt, tokLe: opLe, tokGe: opGe,
}

// kind groups fields that compile to the same shape of SQL.
type kind int

const (
	kindEmail   kind = iota + 1 // nullable, stored lower-case
	kindText                    // NOT NULL text, compared case-insensitively
	kindEnum                    // NOT NULL text with canonical values, compared exactly
	kindOrgText                 // organisations column, compared case-insensitively
	kindOrgEnum                 // organisations column with canonical values
	kindArray                   // text[] of normalised slugs
	kindTime                    // timestamptz
)

// field describes one field of the language and the column behind it.
type field struct {
	name   string
	kind   kind
	column string
	ops    []op
}

var (
	textOps  = []op{opEq, opNe, opIn, opNotIn, opMatch}
	enumOps  = []op{opEq, opNe, opIn, opNotIn}
	arrayOps = []op{opContains, opIn, opNotIn}
	timeOps  = []op{opEq, opNe, opLt, opGt, opLe, opGe}
)

// fieldList is the language's fields in the order help texts show them.
var fieldList = []*field{
	{"email", kindEmail, "c.email", textOps},
	{"first_name", kindText, "c.first_name", textOps},
	{"last_name", kindText, "c.last_name", textOps},
	{"job_title", kindText, "c.job_title", textOps},
	{"seniority", kindEnum, "c.seniority", enumOps},
	{"organisation", kindOrgText, "o.name", textOps},
	{"organisation_type", kindOrgEnum, "o.type", enumOps},
	{"country", kindEnum, "c.country", enumOps},
	{"language", kindEnum, "c.language", enumOps},
	{"topics", kindArray, "c.topics", arrayOps},
	{"tags", kindArray, "c.tags", arrayOps},
	{"consent", kindEnum, "c.consent", enumOps},
	{"created_at", kindTime, "c.created_at", timeOps},
}

// aliases accepts US spellings, which many users type by habit.
var aliases = map[string]string{
	"organization":      "organisation",
	"organization_type": "organisation_type",
}

// Fields lists the field names of the language, for help texts and
// autocompletion.
var Fields = fieldNames()

func fieldNames() []string {
	names := make([]string, len(fieldList))
	for i, f := range fieldList {
		names[i] = f.name
	}
	return names
}

// lookupField finds a field by name, ignoring case and accepting aliases.
func lookupField(name string) *field {
	name = strings.ToLower(name)
	if canonical, ok := aliases[name]; ok {
		name = canonical
	}
	for _, f := range fieldList {
		if f.name == name {
			return f
		}
	}
	return nil
}

func (f *field) allows(o op) bool {
	for _, a := range f.ops {
		if a == o {
			return true
		}
	}
	return false
}

// opList names the field's operators for error messages: "=, !=, in or not in".
func (f *field) opList() string {
	names := make([]string, len(f.ops))
	for i, o := range f.ops {
		names[i] = o.String()
	}
	return orList(names)
}

// orList joins items as "a, b or c".
func orList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

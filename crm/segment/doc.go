// Package segment owns the segment expression language: coordinators and
// the API select contacts with expressions such as
//
//	seniority in (middle, operational) and organisation_type = business_support
//	  and country in (DE, AT) and topics contains access_to_finance
//	  and not replied(campaign 12)
//
// Parse turns the text into an Expr; Compile turns an Expr into a boolean
// Postgres condition over the contacts table aliased c. Values never reach
// the SQL text: each becomes a $n placeholder collected in Args, and the
// SQL itself is built only from fixed column names and operators. Where
// does both steps.
//
// # Grammar
//
// Keywords and field names are case-insensitive; "not" binds tighter than
// "and", which binds tighter than "or".
//
//	expression = disjunct { "or" disjunct } .
//	disjunct   = unary { "and" unary } .
//	unary      = "not" unary | primary .
//	primary    = "(" expression ")" | comparison | engagement .
//	comparison = field ( symbol value | [ "not" ] "in" list | "contains" value ) .
//	symbol     = "=" | "!=" | "~" | "<" | ">" | "<=" | ">=" .
//	list       = "(" value { "," value } ")" .
//	engagement = kind [ "(" argument { "," argument } ")" ] .
//	kind       = "invited" | "opened" | "clicked" | "replied" | "rsvp" .
//	argument   = "campaign" number | "since" time | "within" duration
//	           | "yes" | "no" .
//	duration   = number ( "h" | "d" | "w" ) .
//	time       = date | timestamp .
//	value      = word | string .
//	word       = wordchar { wordchar } .
//	wordchar   = letter | digit | "_" | "-" | "." | "@" | "+" | ":" .
//	string     = `"` { character | `\"` | `\\` } `"` .
//
// A word may not be one of the keywords and, or, not, in or contains; quote
// it to use it as a value. A date (2026-01-31) means that day in UTC; a
// timestamp is RFC 3339 (2026-01-31T09:00:00+01:00). Only rsvp takes yes or
// no; since and within are exclusive. Limits: MaxLength characters,
// MaxDepth levels of parentheses and "not", MaxValues values in one list.
//
// # Fields
//
// Field (operators): compiled condition.
//
//	email (=, !=, in, not in, ~): c.email IS NOT NULL AND c.email = $1; values are lower-cased
//	first_name, last_name, job_title (=, !=, in, not in, ~): lower(c.first_name) = lower($1),
//	    lower(c.first_name) IN (lower($1), lower($2)), strpos(lower(c.first_name), lower($1)) > 0
//	seniority, consent (=, !=, in, not in): c.seniority = $1, c.seniority IN ($1, $2)
//	country (=, !=, in, not in): c.country = $1; ISO codes or English names, "" for unknown
//	language (=, !=, in, not in): c.language = $1; normalised by vocab.Language, "" for unknown
//	organisation (=, !=, in, not in, ~): c.organisation_id IS NOT NULL AND c.organisation_id IN
//	    (SELECT o.id FROM organisations o WHERE lower(o.name) = lower($1))
//	organisation_type (=, !=, in, not in): as organisation, with o.type = $1
//	topics, tags (contains, in, not in): c.topics @> ARRAY[$1]::text[], c.topics && ARRAY[$1, $2]::text[]
//	created_at (=, !=, <, >, <=, >=): c.created_at < $1; a date compares by whole days
//
// "organization" and "organization_type" are accepted for the organisation
// fields. The negative forms, "!=", "not in" and "not", compile to NOT of
// the positive condition, which is never NULL; so "organisation_type != ngo"
// includes contacts without an organisation. Engagement predicates are
// compiled by Options.Engagement, since campaign data lives elsewhere.
//
// Errors are *Error values that carry the 1-based character position of the
// problem, for a form to point at.
package segment

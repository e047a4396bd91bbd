package segment

import (
	"slices"
	"strconv"
	"strings"
)

// comparison parses "field op value" and "field [not] in (value, ...)".
func (p *parser) comparison() (Expr, error) {
	name := p.next()
	f := lookupField(name.text)
	opTok := p.peek()
	o, err := p.operator(f, name)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(f.ops, o) {
		return nil, errorf(opTok.pos, "field %s does not support %q; use %s", f.name, o.String(), f.opList())
	}
	c := &comparison{field: f, op: o}
	if o == opIn || o == opNotIn {
		c.values, err = p.valueList(o)
	} else {
		var v value
		v, err = p.value(`"` + o.String() + `"`)
		c.values = []value{v}
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// operator reads a symbol or one of the word operators in, not in and contains.
func (p *parser) operator(f *field, name token) (op, error) {
	t := p.next()
	if o, ok := symbolOps[t.kind]; ok {
		return o, nil
	}
	switch {
	case t.isWord("in"):
		return opIn, nil
	case t.isWord("contains"):
		return opContains, nil
	case t.isWord("not") && p.peek().isWord("in"):
		p.next()
		return opNotIn, nil
	case t.isWord("not"):
		u := p.peek()
		return 0, errorf(u.pos, `expected "in" after "%s not", found %s`, f.name, u.describe())
	}
	return 0, errorf(t.pos, "expected an operator (%s) after %s, found %s", f.opList(), name.describe(), t.describe())
}

// value reads one bare word or quoted string; after names the preceding
// text for the error message.
func (p *parser) value(after string) (value, error) {
	t := p.peek()
	switch {
	case t.kind == tokString:
		p.next()
		return value{text: t.text, pos: t.pos}, nil
	case t.kind == tokWord && !reserved[strings.ToLower(t.text)]:
		p.next()
		return value{text: t.text, pos: t.pos}, nil
	case t.kind == tokWord:
		return value{}, errorf(t.pos, "expected a value after %s, found %s; quote it to use it as a value", after, t.describe())
	}
	return value{}, errorf(t.pos, "expected a value after %s, found %s", after, t.describe())
}

// valueList reads "(v, ...)" after in or not in.
func (p *parser) valueList(o op) ([]value, error) {
	open := p.next()
	if open.kind != tokLParen {
		return nil, errorf(open.pos, `expected "(" after %q, found %s`, o.String(), open.describe())
	}
	var values []value
	after := `"` + o.String() + ` ("`
	for {
		v, err := p.value(after)
		if err != nil {
			return nil, err
		}
		if len(values) == MaxValues {
			return nil, errorf(v.pos, "too many values in the list; at most %d are allowed", MaxValues)
		}
		values = append(values, v)
		if done, err := p.listSeparator(open); done || err != nil {
			return values, err
		}
		after = `","`
	}
}

// listSeparator consumes "," (more values follow) or ")" (done).
func (p *parser) listSeparator(open token) (done bool, err error) {
	switch t := p.next(); t.kind {
	case tokComma:
		return false, nil
	case tokRParen:
		return true, nil
	case tokEOF:
		return true, errorf(t.pos, `expected ")" to close the list opened at position %d, found end of input`, open.pos)
	default:
		return true, errorf(t.pos, `expected "," or ")" in the list, found %s`, t.describe())
	}
}

func isEngagement(word string) bool {
	return slices.Contains(engagementKinds, strings.ToLower(word))
}

// engagement parses kind or kind(arg, ...).
func (p *parser) engagement() (Expr, error) {
	t := p.next()
	e := &Engagement{Kind: strings.ToLower(t.text), Pos: t.pos}
	if p.peek().kind != tokLParen {
		return e, nil
	}
	open := p.next()
	for {
		if err := p.engagementArg(e); err != nil {
			return nil, err
		}
		if done, err := p.argSeparator(e, open); done || err != nil {
			return e, err
		}
	}
}

func (p *parser) argSeparator(e *Engagement, open token) (done bool, err error) {
	switch t := p.next(); t.kind {
	case tokComma:
		return false, nil
	case tokRParen:
		return true, nil
	case tokEOF:
		return true, errorf(t.pos, `expected ")" to close "%s(" at position %d, found end of input`, e.Kind, open.pos)
	default:
		return true, errorf(t.pos, `expected "," or ")" in %s(...), found %s`, e.Kind, t.describe())
	}
}

// engagementArg parses one of: campaign N, since DATE, within DURATION,
// and for rsvp, yes or no.
func (p *parser) engagementArg(e *Engagement) error {
	t := p.next()
	word := strings.ToLower(t.text)
	if t.kind != tokWord {
		word = ""
	}
	switch word {
	case "campaign":
		return p.campaignArg(e, t)
	case "since":
		return p.sinceArg(e, t)
	case "within":
		return p.withinArg(e, t)
	case "yes", "no":
		return answerArg(e, t, word)
	}
	return errorf(t.pos, "expected %s in %s(...), found %s", orList(engagementArgs(e.Kind)), e.Kind, t.describe())
}

func engagementArgs(kind string) []string {
	args := []string{`"campaign"`, `"since"`, `"within"`}
	if kind == "rsvp" {
		args = append(args, `"yes"`, `"no"`)
	}
	return args
}

func (p *parser) campaignArg(e *Engagement, kw token) error {
	if e.CampaignID != 0 {
		return errorf(kw.pos, "campaign is given twice in %s(...)", e.Kind)
	}
	t := p.next()
	id, err := strconv.ParseInt(t.text, 10, 64)
	if t.kind != tokWord || err != nil || id < 1 || strings.TrimLeft(t.text, "0123456789") != "" {
		return errorf(t.pos, `expected a campaign number after "campaign", found %s`, t.describe())
	}
	e.CampaignID = id
	return nil
}

func (p *parser) sinceArg(e *Engagement, kw token) error {
	if err := p.lowerBoundOnce(e, kw); err != nil {
		return err
	}
	t := p.next()
	at, _, ok := parseTime(t.text)
	if t.kind != tokWord || !ok {
		return errorf(t.pos, `expected a date such as 2026-01-31 or an RFC 3339 timestamp after "since", found %s`, t.describe())
	}
	e.Since = at
	return nil
}

func (p *parser) withinArg(e *Engagement, kw token) error {
	if err := p.lowerBoundOnce(e, kw); err != nil {
		return err
	}
	t := p.next()
	d, ok := parseDuration(t.text)
	if t.kind != tokWord || !ok {
		return errorf(t.pos, `expected a duration such as 12h, 30d or 2w after "within", found %s`, t.describe())
	}
	e.Within = d
	return nil
}

// lowerBoundOnce refuses a second since or within: both set a lower bound
// on time, and two bounds would leave the reader guessing which one wins.
func (p *parser) lowerBoundOnce(e *Engagement, kw token) error {
	word := strings.ToLower(kw.text)
	switch {
	case e.Since.IsZero() && e.Within == 0:
		return nil
	case word == "since" && !e.Since.IsZero(), word == "within" && e.Within != 0:
		return errorf(kw.pos, "%s is given twice in %s(...)", word, e.Kind)
	}
	return errorf(kw.pos, "%s(...) takes since or within, not both", e.Kind)
}

func answerArg(e *Engagement, t token, word string) error {
	switch {
	case e.Kind != "rsvp":
		return errorf(t.pos, "only rsvp takes %q; %s(...) takes campaign, since or within", word, e.Kind)
	case e.Answer != "":
		return errorf(t.pos, "the answer is given twice in rsvp(...)")
	}
	e.Answer = word
	return nil
}

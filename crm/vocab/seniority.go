package vocab

import "strings"

// Seniority canonical values. They are stored in contacts.seniority and
// written bare in segment expressions (seniority in (middle, operational)).
const (
	// Executive is whoever runs, owns or governs the organisation: CEO,
	// managing or executive director, founder, board, Geschäftsführer/in.
	Executive = "executive"
	// Senior is the head of a department, unit or programme.
	Senior = "senior"
	// Middle is a manager of projects, programmes or a team, a coordinator.
	Middle = "middle"
	// Operational is whoever does the work with entrepreneurs: officer,
	// advisor, coach, mentor, trainer, assistant, consultant.
	Operational = "operational"
	// Unknown is stored when neither the row nor the job title tells: a
	// wrong guess would put a contact on the wrong invitation list.
	Unknown = "unknown"
)

// Seniorities lists the canonical seniority values from the top of an
// organisation down, Unknown last; reports and forms keep this order.
var Seniorities = []string{Executive, Senior, Middle, Operational, Unknown}

// ParseSeniority returns the canonical seniority for s, which must be one of
// the canonical values in any case, with surrounding spaces allowed. Job
// titles are not accepted here: an explicit seniority column is a
// coordinator's decision, and a guess belongs to InferSeniority, which the
// caller marks as inferred.
func ParseSeniority(s string) (string, bool) {
	s = strings.TrimSpace(s)
	for _, v := range Seniorities {
		if strings.EqualFold(s, v) {
			return v, true
		}
	}
	return "", false
}

// level orders seniorities so that a title naming two roles ("Coach und
// Geschäftsführerin") takes the higher one.
type level uint8

const (
	levelNone level = iota
	levelOperational
	levelMiddle
	levelSenior
	levelExecutive
)

var levelNames = [...]string{Unknown, Operational, Middle, Senior, Executive}

// InferSeniority returns the seniority a job title most likely denotes, or
// Unknown when no role word is recognised. It reads English and German
// titles, and French, Spanish, Italian, Portuguese, Dutch, Polish and
// Swedish ones, in any case, with German gender forms ("Leiter:in",
// "Berater*in", "Referent/-in", "LeiterIn", "Mitarbeiter(in)") and Romance
// ones ("Diretor/a", "Técnico(a)", "Directeur·rice").
//
// A title is read the way a person reads it. Separators ("," "|" "/" "(" "
// - ") and conjunctions ("and", "und", "&") split it into roles, and the
// highest role wins: "Founder & Coach" is executive. Within one role, the
// head noun decides and what follows "of", "to", "für", "de" only qualifies
// it, so "Assistant to the CEO" is operational and "Head of Finance" senior;
// a conjunction inside that qualifier ("Head of Finance and Administration")
// does not start a new role. Before the qualifier the last role word is the
// head ("Executive Assistant", "Projektmanager"), except that a German
// management body after another role names its domain ("Assistenz
// Geschäftsführung"). A bare "Director" or "Direktorin" heads an
// organisation and is executive; "Director of ..." and "Programme Director"
// are senior. A "Responsable" or "Responsabile" is middle unless the role
// names a department, unit, area or pôle it heads ("Responsable de
// département", "Responsabile area finanza"). Text after "at", "bei",
// "chez" or "@" names the employer and is ignored.
func InferSeniority(jobTitle string) string {
	var sc titleScan
	sc.scan(jobTitle)
	return levelNames[sc.level()]
}

// role is what a lexicon word says about whoever bears it.
type role struct {
	level level
	kind  roleKind
}

type roleKind uint8

const (
	kindPlain roleKind = iota
	// kindAlone is executive when it stands alone or beside an executive
	// role or a board ("Director", "Founder Director", "Board Director")
	// and senior when qualified ("Programme Director", "Director of X").
	kindAlone
	// kindMember is executive for a member of a board and operational
	// otherwise ("Board Member", "Mitglied des Vorstands", "Team Member").
	kindMember
	// kindChief is executive in "Chief ... Officer" and "Chief Executive",
	// senior otherwise ("Chief Economist").
	kindChief
	// kindWeak yields to any other role in the same segment, so that
	// "Chief Financial Officer" is read by "Chief", not "Officer".
	kindWeak
	// kindField is a phrase that names a field of work, not a role. It is
	// read as one word so that its "to" does not start a qualifier:
	// "Access to Finance Officer".
	kindField
	// kindResponsible is senior when the role names an organisational unit
	// ("Responsable du pôle entrepreneuriat", "Responsable de
	// departamento") and keeps its level otherwise ("Responsable de
	// projet", "Responsable de proyectos").
	kindResponsible
)

// segment accumulates one role of a title: the words between separators.
type segment struct {
	words      int  // words seen, to tell a bare "Director" from a qualified one
	qualifier  bool // past "of", "to", "für": role words only qualify the head
	stopped    bool // past "at", "bei": the employer's name follows
	board      bool // a board or management body is named
	body       bool // a board, not just the word "executive"
	department bool // a department, unit, area or pôle is named
	officer    bool // "officer" or "executive" follows a "Chief"
	head       role
	hasHead    bool
	weak       role
	hasWeak    bool
	aloneBoost bool // a kindAlone head stands beside an executive role
}

func (g *segment) add(r role, unit bool) {
	if g.qualifier {
		return
	}
	switch r.kind {
	case kindWeak, kindMember:
		g.weak, g.hasWeak = r, true
		return
	}
	if unit && g.hasHead {
		// "Assistenz Geschäftsführung": the body is the assistant's domain.
		return
	}
	if r.kind == kindAlone {
		g.aloneBoost = g.hasHead && g.head.level == levelExecutive && g.head.kind == kindPlain
	}
	g.head, g.hasHead = r, true
}

func (g *segment) close() level {
	r, ok := g.head, g.hasHead
	if !ok {
		r, ok = g.weak, g.hasWeak
	}
	if !ok {
		return levelNone
	}
	switch r.kind {
	case kindAlone:
		if g.words == 1 || g.aloneBoost || g.body {
			return levelExecutive
		}
		return levelSenior
	case kindMember:
		if g.board {
			return levelExecutive
		}
		return levelOperational
	case kindChief:
		if g.officer {
			return levelExecutive
		}
		return levelSenior
	case kindResponsible:
		if g.department {
			return levelSenior
		}
	}
	return r.level
}

// level reads the scanned title role by role and returns the highest.
func (sc *titleScan) level() level {
	best := levelNone
	var g segment
	closeRole := func() {
		best = max(best, g.close())
		g = segment{}
	}
	for i := 0; i < sc.nt; i++ {
		t := sc.toks[i]
		switch t.kind {
		case tokBreak:
			closeRole()
			continue
		case tokAnd:
			if !g.qualifier && !g.stopped {
				closeRole()
			}
			continue
		case tokAt:
			g.stopped = true
			continue
		}
		if g.stopped {
			continue
		}
		i += sc.readWord(i, &g, closeRole)
	}
	closeRole()
	return best
}

// readWord reads the word at token i into g and returns how many further
// tokens a matched phrase consumed.
func (sc *titleScan) readWord(i int, g *segment, closeRole func()) int {
	w := sc.word(sc.toks[i])
	e := lexicon[string(w)]
	if e != nil {
		if n, r, ok := sc.phrase(e, i); ok {
			g.words++ // a phrase is one word: "Vice President" stands alone
			if r.kind != kindField {
				g.add(r, false)
			}
			return n
		}
		switch {
		case e.filler:
			return 0
		case e.stop:
			g.stopped = true
			return 0
		case e.conj:
			if !g.qualifier {
				closeRole()
			}
			return 0
		case e.prep:
			g.qualifier = true
			return 0
		}
	}
	g.words++
	if e != nil {
		g.board = g.board || e.board
		g.body = g.body || (e.board && !e.officer)
		g.department = g.department || e.dept
		g.officer = g.officer || (e.officer && g.hasHead && g.head.kind == kindChief)
		if e.office && !g.qualifier && g.hasHead {
			// "CEO Office" is a place, not a role.
			g.hasHead = false
		}
		if e.hasRole {
			g.add(e.role, e.unit)
			return 0
		}
	}
	if g.qualifier {
		return 0
	}
	if r, unit, ok := compoundRole(w); ok {
		g.add(r, unit)
	}
	return 0
}

// phrase matches the longest lexicon phrase that starts at token i and
// returns how many tokens after i it spans.
func (sc *titleScan) phrase(e *lexEntry, i int) (int, role, bool) {
next:
	for _, p := range e.phrases {
		if i+len(p.rest) >= sc.nt {
			continue
		}
		for k, want := range p.rest {
			t := sc.toks[i+1+k]
			if t.kind != tokWord || string(sc.word(t)) != want {
				continue next
			}
		}
		return len(p.rest), p.role, true
	}
	return 0, role{}, false
}

// compoundRole recognises a word that is not in the lexicon as written: a
// gendered form ("Beraterin") or a compound whose last part is a role
// ("Abteilungsleiterin", "Projektkoordinator", "beleidsmedewerker").
func compoundRole(w []byte) (role, bool, bool) {
	stem := genderStem(w)
	if len(stem) != len(w) {
		if e := lexicon[string(stem)]; e != nil && e.hasRole {
			return e.role, e.unit, true
		}
	}
	h, ok := heads.longestSuffix(stem)
	if !ok {
		return role{}, false, false
	}
	r := h.role
	if r.kind == kindAlone && h.compound {
		// "Programmdirektor" is qualified by its first part.
		r = role{level: levelSenior}
	}
	return r, h.unit, true
}

package vocab

import (
	"fmt"
	"sort"
	"strings"
)

// roleGroup is a set of job-title words or phrases that denote one role.
// Terms are written as people write them (accents, hyphens, apostrophes) and
// are folded the same way titles are; German umlauts are also indexed in
// their digraph spelling ("geschaeftsfuehrer").
type roleGroup struct {
	role role
	// heads marks words that also end compounds and keep their meaning there:
	// "Leiter" in "Abteilungsleiter", "medewerker" in "beleidsmedewerker".
	heads bool
	// unit marks management bodies that name the domain of a role written
	// before them ("Assistenz Geschäftsführung", "Referentin Vorstand").
	unit  bool
	terms string // comma-separated
}

var (
	roleExec = role{level: levelExecutive}
	roleSen  = role{level: levelSenior}
	roleMid  = role{level: levelMiddle}
	roleOps  = role{level: levelOperational}
)

var roleGroups = []roleGroup{
	// Executive: who runs or owns the organisation, or sits on its board.
	{role: roleExec, terms: `ceo, cfo, coo, cto, cio, cmo, cso, cdo, cpo, chro, cxo, pdg, vd,
		owner, proprietor, president, chair, chairman, chairwoman, chairperson, vice chair,
		trustee, treasurer, partner, founding, entrepreneur, mayor, minister, rector,
		managing director, executive director, director general, general director,
		general manager, secretary general, general secretary, permanent secretary,
		state secretary, company director, non-executive director, managing partner,
		geschäftsführende, geschäftsführender, geschäftsführendes, vorständin,
		staatssekretär, generaldirektor,
		gérant, gérante, directeur général, directrice générale, directeur exécutif,
		directrice exécutive, délégué général, déléguée générale, secrétaire général,
		secrétaire générale, trésorier, trésorière,
		director ejecutivo, directora ejecutiva, directora general, consejero delegado,
		consejera delegada, secretario general, secretaria general, propietario,
		propietaria, tesorero, tesorera,
		amministratore delegato, amministratrice delegata, direttore generale,
		direttrice generale, direttore esecutivo, direttrice esecutiva,
		segretario generale, segretaria generale, titolare, tesoriere,
		diretor executivo, diretora executiva, diretor geral, diretora geral,
		proprietário, proprietária,
		algemeen directeur, algemeen directrice,
		dyrektor generalny, dyrektorka generalna, dyrektor zarządzający,
		dyrektorka zarządzająca, gerente general, przewodniczący, przewodnicząca, przedsiębiorca,
		verkställande direktör`},
	{role: roleExec, heads: true, terms: `founder, gründer, inhaber, gesellschafter,
		geschäftsführer, vorsitzende, vorsitzender, vorsitz, präsident, unternehmer,
		bürgermeister, rektor, vorstandsmitglied, aufsichtsratsmitglied,
		präsidiumsmitglied, beiratsmitglied, verwaltungsratsmitglied, fondateur, fondatrice, fundador, fundadora, fondatore,
		presidente, presidenta, emprendedor, emprendedora, imprenditore, imprenditrice,
		oprichter, eigenaar, voorzitter, bestuurder, bestuurslid, ondernemer,
		prezes, prezeska, założyciel, założycielka, właściciel, właścicielka,
		grundare, ordförande, styrelseledamot, generalsekreterare, ägare`},
	{role: roleExec, heads: true, unit: true, terms: `vorstand, geschäftsführung,
		geschäftsleitung, gesamtleitung`},
	{role: role{kind: kindAlone}, terms: `director, directora, direttore, direttrice,
		diretor, diretora, dyrektor, dyrektorka, vice president, vicepresident,
		vp, svp, evp`},
	{role: role{kind: kindAlone}, heads: true, terms: `direktor, directeur, directrice`},
	{role: role{kind: kindChief}, terms: `chief`},

	// Senior: heads a department, unit or programme.
	{role: roleSen, terms: `head, headteacher, head teacher, chief of staff, dean,
		professor, prof, country manager, associate partner, prokurist, dekan,
		chefredakteur, cheffe, jefe, jefa, capo, dirigente, chefe, kierownik, kierowniczka,
		zastępca dyrektora, zastępczyni dyrektora,
		subdirector, subdirectora, vicedirector, vicedirectora, vicedirettore,
		vicedirettrice, subdiretor, subdiretora`},
	{role: roleSen, heads: true, terms: `leiter, dezernent, chef, hoofd`},
	{role: roleSen, heads: true, unit: true, terms: `leitung, direktion`},

	// Middle: manages a project, programme or team.
	{role: roleMid, terms: `lead, leader, teamleader, supervisor, mgr, coord,
		gerente, gestor, gestora, leidinggevende,
		coordinateur, coordinatrice, coordinador, coordinadora, coordinatore,
		coordenador, coordenadora, koordynator, koordynatorka, lider, liderka,
		menedżer, menedżerka, menadżer,
		chef de projet, cheffe de projet, chef d'équipe, cheffe d'équipe,
		jefe de proyecto, jefa de proyecto, jefe de equipo, jefa de equipo,
		chefe de projeto, chefe de projecto, chefe de equipa, chefe de equipe,
		capo progetto, capoprogetto, kierownik projektu, kierowniczka projektu,
		assistant professor, associate professor`},
	{role: role{level: levelMiddle, kind: kindResponsible}, terms: `responsable,
		responsabile, responsável`},
	{role: roleMid, heads: true, terms: `manager, coordinator, koordinator, teamleiter,
		projektleiter, gruppenleiter, leider, ledare, samordnare`},
	{role: roleMid, heads: true, unit: true, terms: `koordination, teamleitung,
		projektleitung, gruppenleitung`},

	// Operational: does the work with entrepreneurs and partners.
	{role: roleOps, terms: `advisor, adviser, specialist, analyst, associate, intern,
		trainee, apprentice, volunteer, secretary, administrator, representative,
		expert, facilitator, educator, teacher, lecturer, researcher, developer,
		engineer, accountant, clerk, receptionist, staff, employee, worker, counsellor,
		counselor, caseworker, case manager, account manager, agent, pa, designer,
		editor, writer, mediator,
		journalist, freelancer, freelance, student, fellow, tutor,
		account executive, sales executive, marketing executive, business partner,
		auszubildende, auszubildender, azubi, ehrenamtliche, ehrenamtlicher,
		angestellte, angestellter, wissenschaftler, experte, kursleiter, stabsstelle,
		self-employed, selbstständig, selbständig, freiberuflich,
		seminarleiter, workshopleiter, übungsleiter, kursleitung, seminarleitung,
		moderator, lehrkraft,
		conseiller, conseillère, consultante, animateur, animatrice, formateur,
		formatrice, accompagnateur, accompagnatrice, stagiaire, assistante,
		secrétaire, délégué, déléguée, bénévole, employé, référente, gestionnaire,
		experte, ingénieur, ingénieure, juriste, mentore, technicien, technicienne,
		médiateur, médiatrice,
		chargé de, chargée de, chargé d', chargée d',
		técnico, técnica, asesor, asesora, consultor, consultora, formador,
		formadora, mentora, asistente, becario, becaria, administrativo,
		administrativa, orientador, orientadora, educador, educadora, trabajador,
		trabajadora, empleado, empleada, secretario, secretaria, promotor,
		promotora, especialista, analista, mediador, mediadora,
		assessor, assessora, estagiário, estagiária, voluntário, voluntária,
		consulente, formatore, impiegato, impiegata, tirocinante, stagista,
		assistente, addetto, addetta, operatore, operatrice, funzionario,
		funzionaria, segretario, segretaria, esperto, esperta, mediatore,
		stagiair, vrijwilliger,
		specjalista, specjalistka, doradca, doradczyni, asystent, asystentka,
		konsultant, konsultantka, trener, trenerka, stażysta, stażystka, praktykant,
		praktykantka, pracownik, pracowniczka, referentka, mentorka, ekspert,
		ekspertka, urzędnik, urzędniczka, inspektor, wolontariusz, wolontariuszka,
		księgowa, księgowy, sekretarka`},
	{role: roleOps, heads: true, terms: `consultant, coach, mentor, trainer, assistant,
		assistent, assistenz, berater, dozent, referent, sachbearbeiter, mitarbeiter,
		praktikant, werkstudent, sekretär, fachkraft, lotse, begleiter, betreuer,
		arbeiter, spezialist, kaufmann, kauffrau, bearbeiter, redakteur, pädagoge,
		lehrer, volontär, lotsin, freiberufler, mittler, wirtschaftsförderer,
		wirtschaftsförderin, fallmanager, integrationsmanager, accountmanager,
		adviseur, medewerker, consulent, docent, begeleider,
		handläggare, rådgivare, konsult, medarbetare, sekreterare, utredare,
		handledare, utvecklare, begleitung`},

	// Fields of work whose names hold a preposition.
	{role: role{kind: kindField}, terms: `access to finance, access to funding,
		access to credit, access to markets, zugang zu finanzierung`},

	// Roles read from their context; see roleKind.
	{role: role{level: levelOperational, kind: kindWeak}, terms: `officer`},
	{role: role{kind: kindMember}, terms: `member, lid, membre, miembro, membro, członek,
		członkini, vocal, consigliere, consigliera, consejero, consejera,
		administrateur, administratrice`},
	{role: role{kind: kindMember}, heads: true, terms: `mitglied, ledamot`},
}

// Words that shape how a title is read rather than naming a role.
const (
	// Articles carry no meaning for seniority and do not make a bare
	// "Director" qualified.
	fillerWords = `the a an die das le la les l el los las il lo gli het s`
	// A qualifier starts: role words after these describe the domain.
	prepWords = `of to for in on with within from der des dem für fuer im vom von zur zum
		de du d auprès pour del della delle dello dell dei degli di per para do da dos
		van voor ds dla för vid inom av till w`
	conjWords = `and und et y e en och i oraz sowie`
	stopWords = `at bei chez presso bij hos`
	// Bodies whose members are executives.
	boardWords = `board boards directors trustees governors executive vorstand vorstands
		vorstandes aufsichtsrat aufsichtsrats aufsichtsrates verwaltungsrat
		verwaltungsrats beirat beirats präsidium geschäftsführung geschäftsleitung conseil bureau
		direction junta directiva consejo patronato consiglio amministrazione cda
		bestuur directie raad zarząd zarządu rada rady styrelse styrelsen
		ledningsgrupp ledningsgruppen`
	// Organisational units: a "Responsable" who heads one is senior
	// ("Responsable de département", "Responsabile area finanza").
	departmentWords = `department département departement departamento dipartimento
		unit unité unidad unità unidade area área pôle polo division división
		divisione divisão`
	officerWords = `officer executive exec`
	officeWords  = `office büro sekretariat secretariat secrétariat`
)

type lexEntry struct {
	role    role
	hasRole bool
	unit    bool
	phrases []phrase
	filler  bool
	prep    bool
	conj    bool
	stop    bool
	board   bool
	dept    bool
	officer bool
	office  bool
}

type phrase struct {
	rest []string
	role role
}

var lexicon, heads = buildLexicon()

func buildLexicon() (map[string]*lexEntry, *suffixTrie) {
	lex := make(map[string]*lexEntry)
	trie := newSuffixTrie()
	entry := func(w string) *lexEntry {
		e := lex[w]
		if e == nil {
			e = &lexEntry{}
			lex[w] = e
		}
		return e
	}
	for _, g := range roleGroups {
		for _, term := range strings.Split(g.terms, ",") {
			for _, words := range termWords(term) {
				addTerm(entry, trie, g, words)
			}
		}
	}
	flags := []struct {
		words string
		set   func(*lexEntry)
	}{
		{fillerWords, func(e *lexEntry) { e.filler = true }},
		{prepWords, func(e *lexEntry) { e.prep = true }},
		{conjWords, func(e *lexEntry) { e.conj = true }},
		{stopWords, func(e *lexEntry) { e.stop = true }},
		{boardWords, func(e *lexEntry) { e.board = true }},
		{departmentWords, func(e *lexEntry) { e.dept = true }},
		{officerWords, func(e *lexEntry) { e.officer = true }},
		{officeWords, func(e *lexEntry) { e.office = true }},
	}
	for _, f := range flags {
		for _, w := range strings.Fields(f.words) {
			for _, words := range termWords(w) {
				f.set(entry(words[0]))
			}
		}
	}
	for _, e := range lex {
		// Longest first, so "directeur général adjoint" is not cut short.
		sort.SliceStable(e.phrases, func(i, j int) bool { return len(e.phrases[i].rest) > len(e.phrases[j].rest) })
	}
	return lex, trie
}

// termWords folds a lexicon term the way titles are folded, once per
// spelling of its umlauts.
func termWords(term string) [][]string {
	var out [][]string
	for _, sp := range spellings(strings.TrimSpace(term)) {
		var sc titleScan
		sc.scan(sp)
		var words []string
		for _, t := range sc.toks[:sc.nt] {
			if t.kind == tokWord {
				words = append(words, string(sc.word(t)))
			}
		}
		if len(words) > 0 {
			out = append(out, words)
		}
	}
	return out
}

func addTerm(entry func(string) *lexEntry, trie *suffixTrie, g roleGroup, words []string) {
	e := entry(words[0])
	if len(words) > 1 {
		for _, p := range e.phrases {
			if strings.Join(p.rest, " ") == strings.Join(words[1:], " ") {
				panic(fmt.Sprintf("vocab: job-title phrase %q listed twice", strings.Join(words, " ")))
			}
		}
		e.phrases = append(e.phrases, phrase{rest: words[1:], role: g.role})
		return
	}
	if e.hasRole && e.role != g.role {
		panic(fmt.Sprintf("vocab: job-title word %q has two roles", words[0]))
	}
	e.role, e.hasRole, e.unit = g.role, true, g.unit
	if g.heads {
		trie.insert(words[0], headHit{role: g.role, unit: g.unit})
	}
}

// headHit is what the last part of a compound word says.
type headHit struct {
	role     role
	unit     bool
	compound bool // the word has a first part ("Projekt" in "Projektleiter")
}

// suffixTrie finds the longest known role word that ends a compound. It is
// keyed on reversed words, so a lookup walks the title word once from its
// end instead of probing a map with every suffix.
type suffixTrie struct {
	nodes []trieNode
}

type trieNode struct {
	edges []trieEdge
	hit   headHit
	ok    bool
}

type trieEdge struct {
	b    byte
	next int32
}

func newSuffixTrie() *suffixTrie { return &suffixTrie{nodes: make([]trieNode, 1)} }

func (t *suffixTrie) child(n int32, b byte) int32 {
	for _, e := range t.nodes[n].edges {
		if e.b == b {
			return e.next
		}
	}
	return -1
}

func (t *suffixTrie) insert(w string, h headHit) {
	n := int32(0)
	for i := len(w) - 1; i >= 0; i-- {
		c := t.child(n, w[i])
		if c < 0 {
			c = int32(len(t.nodes))
			t.nodes = append(t.nodes, trieNode{})
			t.nodes[n].edges = append(t.nodes[n].edges, trieEdge{b: w[i], next: c})
		}
		n = c
	}
	if t.nodes[n].ok && t.nodes[n].hit != h {
		panic(fmt.Sprintf("vocab: compound head %q has two roles", w))
	}
	t.nodes[n].hit, t.nodes[n].ok = h, true
}

func (t *suffixTrie) longestSuffix(w []byte) (headHit, bool) {
	var best headHit
	found := false
	n := int32(0)
	for i := len(w) - 1; i >= 0; i-- {
		if n = t.child(n, w[i]); n < 0 {
			break
		}
		if nd := &t.nodes[n]; nd.ok {
			best, found = nd.hit, true
			best.compound = i > 0
		}
	}
	return best, found
}

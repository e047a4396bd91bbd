package demo

import (
	"strconv"
	"strings"
)

// Seniority levels, in the order of the columns of titleTable. The names are
// the canonical values of the seniority column.
const (
	executive = iota
	senior
	middle
	operational
	unknown
	numLevels
)

var levelNames = [numLevels]string{"executive", "senior", "middle", "operational", "unknown"}

// titleTable lists job titles by working language and seniority. Entries are
// separated by ";"; "m|f" gives the masculine and feminine forms
// (Geschäftsführer|Geschäftsführerin); a "finance:" prefix limits a title to
// one organisation type; a "*3" suffix makes a common title three times as
// frequent as a rare one, since real staff lists repeat "Project Manager"
// far more often than "Intercultural Mediator". Titles are the ones these organisations really use,
// including a few that a naive keyword match gets wrong ("Assistenz der
// Geschäftsführung" is not an executive, "Fallmanager" in a job centre is a
// case worker), because importers meet them in real files.
var titleTable = map[string][numLevels]string{
	"en": {
		"CEO*3; Chief Executive Officer*2; Managing Director*3; Executive Director*3; Founder and CEO; Co-Founder; Director General; President; Chair of the Board; Board Member*2; Secretary General; Founder, Managing Director",
		"Head of Programmes*3; Head of Business Support*2; Programme Director*2; Director of Programmes; Head of Unit*2; Head of Department*2; Head of Partnerships; Head of Finance; Head of Operations; Deputy Director; Head of Communications; finance:Head of Lending*2; education:Head of the Entrepreneurship Centre*2; public:Head of Economic Development*2",
		"Project Manager*4; Programme Manager*3; Senior Project Manager; Team Lead*2; Team Leader*2; Project Coordinator*3; Programme Coordinator*2; Partnerships Manager; Community Manager; Training Coordinator; Network Coordinator; finance:Portfolio Manager*2; education:Incubator Manager*2",
		"Business Advisor*4; Business Adviser*2; Business Coach*2; Mentor*3; Trainer*3; Assistant*2; Project Officer*3; Programme Officer*2; Policy Officer; Communications Officer; Administrative Assistant*2; Consultant*2; Senior Consultant; Enterprise Development Officer; Employment Advisor; Outreach Worker; Intercultural Mediator; Startup Coach; ngo:Volunteer*2; finance:Loan Officer*3; finance:Credit Analyst; education:Careers Adviser; education:Researcher*2",
		"Contact person",
	},
	"de": {
		"Geschäftsführer|Geschäftsführerin*4; Vorstandsvorsitzender|Vorstandsvorsitzende; Vorstandsmitglied; Gründer und Geschäftsführer|Gründerin und Geschäftsführerin; Geschäftsführender Vorstand|Geschäftsführende Vorständin; chamber:Hauptgeschäftsführer|Hauptgeschäftsführerin*3; chamber:Präsident|Präsidentin*2",
		"Abteilungsleiter Gründungsberatung|Abteilungsleiterin Gründungsberatung*2; Bereichsleiter|Bereichsleiterin*3; Leiter Förderprogramme|Leiterin Förderprogramme; Fachbereichsleiter|Fachbereichsleiterin*2; Leiter Gründungszentrum|Leiterin Gründungszentrum; Stellvertretender Geschäftsführer|Stellvertretende Geschäftsführerin; public:Referatsleiter|Referatsleiterin*2; public:Leiter der Abteilung Wirtschaftsförderung|Leiterin der Abteilung Wirtschaftsförderung; finance:Leiter Mikrofinanz|Leiterin Mikrofinanz",
		"Projektleiter|Projektleiterin*4; Projektkoordinator|Projektkoordinatorin*3; Teamleiter|Teamleiterin*3; Projektmanager|Projektmanagerin*2; Koordinator Netzwerkarbeit|Koordinatorin Netzwerkarbeit; Programmmanager|Programmmanagerin; Gruppenleiter|Gruppenleiterin",
		"Gründungsberater|Gründungsberaterin*4; Berater|Beraterin*3; Referent|Referentin*3; Sachbearbeiter|Sachbearbeiterin*2; Projektmitarbeiter|Projektmitarbeiterin*3; Mentor|Mentorin*2; Trainer|Trainerin*2; Coach; Assistenz der Geschäftsführung; Assistent|Assistentin*2; Integrationsberater|Integrationsberaterin; Dozent|Dozentin; Bildungsreferent|Bildungsreferentin; Existenzgründungsberater|Existenzgründungsberaterin*2; ngo:Ehrenamtlicher Mitarbeiter|Ehrenamtliche Mitarbeiterin*2; finance:Kreditberater|Kreditberaterin*3; public:Wirtschaftsförderer|Wirtschaftsförderin; public:Fallmanager|Fallmanagerin",
		"Ansprechpartner|Ansprechpartnerin",
	},
	"fr": {
		"Directeur général|Directrice générale*4; Président|Présidente*2; Fondateur|Fondatrice; Délégué général|Déléguée générale*2; Président-directeur général|Présidente-directrice générale",
		"Directeur des programmes|Directrice des programmes*2; Responsable du pôle entrepreneuriat; Chef de service|Cheffe de service*2; Directeur adjoint|Directrice adjointe*2; Responsable de département",
		"Chef de projet|Cheffe de projet*4; Coordinateur|Coordinatrice*3; Coordinateur de programme|Coordinatrice de programme; Chef d'équipe|Cheffe d'équipe*2",
		"Chargé de mission|Chargée de mission*4; Conseiller en création d'entreprise|Conseillère en création d'entreprise*3; Conseiller|Conseillère*2; Formateur|Formatrice*2; Assistant|Assistante*2; Accompagnateur|Accompagnatrice; Mentor; Coach; Chargé d'accompagnement|Chargée d'accompagnement*2; Médiateur|Médiatrice; ngo:Bénévole*2; finance:Chargé de clientèle|Chargée de clientèle*3",
		"Interlocuteur|Interlocutrice",
	},
	"it": {
		"Direttore generale|Direttrice generale*3; Presidente*3; Amministratore delegato|Amministratrice delegata; Fondatore|Fondatrice; Segretario generale|Segretaria generale",
		"Responsabile area finanza; Direttore dei programmi|Direttrice dei programmi*2; Capo ufficio*2; Responsabile dell'area imprese; Vicedirettore|Vicedirettrice",
		"Project manager*3; Coordinatore|Coordinatrice*3; Coordinatore di progetto|Coordinatrice di progetto*3; Team leader",
		"Consulente*3; Tutor*2; Formatore|Formatrice*2; Operatore|Operatrice*2; Mentor; Assistente*2; Consulente per l'avvio d'impresa; Mediatore culturale|Mediatrice culturale; finance:Analista crediti",
		"Contatto",
	},
	"es": {
		"Director general|Directora general*3; Presidente|Presidenta*3; Fundador|Fundadora; Consejero delegado|Consejera delegada",
		"Director de Programas|Directora de Programas*2; Jefe de Área|Jefa de Área*2; Responsable de Emprendimiento; Jefe de Departamento|Jefa de Departamento*2; Subdirector|Subdirectora",
		"Coordinador de proyectos|Coordinadora de proyectos*3; Coordinador|Coordinadora*3; Jefe de proyecto|Jefa de proyecto*2; Project manager",
		"Técnico de empleo|Técnica de empleo*3; Asesor de emprendimiento|Asesora de emprendimiento*3; Técnico|Técnica*2; Mentor|Mentora; Formador|Formadora*2; Consultor|Consultora*2; Administrativo|Administrativa*2; Mediador intercultural|Mediadora intercultural; finance:Analista de riesgos",
		"Persona de contacto",
	},
	"nl": {
		"Algemeen directeur*3; Directeur-bestuurder*2; Bestuurder; Voorzitter*2; Oprichter",
		"Hoofd Programma's*2; Afdelingshoofd*2; Hoofd Bedrijfsvoering; Adjunct-directeur; Programmadirecteur",
		"Projectleider*4; Teamleider*3; Coördinator*3; Programmamanager; Projectmanager*2; Programmacoördinator",
		"Adviseur*4; Ondernemerscoach*2; Trainer*2; Medewerker*2; Beleidsmedewerker*3; Consulent; Mentor; Projectmedewerker*2; Startersadviseur; ngo:Vrijwilliger*2; finance:Accountmanager",
		"Contactpersoon",
	},
	"pl": {
		"Prezes Zarządu*4; Dyrektor Generalny|Dyrektorka Generalna*2; Założyciel|Założycielka; Członek Zarządu|Członkini Zarządu*2",
		"Kierownik działu|Kierowniczka działu*3; Dyrektor programowy|Dyrektorka programowa; Zastępca dyrektora|Zastępczyni dyrektora",
		"Koordynator projektu|Koordynatorka projektu*4; Kierownik projektu|Kierowniczka projektu*3; Lider zespołu|Liderka zespołu",
		"Doradca|Doradczyni*2; Doradca biznesowy|Doradczyni biznesowa*3; Trener|Trenerka*2; Specjalista|Specjalistka*3; Asystent|Asystentka*2; Mentor|Mentorka; Konsultant|Konsultantka; finance:Doradca kredytowy|Doradczyni kredytowa*3",
		"Osoba kontaktowa",
	},
	"pt": {
		"Diretor Executivo|Diretora Executiva*2; Presidente*3; Fundador|Fundadora; Diretor-Geral|Diretora-Geral",
		"Diretor de Programas|Diretora de Programas*2; Chefe de Departamento*2; Diretor Adjunto|Diretora Adjunta",
		"Coordenador de Projetos|Coordenadora de Projetos*3; Gestor de Projetos|Gestora de Projetos*3; Coordenador|Coordenadora*2",
		"Consultor|Consultora*3; Técnico Superior|Técnica Superior*3; Formador|Formadora*2; Mentor|Mentora; Assistente*2; Técnico de Empreendedorismo|Técnica de Empreendedorismo; Mediador Intercultural|Mediadora Intercultural",
		"Pessoa de contacto",
	},
}

// titles is titleTable ready for generation: [level][org type] -> titles,
// each in both genders (index female, male).
type titles [numLevels][len(orgTypes)][][2]string

func buildTitles(table [numLevels]string) *titles {
	var t titles
	for level, cell := range table {
		for _, entry := range strings.Split(cell, ";") {
			entry = strings.TrimSpace(entry)
			only := -1
			if typ, rest, ok := strings.Cut(entry, ":"); ok {
				only = orgTypeIndex(typ)
				entry = rest
			}
			weight := 1
			if i := strings.LastIndexByte(entry, '*'); i > 0 {
				w, err := strconv.Atoi(entry[i+1:])
				if err != nil || w < 1 {
					panic("demo: bad weight in titleTable: " + entry)
				}
				entry, weight = entry[:i], w
			}
			m, f, _ := strings.Cut(entry, "|")
			if f == "" {
				f = m
			}
			for typ := range orgTypes {
				if only < 0 || only == typ {
					for range weight {
						t[level][typ] = append(t[level][typ], [2]string{female: f, male: m})
					}
				}
			}
		}
	}
	return &t
}

func orgTypeIndex(s string) int {
	for i, t := range orgTypes {
		if t == s {
			return i
		}
	}
	panic("demo: unknown organisation type " + s + " in titleTable")
}

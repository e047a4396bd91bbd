package vocab

import (
	"testing"
)

func TestParseSeniority(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"executive", Executive, true},
		{"  Senior ", Senior, true},
		{"MIDDLE", Middle, true},
		{"Operational", Operational, true},
		{"unknown", Unknown, true},
		{"", "", false},
		{"   ", "", false},
		{"mid", "", false},
		{"Head of Finance", "", false},
		{"senior manager", "", false},
	}
	for _, tt := range tests {
		got, ok := ParseSeniority(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseSeniority(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// seniorityTitles is shared by the test and the benchmark, so the benchmark
// measures the mix of titles the importer really sees.
var seniorityTitles = []struct {
	title string
	want  string
}{
	// Executive.
	{"CEO", Executive},
	{"C.E.O.", Executive},
	{"Managing Director", Executive},
	{"managing director", Executive},
	{"Deputy Managing Director", Executive},
	{"Geschäftsführer", Executive},
	{"Geschäftsführerin", Executive},
	{"Geschaeftsfuehrerin", Executive},
	{"Geschäftsführer:in", Executive},
	{"Hauptgeschäftsführer", Executive},
	{"Stellvertretende Geschäftsführerin", Executive},
	{"Geschäftsführende Gesellschafterin", Executive},
	{"Founder", Executive},
	{"Co-Founder", Executive},
	{"Cofounder & CEO", Executive},
	{"Founder and Coach", Executive},
	{"Board member", Executive},
	{"Member of the Board", Executive},
	{"Member of the Executive Board", Executive},
	{"Vorstand", Executive},
	{"Vorständin", Executive},
	{"Vorstandsvorsitzende", Executive},
	{"Vorstandsvorsitzender", Executive},
	{"Mitglied des Vorstands", Executive},
	{"Vorstandsmitglied", Executive},
	{"Executive Director", Executive},
	{"President", Executive},
	{"Präsidentin", Executive},
	{"Chair", Executive},
	{"Chairwoman of the Board", Executive},
	{"Directeur général", Executive},
	{"Directrice générale adjointe", Executive},
	{"Director General", Executive},
	{"Director-General", Executive},
	{"Chief Executive Officer", Executive},
	{"Chief Financial Officer", Executive},
	{"Director", Executive},
	{"Direktorin", Executive},
	{"Founder Director", Executive},
	{"Inhaberin", Executive},
	{"Owner", Executive},
	{"Managing Partner", Executive},
	{"Secretary General", Executive},
	{"Présidente", Executive},
	{"Fondatrice", Executive},
	{"Cofondatrice et directrice", Executive},
	{"Consejero Delegado", Executive},
	{"Directora General", Executive},
	{"Fundadora", Executive},
	{"Amministratore Delegato", Executive},
	{"Presidente", Executive},
	{"Algemeen directeur", Executive},
	{"Oprichter", Executive},
	{"Medeoprichter", Executive},
	{"Voorzitter", Executive},
	{"Bestuurslid", Executive},
	{"Prezes Zarządu", Executive},
	{"Członek Zarządu", Executive},
	{"Współzałożycielka", Executive},
	{"VD", Executive},
	{"Verkställande direktör", Executive},
	{"Grundare", Executive},
	{"Styrelseledamot", Executive},
	{"Ordförande", Executive},
	{"Project Manager, Board Member", Executive},
	{"Vice President", Executive},
	{"Mitglied der Geschäftsleitung", Executive},
	{"Diretor Executivo", Executive},
	{"Diretora Executiva", Executive},
	{"Diretor/a Executivo/a", Executive},
	{"Diretor-Geral", Executive},
	{"Diretora-Geral", Executive},
	{"Prezes zarządu", Executive},

	// Senior.
	{"Head of Finance", Senior},
	{"Head of Finance and Administration", Senior},
	{"Deputy Head", Senior},
	{"Deputy Head of Unit", Senior},
	{"Head of Coaching & Mentoring", Senior},
	{"Head, Migrant Business Desk", Senior},
	{"Leiter Finanzen", Senior},
	{"Leiterin Gründungsberatung", Senior},
	{"Leiter/in der Abteilung Wirtschaft", Senior},
	{"Abteilungsleiter", Senior},
	{"Abteilungsleiterin", Senior},
	{"Abteilungsleiter/in", Senior},
	{"Abteilungsleiter/-in", Senior},
	{"Abteilungsleiter*in", Senior},
	{"Abteilungsleiter(in)", Senior},
	{"AbteilungsleiterIn", Senior},
	{"Bereichsleitung", Senior},
	{"Bereichsleitung Migration & Integration", Senior},
	{"Referatsleiterin", Senior},
	{"Programme Director", Senior},
	{"Program Director", Senior},
	{"Director of Programmes", Senior},
	{"Director of Finance and Operations", Senior},
	{"Deputy Director", Senior},
	{"Regional Director", Senior},
	{"Programmdirektorin", Senior},
	{"Chief of Staff", Senior},
	{"Vice President of Sales", Senior},
	{"Directrice des programmes", Senior},
	{"Chef de service", Senior},
	{"Jefa de Departamento", Senior},
	{"Afdelingshoofd", Senior},
	{"Hoofd Financiën", Senior},
	{"Kierownik Działu", Senior},
	{"Avdelningschef", Senior},
	{"Enhetschef", Senior},
	{"Head of Unit, Directorate-General for Employment", Senior},
	{"Diretor de Programas", Senior},
	{"Diretora de Programas", Senior},
	{"Diretor/a de Programas", Senior},
	{"Director(a) de Programas", Senior},
	{"Directeur/trice des programmes", Senior},
	{"Diretor Adjunto", Senior},
	{"Diretora Adjunta", Senior},
	{"Chefe de Departamento", Senior},
	{"Responsable du pôle entrepreneuriat", Senior},
	{"Responsable de département", Senior},
	{"Responsable de departamento", Senior},
	{"Responsable de Área", Senior},
	{"Responsabile area finanza", Senior},
	{"Responsabile dell'area imprese", Senior},
	{"Subdirector", Senior},
	{"Subdirectora", Senior},
	{"Vicedirettore", Senior},
	{"Vicedirettrice", Senior},
	{"Directeur adjoint", Senior},
	{"Directrice adjointe", Senior},
	{"Adjunct-directeur", Senior},
	{"stellv. Leiter/in", Senior},
	{"Stellvertretende Leiterin", Senior},
	{"Cheffe de service", Senior},
	{"Programmadirecteur", Senior},
	{"Kierowniczka działu", Senior},
	{"Leiter/Innovation", Senior},

	// Middle.
	{"Manager", Middle},
	{"Project Manager", Middle},
	{"Senior Project Manager", Middle},
	{"Programme Manager", Middle},
	{"Program Manager", Middle},
	{"Assistant Manager", Middle},
	{"Projektmanager", Middle},
	{"Projektmanagerin", Middle},
	{"Projektmanager/in", Middle},
	{"Projektleiter", Middle},
	{"Projektleiterin", Middle},
	{"Projektleitung", Middle},
	{"Coordinator", Middle},
	{"Project Coordinator", Middle},
	{"Koordinator", Middle},
	{"Koordinatorin", Middle},
	{"Projektkoordinator:in", Middle},
	{"Koordinator*innen Mentoring", Middle},
	{"Team Lead", Middle},
	{"Team Leader", Middle},
	{"Teamleiter", Middle},
	{"Teamleiterin", Middle},
	{"Teamleiter*in Beratung", Middle},
	{"Teamleitung", Middle},
	{"Project Manager & Trainer", Middle},
	{"Mentoring Programme Coordinator", Middle},
	{"Chef de projet", Middle},
	{"Cheffe de projet", Middle},
	{"Responsable Accompagnement", Middle},
	{"Coordinatrice", Middle},
	{"Coordinadora de Proyectos", Middle},
	{"Jefe de Proyecto", Middle},
	{"Responsabile Progetti", Middle},
	{"Projectleider", Middle},
	{"Kierownik projektu", Middle},
	{"Koordynatorka", Middle},
	{"Projektledare", Middle},
	{"Samordnare", Middle},
	{"Senior Manager at Deutsche Bank", Middle},
	{"Coordenador", Middle},
	{"Coordenadora", Middle},
	{"Coordenador/a", Middle},
	{"Coordenador de Projetos", Middle},
	{"Coordenadora de Projetos", Middle},
	{"Responsable", Middle},
	{"Responsable de projet", Middle},
	{"Responsable de proyectos", Middle},
	{"Lider zespołu", Middle},
	{"Liderka zespołu", Middle},
	{"Kierowniczka projektu", Middle},
	{"Office Manager", Middle},

	// Operational.
	{"Assistant to the CEO", Operational},
	{"Executive Assistant to the Managing Director", Operational},
	{"Executive Assistant", Operational},
	{"CEO Assistant", Operational},
	{"Personal Assistant", Operational},
	{"Assistant, CEO Office", Operational},
	{"Assistenz der Geschäftsführung", Operational},
	{"Assistenz Geschäftsführung", Operational},
	{"Assistentin des Vorstands", Operational},
	{"Vorstandsassistenz", Operational},
	{"Referentin der Geschäftsführung", Operational},
	{"Referentin Vorstand", Operational},
	{"Officer", Operational},
	{"Programme Officer", Operational},
	{"Policy Officer, DG EMPL", Operational},
	{"Advisor", Operational},
	{"Adviser", Operational},
	{"Business Advisor", Operational},
	{"Senior Advisor", Operational},
	{"Advisor to the Board", Operational},
	{"Berater", Operational},
	{"Beraterin", Operational},
	{"Berater/in", Operational},
	{"Gründungsberater:in", Operational},
	{"Unternehmensberaterin", Operational},
	{"Coach", Operational},
	{"Business Coach", Operational},
	{"Coach & Mentor", Operational},
	{"Mentor", Operational},
	{"Mentorin", Operational},
	{"Trainer", Operational},
	{"Trainerin", Operational},
	{"Assistant", Operational},
	{"Assistenz", Operational},
	{"Consultant", Operational},
	{"Senior Consultant", Operational},
	{"Referent", Operational},
	{"Referentin für Gründungsförderung", Operational},
	{"Bildungsreferent*in", Operational},
	{"Sachbearbeiter", Operational},
	{"Sachbearbeiterin", Operational},
	{"Sachbearbeiter(in)", Operational},
	{"Mitarbeiter", Operational},
	{"Mitarbeiterin", Operational},
	{"MitarbeiterInnen", Operational},
	{"Wissenschaftliche Mitarbeiterin", Operational},
	{"Projektmitarbeiter:in", Operational},
	{"Intern", Operational},
	{"Praktikant", Operational},
	{"Praktikantin", Operational},
	{"Gründungsbegleiterin", Operational},
	{"Kursleiterin", Operational},
	{"Team Member", Operational},
	{"Account Executive", Operational},
	{"Chargée de mission", Operational},
	{"Chargé de projets", Operational},
	{"Conseillère en création d'entreprise", Operational},
	{"Formatrice", Operational},
	{"Técnica de Empleo", Operational},
	{"Asesora", Operational},
	{"Consulente", Operational},
	{"Beleidsmedewerker", Operational},
	{"Adviseur", Operational},
	{"Specjalistka ds. finansowania", Operational},
	{"Doradca", Operational},
	{"Handläggare", Operational},
	{"Affärsrådgivare", Operational},
	{"Coach at Women Founders Network", Operational},
	{"Mentor bei Gründerinnenzentrum", Operational},
	{"Trainer @ Founders Academy", Operational},
	{"Intercultural Mediator", Operational},
	{"Médiateur", Operational},
	{"Médiatrice", Operational},
	{"Mediatore culturale", Operational},
	{"Mediatrice culturale", Operational},
	{"Mediador intercultural", Operational},
	{"Mediadora Intercultural", Operational},
	{"Mediator/in", Operational},
	{"Mediatorin", Operational},
	{"Sprach- und Kulturmittler/in", Operational},
	{"Integrationslotse/lotsin", Operational},
	{"Integrationslotsin", Operational},
	{"Técnico", Operational},
	{"Técnica Superior", Operational},
	{"Técnico/a", Operational},
	{"Técnico(a) de empleo", Operational},
	{"Assistente", Operational},
	{"Assistente do Diretor", Operational},
	{"Consultor/a", Operational},
	{"Formador", Operational},
	{"Formadora", Operational},
	{"Mentora", Operational},
	{"Chargé(e) de mission", Operational},
	{"Fallmanager/in", Operational},
	{"Fallmanagerin", Operational},
	{"Case Manager", Operational},
	{"Account Manager", Operational},
	{"Key Account Manager", Operational},
	{"Accountmanager", Operational},
	{"Integrationsmanagerin", Operational},
	{"Wirtschaftsförderer/in", Operational},
	{"Wirtschaftsförderin", Operational},
	{"Analista crediti", Operational},
	{"Analista de riesgos", Operational},
	{"Credit Analyst", Operational},
	{"Loan Officer", Operational},
	{"Sachbearbeiter/in", Operational},

	// Unknown.
	{"", Unknown},
	{"   ", Unknown},
	{"Entrepreneurship", Unknown},
	{"Finance", Unknown},
	{"Senior", Unknown},
	{"Executive", Unknown},
	{"Dr.", Unknown},
	{"(m/w/d)", Unknown},
	{"Office of the CEO", Unknown},
	{"Coaching", Unknown},
}

func TestInferSeniority(t *testing.T) {
	for _, tt := range seniorityTitles {
		if got := InferSeniority(tt.title); got != tt.want {
			t.Errorf("InferSeniority(%q) = %q, want %q", tt.title, got, tt.want)
		}
	}
}

func TestInferSeniorityLongTitle(t *testing.T) {
	long := "Head of Finance"
	for range 200 {
		long += " and Administration"
	}
	if got := InferSeniority(long); got != Senior {
		t.Errorf("InferSeniority(long title) = %q, want %q", got, Senior)
	}
}

func TestInferSeniorityAllocations(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		for _, tt := range seniorityTitles {
			InferSeniority(tt.title)
		}
	})
	if allocs != 0 {
		t.Errorf("InferSeniority allocates %.1f times per run of the table, want 0", allocs)
	}
}

func BenchmarkInferSeniority(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		InferSeniority(seniorityTitles[i%len(seniorityTitles)].title)
		i++
	}
}

// FuzzInferSeniority checks that no input, however long or malformed, makes
// the fixed-size scanner fail or return a value outside the vocabulary.
func FuzzInferSeniority(f *testing.F) {
	for _, tt := range seniorityTitles {
		f.Add(tt.title)
	}
	f.Add("Leiter:innen/-in(in)·in*in_in")
	f.Add("\xff\xfe\xfd Direktor\u0301in")
	f.Fuzz(func(t *testing.T, title string) {
		got := InferSeniority(title)
		if _, ok := ParseSeniority(got); !ok {
			t.Fatalf("InferSeniority(%q) = %q, not a seniority", title, got)
		}
	})
}

package demo

// countryData describes one country of the network. Cities are written as
// locals write them; "Bruxelles@fr" marks a city whose working language
// differs from the country's (Belgium, Luxembourg). mix weighs the naming
// traditions of the people who work there (ids from cultureTable).
type countryData struct {
	code, name string
	weight     float64
	lang       string
	cities     string
	mix        string
}

// countryTable weighs countries by the size of their support ecosystems for
// migrant entrepreneurs, largest first.
var countryTable = []countryData{
	{"DE", "Germany", 18, "de",
		"Berlin, Hamburg, München, Köln, Frankfurt am Main, Stuttgart, Düsseldorf, Leipzig, Dortmund, Essen, Bremen, Dresden, Hannover, Nürnberg, Duisburg, Bochum, Wuppertal, Bielefeld, Bonn, Münster, Mannheim, Karlsruhe, Augsburg, Wiesbaden, Mainz, Kiel, Freiburg, Offenbach",
		"de 52, tr 12, ar 6, pl 5, ua 4, fa 3, it 3, el 2, balkan 3, vi 2, westafrica 2, eastafrica 1, ro 2, es 1, southasia 1, cyrillic 0.5, zh 1"},
	{"FR", "France", 13, "fr",
		"Paris, Lyon, Marseille, Toulouse, Lille, Nantes, Strasbourg, Bordeaux, Montpellier, Rennes, Grenoble, Nice, Saint-Étienne, Dijon, Reims, Rouen, Metz, Nancy, Clermont-Ferrand, Besançon, Tours, Mulhouse, Perpignan, Limoges, Poitiers, Caen, Brest",
		"fr 58, maghreb 16, westafrica 9, pt 4, vi 2, es 2, it 2, tr 2, ar 2, zh 1, ro 1, ua 1"},
	{"IT", "Italy", 11, "it",
		"Roma, Milano, Napoli, Torino, Palermo, Genova, Bologna, Firenze, Bari, Catania, Venezia, Verona, Padova, Trieste, Brescia, Parma, Modena, Prato",
		"it 62, ro 8, maghreb 6, westafrica 5, balkan 3, ua 3, zh 3, southasia 3, latam 3, ar 2, es 1"},
	{"ES", "Spain", 10, "es",
		"Madrid, Barcelona, València, Sevilla, Zaragoza, Málaga, Murcia, Palma, Bilbao, Valladolid, Córdoba, Granada, Vigo, Gijón, Pamplona, Salamanca",
		"es 62, latam 16, maghreb 7, ro 5, westafrica 3, zh 2, ua 2, it 1, fr 1, pt 1"},
	{"NL", "Netherlands", 7, "nl",
		"Amsterdam, Rotterdam, Den Haag, Utrecht, Eindhoven, Groningen, Tilburg, Almere, Breda, Nijmegen, Arnhem, Haarlem, Zaanstad, Leiden, Maastricht",
		"nl 60, tr 10, maghreb 9, southasia 3, westafrica 3, eastafrica 3, pl 3, ar 3, ua 2, vi 1, zh 1, de 1, es 1"},
	{"AT", "Austria", 5, "de",
		"Wien, Graz, Linz, Salzburg, Innsbruck, Klagenfurt, Villach, Wels, St. Pölten",
		"de 58, balkan 9, tr 8, ro 3, hu 3, ar 4, fa 4, ua 3, pl 2, cs 2, eastafrica 1, cyrillic 0.5"},
	{"BE", "Belgium", 5, "nl",
		"Bruxelles@fr, Brussel, Antwerpen, Gent, Charleroi@fr, Liège@fr, Brugge, Namur@fr, Leuven, Mons@fr, Mechelen, Hasselt",
		"nl 30, fr 30, maghreb 14, tr 6, westafrica 7, it 3, pl 2, ro 2, ar 3, es 1, ua 2"},
	{"PL", "Poland", 5, "pl",
		"Warszawa, Kraków, Łódź, Wrocław, Poznań, Gdańsk, Szczecin, Lublin, Katowice, Białystok, Rzeszów",
		"pl 80, ua 12, cyrillic 2, vi 2, tr 1, de 1, eastafrica 0.5"},
	{"SE", "Sweden", 4, "sv",
		"Stockholm, Göteborg, Malmö, Uppsala, Västerås, Örebro, Linköping, Helsingborg, Norrköping, Umeå",
		"scandi 60, ar 9, fa 5, eastafrica 7, fi 3, balkan 4, pl 3, tr 3, ua 2, southasia 2, es 1, el 1"},
	{"PT", "Portugal", 4, "pt",
		"Lisboa, Porto, Braga, Coimbra, Faro, Setúbal, Aveiro, Funchal, Évora",
		"pt 78, westafrica 6, southasia 5, ua 4, ro 2, latam 3, zh 2"},
	{"IE", "Ireland", 3, "en",
		"Dublin, Cork, Limerick, Galway, Waterford, Drogheda, Dundalk, Sligo",
		"en 70, pl 8, ua 5, westafrica 4, southasia 4, pt 2, ro 2, latam 2, ar 2, zh 1"},
	{"GR", "Greece", 3, "el",
		"Athina, Thessaloniki, Patra, Irakleio, Larisa, Volos, Ioannina, Chania",
		"el 70, el-script 6, ar 6, fa 5, balkan 3, ua 3, eastafrica 3, southasia 2, ro 2"},
	{"DK", "Denmark", 2.5, "da",
		"København, Aarhus, Odense, Aalborg, Esbjerg, Randers, Kolding",
		"scandi 68, tr 5, ar 5, fa 3, eastafrica 5, pl 4, balkan 3, ua 2, vi 1, southasia 2, de 2"},
	{"FI", "Finland", 2.5, "fi",
		"Helsinki, Espoo, Tampere, Vantaa, Oulu, Turku, Jyväskylä, Lahti",
		"fi 68, scandi 6, eastafrica 6, ar 5, ua 5, cyrillic 3, fa 3, vi 2, southasia 2"},
	{"CZ", "Czechia", 2.5, "cs",
		"Praha, Brno, Ostrava, Plzeň, Olomouc, Liberec, České Budějovice, Hradec Králové",
		"cs 80, ua 8, cyrillic 3, vi 5, pl 2, ro 1, tr 1"},
	{"LU", "Luxembourg", 1, "fr",
		"Luxembourg, Differdange, Dudelange",
		"fr 35, de 25, pt 20, it 6, balkan 4, westafrica 4, es 3, nl 3"},
	{"SI", "Slovenia", 0.8, "sl", "Ljubljana, Maribor, Celje", "balkan 82, it 3, de 3, ua 4, hu 2, tr 2, ar 2, fa 2"},
	{"SK", "Slovakia", 0.8, "sk", "Bratislava, Košice, Žilina, Nitra", "cs 82, hu 6, ua 8, vi 2, cyrillic 2"},
	{"HU", "Hungary", 1, "hu", "Budapest, Debrecen, Szeged, Pécs", "hu 82, ro 5, ua 5, de 2, zh 2, balkan 2, tr 2"},
	{"RO", "Romania", 1, "ro", "București, Cluj-Napoca, Timișoara, Iași, Brașov", "ro 82, hu 6, ua 4, tr 3, it 2, ar 2"},
	{"BG", "Bulgaria", 0.6, "bg", "Sofia, Plovdiv, Varna", "balkan 50, cyrillic 25, tr 15, ar 4, ua 4, ro 2"},
	{"HR", "Croatia", 0.7, "hr", "Zagreb, Split, Rijeka, Osijek", "balkan 85, it 3, hu 3, ua 3, tr 2, ar 2, fa 2"},
	{"EE", "Estonia", 0.5, "et", "Tallinn, Tartu", "baltic-ee 75, ua 12, cyrillic 8, fi 5"},
	{"LV", "Latvia", 0.5, "lv", "Rīga, Daugavpils", "baltic-lv 72, ua 14, cyrillic 10, baltic-lt 4"},
	{"LT", "Lithuania", 0.6, "lt", "Vilnius, Kaunas, Klaipėda", "baltic-lt 78, pl 6, ua 10, cyrillic 6"},
	{"NO", "Norway", 1, "no", "Oslo, Bergen, Trondheim, Stavanger", "scandi 70, eastafrica 6, pl 6, ar 5, fa 3, ua 3, southasia 3, vi 2, balkan 2"},
	{"CY", "Cyprus", 0.4, "el", "Nicosia, Limassol, Larnaca", "el 70, el-script 5, en 5, ua 5, ar 5, southasia 5, ro 5"},
	{"MT", "Malta", 0.4, "en", "Valletta, Birkirkara, Sliema", "mt 70, it 8, en 6, eastafrica 6, ar 5, southasia 5"},
}

// orgTypes are the canonical organisation types, in the order of their
// templates below.
var orgTypes = [...]string{"business_support", "finance", "public", "ngo", "chamber", "education", "network", "other"}

// orgTypeWeights makes business support agencies, NGOs and public bodies the
// bulk of the network, as in the real one.
var orgTypeWeights = [len(orgTypes)]float64{24, 12, 16, 18, 9, 10, 7, 4}

// orgTypeSize scales the staff of an organisation by its type: universities
// and public bodies are larger than networks.
var orgTypeSize = [len(orgTypes)]float64{1.0, 1.0, 1.6, 0.8, 1.3, 1.4, 0.6, 0.6}

// nameTemplates holds organisation names by language and type (orgTypes
// order). "{c}" is the city; "DE=" limits a template to one country, for
// bodies that exist only there (IHK, Pôle emploi).
var nameTemplates = map[string][len(orgTypes)]string{
	"de": {
		"Gründungsnetzwerk {c}; Gründerzentrum {c}; Gründungsagentur {c}; Existenzgründungsberatung {c}; Starthilfe {c} e.V.; Unternehmerinnenzentrum {c}; Zentrum für Existenzgründung {c}; Gründungswerkstatt {c}; Beratungsstelle für Migrantenunternehmen {c}",
		"Mikrokreditfonds {c}; Sparkasse {c}; Bürgschaftsbank {c}; Mikrofinanz {c} eG; Förderbank {c}; Volksbank {c}",
		"Wirtschaftsförderung {c}; DE=Jobcenter {c}; DE=Agentur für Arbeit {c}; Amt für Wirtschaft und Arbeit {c}; Integrationsbüro der Stadt {c}; AT=AMS {c}; AT=Magistrat {c} – Wirtschaftsservice",
		"Verein für Migrantenökonomie {c} e.V.; Interkulturelles Zentrum {c}; Neue Nachbarn {c} e.V.; Integrationshilfe {c} e.V.; Kulturbrücke {c} e.V.; Frauen in Arbeit {c} e.V.; Diakonie {c} – Migrationsdienst",
		"DE=Handwerkskammer {c}; DE=IHK {c}; DE=Industrie- und Handelskammer {c}; AT=Wirtschaftskammer {c}; Handelskammer {c}",
		"Universität {c} – Gründerzentrum; Hochschule {c} – Entrepreneurship Center; Volkshochschule {c}; TU {c} – Gründungsservice; Bildungswerk {c}; Berufsbildungszentrum {c}",
		"DE=IQ Netzwerk {c}; Netzwerk Migrantenökonomie {c}; Unternehmerinnen-Netzwerk {c}; Forum Vielfalt {c}; Gründungsallianz {c}",
		"Stiftung Chancengleichheit {c}; Beratungsbüro Vielfalt {c}; Coworking {c}; Kulturwerkstatt {c}; Stiftung Unternehmergeist {c}",
	},
	"fr": {
		"Initiative Entreprendre {c}; Pépinière d'entreprises de {c}; Boutique de Gestion {c}; Couveuse d'entreprises {c}; Maison de la Création d'Entreprise {c}; Réseau Entreprendre {c}; Incubateur Diversité {c}; BE=Microstart {c}",
		"Microcrédit {c}; Caisse Solidaire {c}; FR=France Active {c}; Crédit Coopératif {c}; Fonds de Garantie {c}; Banque Populaire {c}",
		"Mairie de {c} – Développement économique; FR=Pôle emploi {c}; Agence de Développement Économique de {c}; Métropole de {c}; Direction de l'Économie de {c}; BE=Actiris {c}",
		"Association Solidarité Migrants {c}; Maison des Solidarités {c}; Association Passerelles {c}; Femmes Entrepreneures {c}; Accueil et Insertion {c}; Association Horizon {c}",
		"Chambre de Commerce de {c}; CCI {c}; Chambre de Métiers et de l'Artisanat de {c}; Chambre de Commerce et d'Industrie de {c}",
		"Université de {c} – Incubateur; École de Management de {c}; IUT de {c}; Université de {c} – Pôle Entrepreneuriat; FR=GRETA {c}",
		"Réseau Diversité {c}; Collectif Entreprendre Ensemble {c}; Réseau des Entrepreneurs Migrants {c}; Plateforme Inclusion {c}",
		"Fondation Égalité des Chances {c}; Coopérative d'Activités {c}; Tiers-Lieu {c}; Fondation Avenir {c}",
	},
	"it": {
		"Incubatore Sociale {c}; Sportello Impresa {c}; Centro Servizi per l'Impresa {c}; Agenzia per lo Sviluppo {c}; Impresa Migranti {c}; Officina Impresa {c}",
		"Microcredito {c}; Banca Etica {c}; Fondo di Garanzia {c}; Cassa Rurale {c}; Microfinanza {c}; Credito Cooperativo {c}",
		"Comune di {c} – Sviluppo Economico; Centro per l'Impiego {c}; Agenzia del Lavoro {c}; Città Metropolitana di {c}",
		"Associazione Mondo Impresa {c}; Cooperativa Sociale Orizzonti {c}; Associazione Ponti {c}; Donne Migranti {c}; Fondazione Accoglienza {c}",
		"Camera di Commercio di {c}; Confartigianato {c}; CNA {c}; Confcommercio {c}",
		"Università di {c} – Incubatore; Politecnico di {c} – Startup Lab; Scuola di Formazione {c}; ITS {c}",
		"Rete Imprese Migranti {c}; Rete Diversità {c}; Forum Impresa Inclusiva {c}; Rete del Microcredito {c}",
		"Fondazione Pari Opportunità {c}; Coworking {c}; Laboratorio Urbano {c}",
	},
	"es": {
		"Fundación Emprende {c}; Vivero de Empresas {c}; Centro de Emprendimiento {c}; Aceleradora Social {c}; Emprende Diverso {c}; Oficina de Apoyo al Emprendedor {c}",
		"Microcréditos {c}; Caja Rural {c}; Fondo Social {c}; Banca Solidaria {c}; Sociedad de Garantía Recíproca {c}",
		"Ayuntamiento de {c} – Promoción Económica; Agencia de Desarrollo Local {c}; Servicio de Empleo {c}; Diputación de {c}",
		"Asociación Acoge {c}; Fundación Integra {c}; Mujeres Emprendedoras {c}; Asociación Puentes {c}; Fundación Diversidad {c}",
		"Cámara de Comercio de {c}; Cámara Oficial de Comercio de {c}; Confederación de Empresarios de {c}",
		"Universidad de {c} – Incubadora; Escuela de Negocios {c}; Universidad de {c} – Cátedra de Emprendimiento; Centro de Formación {c}",
		"Red de Emprendedores Migrantes {c}; Red Diversidad {c}; Foro de Emprendimiento Inclusivo {c}",
		"Fundación Igualdad {c}; Espacio Coworking {c}; Cooperativa {c}",
	},
	"nl": {
		"Stichting Ondernemen {c}; Ondernemershuis {c}; StartersCentrum {c}; Ondernemerslab {c}; Stichting Nieuwe Ondernemers {c}; Broedplaats {c}",
		"Microkrediet {c}; Kredietunie {c}; Borgstellingsfonds {c}; Microfinanciering {c}",
		"NL=Gemeente {c} – Economische Zaken; NL=Werkplein {c}; NL=UWV {c}; Economic Board {c}; BE=Stad {c} – Werk en Economie; BE=VDAB {c}",
		"Stichting Vluchtelingenwerk {c}; Stichting Nieuwkomers {c}; Vereniging Samen Ondernemen {c}; Stichting Vrouwen en Werk {c}",
		"NL=Kamer van Koophandel {c}; BE=Voka {c}; Ondernemersvereniging {c}",
		"Universiteit {c} – Centre for Entrepreneurship; Hogeschool {c}; NL=ROC {c}; Hogeschool {c} – Ondernemerschapscentrum",
		"Netwerk Diversiteit {c}; Platform Nieuwe Ondernemers {c}; Netwerk Inclusief Ondernemen {c}",
		"Stichting Gelijke Kansen {c}; Coöperatie {c}; Broedplaats Noord {c}",
	},
	"pl": {
		"Inkubator Przedsiębiorczości {c}; Centrum Wspierania Biznesu {c}; Fundacja Przedsiębiorczości {c}",
		"Fundusz Pożyczkowy {c}; Bank Spółdzielczy {c}; Fundusz Poręczeniowy {c}; Mikrofinanse {c}",
		"Urząd Miasta {c} – Wydział Przedsiębiorczości; Powiatowy Urząd Pracy {c}; Agencja Rozwoju Regionalnego {c}",
		"Fundacja Wsparcia Migrantów {c}; Stowarzyszenie Dom Otwarty {c}; Fundacja Nowy Start {c}",
		"Izba Przemysłowo-Handlowa {c}; Izba Rzemieślnicza {c}; Regionalna Izba Gospodarcza {c}",
		"Szkoła Biznesu {c}; Akademia Przedsiębiorczości {c}; Centrum Kształcenia {c}",
		"Sieć Przedsiębiorczości {c}; Forum Różnorodności {c}",
		"Fundacja Równych Szans {c}; Cowork {c}",
	},
	"pt": {
		"Incubadora Social {c}; Centro de Empreendedorismo {c}; Associação Empreender {c}; Startup {c}",
		"Microcrédito {c}; Caixa de Crédito Agrícola {c}; Fundo de Garantia {c}; Banco Solidário {c}",
		"Câmara Municipal de {c}; IEFP {c}; Agência de Desenvolvimento de {c}",
		"Associação Solidariedade Imigrante {c}; Associação Mulheres Empreendedoras {c}; Fundação Integração {c}",
		"Câmara de Comércio de {c}; Associação Comercial de {c}; Associação Empresarial de {c}",
		"Universidade de {c} – Incubadora; Instituto Politécnico de {c}; Escola de Negócios {c}",
		"Rede de Empreendedores Migrantes {c}; Rede Diversidade {c}",
		"Fundação Igualdade {c}; Cowork {c}",
	},
	"sv": {
		"Nyföretagarcentrum {c}; Drivhuset {c}; Inkubator {c}; Företagslots {c}",
		"Mikrolån {c}; Sparbanken {c}; Kreditgarantiföreningen {c}",
		"{c} kommun – Näringsliv; Arbetsförmedlingen {c}; Region {c} – Tillväxt",
		"Föreningen Nya Svenskar {c}; Stiftelsen Mångfald {c}; Kvinnors Företagande {c}",
		"Handelskammaren {c}; Företagarna {c}",
		"{c} universitet – Innovation; Folkhögskolan {c}; Högskolan {c}",
		"Nätverket Mångfald {c}; Entreprenörsnätverket {c}",
		"Stiftelsen Lika Villkor {c}",
	},
	"da": {
		"Iværksætterhuset {c}; Væksthus {c}; Erhvervshus {c}",
		"Mikrolån {c}; Sparekassen {c}",
		"{c} Kommune – Erhverv; Jobcenter {c}",
		"Foreningen Nydansker {c}; Flygtningehjælp {c}",
		"Erhvervsforeningen {c}; Handelsforening {c}",
		"{c} Universitet – Entreprenørskab; Erhvervsakademi {c}",
		"Netværk for Iværksættere {c}; Mangfoldighedsnetværket {c}",
		"Fonden for Lige Muligheder {c}",
	},
	"fi": {
		"Uusyrityskeskus {c}; Yrityspalvelut {c}; Startup-keskus {c}",
		"Osuuspankki {c}; Mikrolaina {c}",
		"Elinkeinopalvelut {c}; TE-palvelut {c}; Business {c}",
		"Monikulttuurinen yhdistys {c}; Maahanmuuttajayrittäjät {c} ry",
		"Kauppakamari {c}; Yrittäjät {c}",
		"Ammattikorkeakoulu {c}; Yliopisto {c} – Yrittäjyys",
		"Yrittäjäverkosto {c}; Monimuotoisuusverkosto {c}",
		"Säätiö Tasa-arvo {c}",
	},
	"cs": {
		"Podnikatelský inkubátor {c}; Centrum podpory podnikání {c}",
		"Mikroúvěry {c}; Družstevní záložna {c}; Záruční fond {c}",
		"Úřad práce {c}; Agentura pro regionální rozvoj {c}",
		"Centrum pro integraci cizinců {c}; Sdružení Nový domov {c}",
		"Hospodářská komora {c}; Okresní hospodářská komora {c}",
		"Vysoká škola podnikání {c}; Univerzitní inkubátor {c}",
		"Síť podnikatelek {c}; Fórum rozmanitosti {c}",
		"Nadace Rovné příležitosti {c}",
	},
	"el": {
		"Kentro Epicheirimatikotitas {c}; Startup Hub {c}",
		"Mikropistoseis {c}; Synetairistiki Trapeza {c}",
		"Dimos {c} – Topiki Anaptyxi; Anaptyxiaki Etaireia {c}",
		"Kentro Allileggyis {c}; Diktyo Metanaston {c}",
		"Epimelitirio {c}; Emporiko kai Viomichaniko Epimelitirio {c}",
		"Panepistimio {c} – Monada Kainotomias; Kentro Epaggelmatikis Katartisis {c}",
		"Diktyo Koinonikis Oikonomias {c}",
		"Idryma Isis Prosvasis {c}",
	},
	"en": {
		"Enterprise Hub {c}; Migrant Business Centre {c}; Start-up Support {c}; New Communities Enterprise {c}; Business Innovation Centre {c}; IE=Local Enterprise Office {c}",
		"Microfinance {c}; {c} Credit Union; Community Finance {c}; Impact Fund {c}",
		"{c} City Council – Economic Development; Regional Development Agency {c}; Employment Service {c}; IE=Intreo {c}",
		"Migrant Rights Centre {c}; New Communities Partnership {c}; Women in Business {c}; Refugee Enterprise {c}; Open Doors {c}",
		"{c} Chamber of Commerce; Chamber of Commerce and Industry {c}; Chamber of Crafts {c}",
		"University of {c} – Innovation Hub; {c} Institute of Technology; Technological University {c}; {c} Business School",
		"Diversity Network {c}; Migrant Entrepreneurs Network {c}; Inclusive Enterprise Network {c}",
		"Equal Opportunities Foundation {c}; {c} Coworking; Social Innovation Lab {c}",
	},
}

package demo

import (
	"fmt"
	"strings"
)

// cultureData lists the names of one naming tradition. Family names written
// "m|f" change with gender (Kowalski, Kowalska); the others do not.
type cultureData struct {
	id     string
	german bool // spell umlauts as ae/oe/ue in addresses
	female string
	male   string
	family string
}

// cultureTable covers the people who work in the network: the majority
// population of each country and the main migrant communities in it, so that
// a German business support agency has staff called Ayşe Yılmaz and Mohammed
// Al-Hassan as well as Jürgen Müller. Lists are comma-separated.
var cultureTable = []cultureData{
	{id: "de", german: true,
		female: "Anna, Katharina, Julia, Lena, Sabine, Claudia, Birgit, Franziska, Hannah, Zoë, Marie, Jana, Ute, Lisa, Miriam, Johanna, Theresa, Annegret",
		male:   "Thomas, Michael, Jürgen, Stefan, Andreas, Jörg, Björn, Matthias, Felix, Jonas, Tobias, Lukas, Uwe, Sebastian, Florian, Maximilian, Günter, Moritz",
		family: "Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, Hoffmann, Schäfer, Koch, Bauer, Richter, Klein, Wolf, Schröder, Neumann, Schwarz, Zimmermann, Krüger, Hartmann, Lange, Weiß, Köhler, Groß, Vogel, Jäger, Böhm, Gruber, Huber, Pichler, Steiner, Moser, Brandstätter"},
	{id: "fr",
		female: "Camille, Léa, Manon, Chloé, Inès, Élodie, Sophie, Margaux, Céline, Hélène, Anaïs, Zoé, Nathalie, Émilie, Claire, Amélie",
		male:   "Julien, Nicolas, Thomas, Antoine, Mathieu, Sébastien, Jérôme, François, Olivier, Hugo, Théo, Loïc, Benoît, Clément, Rémi, Étienne",
		family: "Martin, Bernard, Dubois, Thomas, Robert, Richard, Petit, Durand, Leroy, Moreau, Simon, Laurent, Lefèvre, Michel, Fournier, Girard, Rousseau, Lefebvre, Mercier, Boyer, Chevalier, Faure, Gauthier, Lemoine, Morel, Bonnet, Dupont, Lambert, Peeters, Goossens"},
	{id: "it",
		female: "Giulia, Francesca, Chiara, Sara, Martina, Valentina, Alessia, Elena, Federica, Silvia, Paola, Beatrice, Ilaria, Lucia",
		male:   "Marco, Luca, Alessandro, Giuseppe, Francesco, Matteo, Andrea, Davide, Stefano, Lorenzo, Niccolò, Simone, Riccardo, Giovanni",
		family: "Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, Bruno, Gallo, Conti, De Luca, Mancini, Costa, Giordano, Rizzo, Lombardi, Moretti, Barbieri, Fontana, Santoro, Mariani, Caruso, D'Angelo"},
	{id: "es",
		female: "María, Lucía, Carmen, Laura, Marta, Paula, Elena, Sofía, Ana, Cristina, Inés, Raquel, Nuria, Begoña, Pilar, Ainhoa",
		male:   "Javier, Alejandro, Pablo, Daniel, David, Sergio, Álvaro, Jorge, Iñaki, Adrián, Rubén, José, Íñigo, Manuel, Carlos, Jesús",
		family: "García, Rodríguez, González, Fernández, López, Martínez, Sánchez, Pérez, Gómez, Martín, Jiménez, Ruiz, Hernández, Díaz, Moreno, Muñoz, Álvarez, Romero, Navarro, Torres, Domínguez, Vázquez, Ramos, Serrano, Ortega, Núñez, Iglesias, Echeverría"},
	{id: "latam",
		female: "Valentina, Camila, Daniela, Guadalupe, Ximena, Fernanda, Luz, Yesenia, Rocío",
		male:   "Juan Carlos, Luis, Andrés, Santiago, Mateo, Diego, Sebastián, Óscar, Wilmer",
		family: "Quispe, Mamani, Rojas, Vargas, Castro, Mendoza, Gutiérrez, Flores, Cárdenas, Herrera, Morales, Salazar, Chávez, Peña, Aguilar"},
	{id: "nl",
		female: "Anouk, Sanne, Lotte, Fleur, Eva, Femke, Iris, Marloes, Noor, Inge, Zoë, Lieke, Maaike, Griet",
		male:   "Daan, Bram, Sem, Lars, Thijs, Joost, Pieter, Ruben, Jeroen, Sander, Maarten, Wouter, Niels, Koen",
		family: "de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker, Janssen, Visser, Smit, Meijer, de Boer, Mulder, de Groot, Bos, Vos, Hendriks, van Leeuwen, Dekker, Brouwer, Dijkstra, van der Meer, Claes, Peeters, Maes, Willems, Vermeulen, Wouters"},
	{id: "pl",
		female: "Anna, Katarzyna, Małgorzata, Agnieszka, Magdalena, Joanna, Aleksandra, Zofia, Justyna, Dorota, Ewa, Łucja",
		male:   "Łukasz, Piotr, Krzysztof, Tomasz, Paweł, Michał, Marcin, Grzegorz, Wojciech, Jakub, Mateusz, Przemysław",
		family: "Nowak, Kowalski|Kowalska, Wiśniewski|Wiśniewska, Wójcik, Kowalczyk, Kamiński|Kamińska, Lewandowski|Lewandowska, Zieliński|Zielińska, Szymański|Szymańska, Woźniak, Dąbrowski|Dąbrowska, Kozłowski|Kozłowska, Mazur, Krawczyk, Piotrowski|Piotrowska, Grabowski|Grabowska, Pawłowski|Pawłowska, Król, Wróbel, Zając, Górski|Górska"},
	{id: "pt",
		female: "Ana, Beatriz, Inês, Mariana, Joana, Catarina, Sofia, Leonor, Margarida, Rita, Conceição, Fátima, Thaís, Luíza",
		male:   "João, Tiago, Pedro, Miguel, Rui, Gonçalo, Nuno, André, Duarte, Luís, Vinícius, Caio",
		family: "Silva, Santos, Ferreira, Pereira, Oliveira, Costa, Rodrigues, Martins, Sousa, Fernandes, Gonçalves, Gomes, Lopes, Marques, Alves, Almeida, Ribeiro, Pinto, Carvalho, Teixeira, Magalhães, Assunção"},
	{id: "scandi",
		female: "Åsa, Ingrid, Sofia, Maja, Astrid, Freja, Sigrid, Karin, Linnéa, Mette, Ida, Signe, Solveig, Kirsten",
		male:   "Søren, Lars, Anders, Erik, Magnus, Björn, Mikkel, Rasmus, Oskar, Henrik, Jens, Nils, Gustav, Ørjan",
		family: "Andersson, Johansson, Karlsson, Nilsson, Eriksson, Larsson, Lindqvist, Sjöberg, Åberg, Lindström, Jensen, Nielsen, Hansen, Pedersen, Christensen, Sørensen, Rasmussen, Kjær, Møller, Østergaard, Berg, Haugen, Solberg"},
	{id: "fi",
		female: "Aino, Sanna, Johanna, Laura, Päivi, Tiina, Elina, Heli, Minna, Kaisa",
		male:   "Mikko, Juha, Jukka, Antti, Matti, Ville, Jussi, Teemu, Pekka, Lauri",
		family: "Korhonen, Virtanen, Mäkinen, Nieminen, Mäkelä, Hämäläinen, Laine, Heikkinen, Koskinen, Järvinen, Lehtonen, Saarinen, Salminen"},
	{id: "cs",
		female: "Jana, Petra, Lucie, Tereza, Kateřina, Veronika, Markéta, Zuzana, Hana, Eliška",
		male:   "Jiří, Petr, Jan, Tomáš, Martin, Lukáš, Ondřej, Jakub, Václav, Michal",
		family: "Novák|Nováková, Svoboda|Svobodová, Novotný|Novotná, Dvořák|Dvořáková, Černý|Černá, Procházka|Procházková, Kučera|Kučerová, Veselý|Veselá, Horák|Horáková, Němec|Němcová, Pokorný|Pokorná, Růžička|Růžičková, Kolář|Kolářová"},
	{id: "el",
		female: "Maria, Eleni, Katerina, Dimitra, Sofia, Georgia, Vasiliki, Ioanna, Despoina",
		male:   "Giorgos, Dimitris, Nikos, Kostas, Yannis, Christos, Panagiotis, Vasilis, Thanos",
		family: "Papadopoulos|Papadopoulou, Papadakis|Papadaki, Georgiou, Nikolaidis|Nikolaidou, Oikonomou, Karagiannis|Karagianni, Vlachos|Vlachou, Konstantinidis|Konstantinidou, Ioannou, Pappas|Pappa, Alexiou"},
	{id: "el-script",
		female: "Αικατερίνη, Δέσποινα, Ελένη, Μαρία",
		male:   "Γιώργος, Νίκος, Δημήτρης, Κώστας",
		family: "Παπαδόπουλος|Παπαδοπούλου, Οικονόμου, Γεωργίου, Παππάς|Παππά"},
	{id: "ro",
		female: "Ioana, Andreea, Elena, Mihaela, Alexandra, Cristina, Raluca, Ștefania, Oana, Bianca",
		male:   "Andrei, Alexandru, Mihai, Ion, Ștefan, Cristian, Florin, Răzvan, Bogdan, Vlad",
		family: "Popescu, Ionescu, Popa, Constantin, Stan, Dumitru, Stoica, Gheorghe, Munteanu, Rădulescu, Țurcanu, Șerban, Dinu, Moldovan"},
	{id: "hu",
		female: "Katalin, Eszter, Zsófia, Réka, Anikó, Krisztina, Dóra, Ágnes",
		male:   "László, Gábor, Zoltán, Péter, Attila, Balázs, Tamás, Ádám",
		family: "Nagy, Kovács, Tóth, Szabó, Horváth, Varga, Kiss, Molnár, Németh, Farkas, Balogh, Papp, Takács, Juhász, Szűcs, Lőrincz"},
	{id: "balkan",
		female: "Ana, Ivana, Maja, Jelena, Marija, Amra, Lejla, Dragana, Sanja, Mirjana",
		male:   "Ivan, Marko, Luka, Goran, Dragan, Emir, Haris, Nikola, Zoran, Tomislav",
		family: "Horvat, Kovačević, Babić, Marić, Jurić, Novak, Petrović, Jovanović, Hadžić, Begović, Delić, Kovač, Đorđević, Šarić, Čolak, Mehmedović"},
	{id: "baltic-ee",
		female: "Kadri, Liis, Triin, Kärt, Piret",
		male:   "Jaan, Andrus, Märt, Tõnu, Rein",
		family: "Tamm, Saar, Sepp, Mägi, Kask, Kukk, Rebane"},
	{id: "baltic-lv",
		female: "Līga, Ilze, Kristīne, Inese, Dace",
		male:   "Jānis, Andris, Mārtiņš, Edgars, Kārlis",
		family: "Bērziņš|Bērziņa, Kalniņš|Kalniņa, Ozoliņš|Ozoliņa, Liepiņš|Liepiņa, Jansons|Jansone"},
	{id: "baltic-lt",
		female: "Rūta, Eglė, Inga, Aušra, Gintarė",
		male:   "Tomas, Mindaugas, Darius, Gediminas, Žygimantas",
		family: "Kazlauskas|Kazlauskienė, Jankauskas|Jankauskienė, Petrauskas|Petrauskienė, Vasiliauskas|Vasiliauskienė, Žukauskas|Žukauskienė"},
	{id: "mt",
		female: "Maria, Rita, Claire, Marthese, Graziella",
		male:   "Joseph, Daniel, Matthew, Clayton, Karl",
		family: "Borg, Camilleri, Vella, Farrugia, Zammit, Galea, Grech"},
	{id: "en",
		female: "Siobhán, Aoife, Niamh, Saoirse, Emma, Sarah, Caoimhe, Róisín, Grace, Orla, Sinéad, Clodagh",
		male:   "Seán, Ciarán, Conor, Darragh, Liam, Patrick, Eoin, Oisín, Declan, Cathal, James, Pádraig",
		family: "Murphy, Kelly, O'Sullivan, Walsh, Smith, O'Brien, Byrne, Ryan, O'Connor, O'Neill, Ó Súilleabháin, McCarthy, Doyle, Gallagher, Kennedy, Lynch, Fitzgerald, Brennan, Quinn"},
	{id: "tr",
		female: "Ayşe, Fatma, Elif, Zeynep, Emine, Hatice, Gül, Şeyma, Büşra, Merve, Özlem, Derya, Gülşen, Sibel",
		male:   "Mehmet, Mustafa, Ahmet, Ali, Hüseyin, Murat, Emre, Burak, Serkan, Oğuz, Cem, Kemal, Yusuf, Barış",
		family: "Yılmaz, Kaya, Demir, Şahin, Çelik, Yıldız, Yıldırım, Öztürk, Aydın, Özdemir, Arslan, Doğan, Kılıç, Aslan, Çetin, Kara, Koç, Kurt, Özkan, Şimşek, Güneş, Akın"},
	{id: "ar",
		female: "Fatima, Aisha, Layla, Noor, Rania, Yasmin, Hala, Mariam, Samira, Dalia, Reem, Amal, Zeinab, Lina",
		male:   "Mohammed, Ahmad, Omar, Khaled, Yousef, Ali, Hassan, Karim, Tarek, Samer, Bilal, Rami, Ibrahim, Mahmoud",
		family: "Al-Hassan, Al-Khatib, Haddad, Khalil, Nasser, Saleh, Hamdan, Mansour, Abdullah, Al-Masri, Darwish, Sabbagh, Al-Ahmad, Othman, Barakat, Kanaan, Al-Zein"},
	{id: "maghreb",
		female: "Yasmina, Nadia, Karima, Samia, Leïla, Naïma, Meriem, Souad, Imane, Khadija",
		male:   "Karim, Mehdi, Rachid, Youssef, Hicham, Nabil, Saïd, Mourad, Farid, Abdelkader",
		family: "Benali, Bouzid, El Amrani, Haddad, Belkacem, Chérif, Mansouri, Benjelloun, Aït Ahmed, Boukhari, El Idrissi, Zerrouki, Hamidi, Ouali"},
	{id: "fa",
		female: "Maryam, Shirin, Parisa, Nasrin, Zahra, Leila, Farah, Mahsa, Roya, Soraya",
		male:   "Reza, Ali, Hamid, Farid, Mehdi, Arash, Dariush, Ahmad, Navid, Jawad",
		family: "Ahmadi, Hosseini, Rahimi, Karimi, Mohammadi, Rezaei, Jafari, Sadeghi, Azizi, Moradi, Hakimi, Rostami, Samadi, Noorzai"},
	{id: "westafrica",
		female: "Aminata, Fatoumata, Awa, Mariama, Adjoa, Ngozi, Chiamaka, Aïssatou, Kadiatou, Yaa, Folake, Oumou",
		male:   "Amadou, Mamadou, Ousmane, Ibrahima, Kwame, Chidi, Emeka, Kofi, Moussa, Abdoulaye, Seydou, Oluwaseun",
		family: "Diallo, Traoré, Diop, Ndiaye, Camara, Keïta, Coulibaly, Sow, Okafor, Adeyemi, Mensah, Asante, Ouédraogo, Bamba, Cissé, Okonkwo, Boateng, Sylla"},
	{id: "eastafrica",
		female: "Amina, Hodan, Fadumo, Saba, Meron, Selam, Wanjiru, Asha, Liya, Hawa",
		male:   "Abdi, Mohamed, Tesfaye, Dawit, Yonas, Mulugeta, Kiprono, Ahmed, Bereket, Samuel",
		family: "Abdi, Hassan, Warsame, Tesfaye, Gebremedhin, Haile, Mekonnen, Kebede, Omondi, Mwangi, Farah, Yusuf, Abebe"},
	{id: "ua",
		female: "Olena, Iryna, Oksana, Nataliia, Yuliia, Tetiana, Kateryna, Anastasiia, Svitlana, Daria",
		male:   "Oleksandr, Andrii, Dmytro, Serhii, Volodymyr, Mykola, Taras, Yurii, Bohdan, Maksym",
		family: "Shevchenko, Kovalenko, Bondarenko, Tkachenko, Kravchenko, Melnyk, Boiko, Oliinyk, Lysenko, Moroz, Petrenko, Savchenko, Rudenko, Marchenko, Kovalchuk"},
	{id: "cyrillic",
		female: "Олена, Ірина, Оксана, Ана, Марія",
		male:   "Олександр, Андрій, Тарас, Георги, Иван",
		family: "Шевченко, Коваленко, Мельник, Петров|Петрова, Иванов|Иванова"},
	{id: "vi",
		female: "Thị Mai, Thị Hương, Linh, Trang, Thảo, Phương, Ngọc Anh, Lan, Hạnh, Thu",
		male:   "Văn Minh, Tuấn, Văn Dũng, Quang, Hải, Đức, Long, Nam, Huy, Khoa",
		family: "Nguyễn, Trần, Lê, Phạm, Hoàng, Huỳnh, Phan, Vũ, Võ, Đặng, Bùi, Đỗ, Hồ, Ngô, Dương, Lý"},
	{id: "zh",
		female: "Mei, Xiaoling, Jing, Yan, Li Na, Xue",
		male:   "Wei, Jun, Hao, Lei, Jian, Zhiwei",
		family: "Wang, Li, Zhang, Liu, Chen, Yang, Huang, Zhao, Wu, Zhou"},
	{id: "southasia",
		female: "Priya, Ananya, Ayesha, Sana, Nusrat, Deepa, Kavya, Harpreet",
		male:   "Arjun, Rahul, Imran, Bilal, Sanjay, Rohit, Tanvir, Gurpreet",
		family: "Sharma, Patel, Singh, Khan, Hussain, Rahman, Chowdhury, Kumar, Gupta, Iqbal, Ahmed, Malik"},
}

// personName is a name as written and as spelt in an address.
type personName struct {
	text, ascii string
}

// culture is cultureData ready for generation: first names by gender and
// family names in both genders (index 0 female, 1 male).
type culture struct {
	id     string
	first  [2][]personName
	family [][2]personName
}

const (
	female = 0
	male   = 1
)

// buildCultures parses cultureTable. A name without an ASCII spelling is a
// mistake in the table, so it fails loudly rather than yielding an address
// such as ".mueller@".
func buildCultures() ([]culture, error) {
	out := make([]culture, 0, len(cultureTable))
	for _, d := range cultureTable {
		c := culture{id: d.id}
		var err error
		if c.first[female], err = parseNames(d.female, d.german); err != nil {
			return nil, err
		}
		if c.first[male], err = parseNames(d.male, d.german); err != nil {
			return nil, err
		}
		for _, f := range splitList(d.family) {
			m, w, _ := strings.Cut(f, "|")
			if w == "" {
				w = m
			}
			pm, err1 := newPersonName(m, d.german)
			pw, err2 := newPersonName(w, d.german)
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("demo: culture %s: no ASCII spelling for %q", d.id, f)
			}
			c.family = append(c.family, [2]personName{female: pw, male: pm})
		}
		out = append(out, c)
	}
	return out, nil
}

func parseNames(list string, german bool) ([]personName, error) {
	var out []personName
	for _, s := range splitList(list) {
		n, err := newPersonName(s, german)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

func newPersonName(s string, german bool) (personName, error) {
	a, ok := foldName(s, german)
	if !ok {
		return personName{}, fmt.Errorf("demo: no ASCII spelling for name %q", s)
	}
	return personName{text: s, ascii: a}, nil
}

// splitList splits a comma-separated table cell and trims the items.
func splitList(s string) []string {
	parts := strings.Split(s, ",")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

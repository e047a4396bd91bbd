package vocab

import (
	"strings"
	"testing"
)

func TestCountry(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"DE", "DE", true},
		{"de", "DE", true},
		{" at ", "AT", true},
		{"Gb", "GB", true},
		{"UK", "GB", true},
		{"uk", "GB", true},
		{"EL", "GR", true},
		{"DEU", "DE", true},
		{"gbr", "GB", true},
		{"Germany", "DE", true},
		{"GERMANY", "DE", true},
		{"  germany  ", "DE", true},
		{"Deutschland", "DE", true},
		{"Austria", "AT", true},
		{"Österreich", "AT", true},
		{"Osterreich", "AT", true},
		{"Oesterreich", "AT", true},
		{"Czech Republic", "CZ", true},
		{"Czechia", "CZ", true},
		{"Česko", "CZ", true},
		{"United Kingdom", "GB", true},
		{"Great Britain", "GB", true},
		{"U.K.", "GB", true},
		{"England", "GB", true},
		{"Netherlands", "NL", true},
		{"The Netherlands", "NL", true},
		{"the netherlands", "NL", true},
		{"Holland", "NL", true},
		{"Nederland", "NL", true},
		{"Türkiye", "TR", true},
		{"Turkiye", "TR", true},
		{"Turkey", "TR", true},
		{"España", "ES", true},
		{"Espana", "ES", true},
		{"Sverige", "SE", true},
		{"Polska", "PL", true},
		{"Magyarország", "HU", true},
		{"Ελλάδα", "GR", true},
		{"ΕΛΛΆΔΑ", "GR", true},
		{"Suomi", "FI", true},
		{"Schweiz", "CH", true},
		{"Suisse", "CH", true},
		{"Belgique", "BE", true},
		{"België", "BE", true},
		{"România", "RO", true},
		{"Hrvatska", "HR", true},
		{"Србија", "RS", true},
		{"Shqipëria", "AL", true},
		{"Bosnia and Herzegovina", "BA", true},
		{"Bosnia & Herzegovina", "BA", true},
		{"Bosna i Hercegovina", "BA", true},
		{"North Macedonia", "MK", true},
		{"Україна", "UA", true},
		{"Ukraine", "UA", true},
		{"United States", "US", true},
		{"USA", "US", true},
		{"Russia", "RU", true},
		{"Russian Federation", "RU", true},
		{"Iran", "IR", true},
		{"Iran, Islamic Republic of", "IR", true},
		{"Syria", "SY", true},
		{"Syrian Arab Republic", "SY", true},
		{"Côte d'Ivoire", "CI", true},
		{"Cote d’Ivoire", "CI", true},
		{"Ivory Coast", "CI", true},
		{"Democratic Republic of the Congo", "CD", true},
		{"DR Congo", "CD", true},
		{"Congo", "CG", true},
		{"South Korea", "KR", true},
		{"Korea, Republic of", "KR", true},
		{"Viet Nam", "VN", true},
		{"Vietnam", "VN", true},
		{"St Lucia", "LC", true},
		{"St. Lucia", "LC", true},
		{"Saint Lucia", "LC", true},
		{"Gambia", "GM", true},
		{"The Gambia", "GM", true},
		{"Eritrea", "ER", true},
		{"Afghanistan", "AF", true},
		{"Åland Islands", "AX", true},
		{"Aland Islands", "AX", true},
		{"", "", false},
		{"   ", "", false},
		{"XX", "", false},
		{"XK", "", false},
		{"Kosovo", "", false},
		{"Europe", "", false},
		{"Virgin Islands", "", false},
		{"Germany!!", "DE", true},
	}
	for _, tt := range tests {
		got, ok := Country(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Country(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCountryTable(t *testing.T) {
	if len(countries) != 249 {
		t.Errorf("len(countries) = %d, want 249 ISO 3166-1 codes", len(countries))
	}
	seen := make(map[string]bool)
	for _, c := range countries {
		if len(c.code) != 2 || c.code != strings.ToUpper(c.code) || seen[c.code] {
			t.Errorf("bad or repeated code %q", c.code)
		}
		seen[c.code] = true
		// Every code and every English name must read back as itself.
		if got, ok := Country(strings.ToLower(c.code)); !ok || got != c.code {
			t.Errorf("Country(%q) = %q, %v; want %q", strings.ToLower(c.code), got, ok, c.code)
		}
		if got, ok := Country(c.name); !ok || got != c.code {
			t.Errorf("Country(%q) = %q, %v; want %q", c.name, got, ok, c.code)
		}
		if got := CountryName(c.code); got != c.name {
			t.Errorf("CountryName(%q) = %q, want %q", c.code, got, c.name)
		}
	}
}

func TestCountryName(t *testing.T) {
	tests := []struct{ code, want string }{
		{"DE", "Germany"},
		{"de", "Germany"},
		{"GB", "United Kingdom"},
		{"CZ", "Czechia"},
		{"TR", "Türkiye"},
		{"IR", "Iran"},
		{"UK", ""},
		{"", ""},
		{"Germany", ""},
	}
	for _, tt := range tests {
		if got := CountryName(tt.code); got != tt.want {
			t.Errorf("CountryName(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
}

func TestLanguage(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"de", "de", true},
		{"DE", "de", true},
		{" En ", "en", true},
		{"deu", "de", true},
		{"ger", "de", true},
		{"FRA", "fr", true},
		{"de-AT", "de", true},
		{"pt_BR", "pt", true},
		{"zh-Hans", "zh", true},
		{"es-419", "es", true},
		{"German", "de", true},
		{"german", "de", true},
		{"Deutsch", "de", true},
		{"Français", "fr", true},
		{"Francais", "fr", true},
		{"Español", "es", true},
		{"Castilian", "es", true},
		{"Polski", "pl", true},
		{"Türkçe", "tr", true},
		{"Turkish", "tr", true},
		{"العربية", "ar", true},
		{"Arabic", "ar", true},
		{"Русский", "ru", true},
		{"Ukrainian", "uk", true},
		{"Українська", "uk", true},
		{"Persian", "fa", true},
		{"Farsi", "fa", true},
		{"Dari", "fa", true},
		{"Kurdish", "ku", true},
		{"Kurmanji", "ku", true},
		{"Sorani", "ku", true},
		{"Albanian", "sq", true},
		{"Shqip", "sq", true},
		{"Serbian", "sr", true},
		{"Bosnian", "bs", true},
		{"Croatian", "hr", true},
		{"Vietnamese", "vi", true},
		{"Tiếng Việt", "vi", true},
		{"Chinese", "zh", true},
		{"Mandarin", "zh", true},
		{"中文", "zh", true},
		{"Hindi", "hi", true},
		{"Urdu", "ur", true},
		{"Tigrinya", "ti", true},
		{"ትግርኛ", "ti", true},
		{"Somali", "so", true},
		{"Af-Soomaali", "so", true},
		{"Amharic", "am", true},
		{"Pashto", "ps", true},
		{"Pushto", "ps", true},
		{"Greek", "el", true},
		{"Ελληνικά", "el", true},
		{"Irish", "ga", true},
		{"Gaeilge", "ga", true},
		{"Maltese", "mt", true},
		{"Malti", "mt", true},
		{"Slovenščina", "sl", true},
		{"Slovenčina", "sk", true},
		{"Lietuvių", "lt", true},
		{"Latviešu", "lv", true},
		{"Eesti", "et", true},
		{"Magyar", "hu", true},
		{"Română", "ro", true},
		{"Svenska", "sv", true},
		{"Dansk", "da", true},
		{"Suomi", "fi", true},
		{"Nederlands", "nl", true},
		{"Flemish", "nl", true},
		{"Português", "pt", true},
		{"Italiano", "it", true},
		{"Čeština", "cs", true},
		{"Български", "bg", true},
		{"Hrvatski", "hr", true},
		{"", "", false},
		{"xx", "", false},
		{"Klingon", "", false},
		{"de-Klingon", "", false},
	}
	for _, tt := range tests {
		got, ok := Language(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Language(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestLanguageTable(t *testing.T) {
	if len(languages) != 184 {
		t.Errorf("len(languages) = %d, want 184 ISO 639-1 codes", len(languages))
	}
	eu := []string{"bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it",
		"lt", "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv"}
	for _, code := range eu {
		if LanguageName(code) == "" {
			t.Errorf("EU official language %q missing", code)
		}
	}
	for _, l := range languages {
		if got, ok := Language(strings.ToUpper(l.code)); !ok || got != l.code {
			t.Errorf("Language(%q) = %q, %v; want %q", strings.ToUpper(l.code), got, ok, l.code)
		}
		if got, ok := Language(l.name); !ok || got != l.code {
			t.Errorf("Language(%q) = %q, %v; want %q", l.name, got, ok, l.code)
		}
	}
	if got := LanguageName("FA"); got != "Persian" {
		t.Errorf("LanguageName(%q) = %q, want %q", "FA", got, "Persian")
	}
	if got := LanguageName("xx"); got != "" {
		t.Errorf("LanguageName(%q) = %q, want \"\"", "xx", got)
	}
}

func BenchmarkCountry(b *testing.B) {
	in := []string{"DE", "at", "Germany", "Österreich", "The Netherlands", "UK"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Country(in[i%len(in)])
		i++
	}
}

package demo

import (
	"slices"
	"strings"
	"unicode"
)

// foldGroups maps lower-case letters outside ASCII to their usual Latin
// spelling in addresses. Vietnamese and Romanian letters are listed in full
// because the standard library has no Unicode decomposition to strip marks.
var foldGroups = [...][2]string{
	{"a", "àáâãåāăąạảấầẩẫậắằẳẵặ"},
	{"c", "çćčĉċ"},
	{"d", "ďđð"},
	{"e", "èéêëēĕėęěẹẻẽếềểễệ"},
	{"g", "ğĝġģ"},
	{"i", "ìíîïĩīĭįıịỉ"},
	{"k", "ķ"},
	{"l", "łľĺļŀ"},
	{"n", "ñńňņ"},
	{"o", "òóôõōŏőơọỏốồổỗộớờởỡợø"},
	{"r", "ŕřŗ"},
	{"s", "śšşșŝ"},
	{"t", "ťţț"},
	{"u", "ùúûũūŭůűųưụủứừửữự"},
	{"y", "ýÿŷỳỵỷỹ"},
	{"z", "źżž"},
	{"ae", "æ"},
	{"oe", "œ"},
	{"ss", "ß"},
	{"th", "þ"},
	// Cyrillic (Ukrainian and Bulgarian names), a simple passport-style scheme.
	{"a", "а"}, {"b", "б"}, {"v", "в"}, {"g", "гґ"}, {"d", "д"}, {"e", "еэ"},
	{"ye", "є"}, {"yo", "ё"}, {"zh", "ж"}, {"z", "з"}, {"i", "иі"}, {"yi", "ї"},
	{"y", "йы"}, {"k", "к"}, {"l", "л"}, {"m", "м"}, {"n", "н"}, {"o", "о"},
	{"p", "п"}, {"r", "р"}, {"s", "с"}, {"t", "т"}, {"u", "у"}, {"f", "ф"},
	{"kh", "х"}, {"ts", "ц"}, {"ch", "ч"}, {"sh", "ш"}, {"sht", "щ"},
	{"", "ьъ"}, {"yu", "ю"}, {"ya", "я"},
	// Greek, as Greeks commonly spell their names in Latin letters.
	{"a", "αά"}, {"v", "β"}, {"g", "γ"}, {"d", "δ"}, {"e", "εέ"}, {"z", "ζ"},
	{"i", "ηήιίϊΐ"}, {"th", "θ"}, {"k", "κ"}, {"l", "λ"}, {"m", "μ"},
	{"n", "ν"}, {"x", "ξ"}, {"o", "οόωώ"}, {"p", "π"}, {"r", "ρ"},
	{"s", "σς"}, {"t", "τ"}, {"u", "υύϋΰ"}, {"f", "φ"}, {"ch", "χ"}, {"ps", "ψ"},
}

// foldTable is foldGroups indexed by rune; umlauts are handled apart because
// their spelling depends on the language.
var foldTable = func() map[rune]string {
	m := make(map[rune]string)
	for _, g := range foldGroups {
		for _, r := range g[1] {
			m[r] = g[0]
		}
	}
	return m
}()

// foldRune returns the ASCII spelling of one lower-case letter. German writes
// ä, ö, ü as ae, oe, ue in addresses (Müller, mueller@); other languages drop
// the marks (Gül, gul@; Mäkinen, makinen@).
func foldRune(r rune, german bool) (string, bool) {
	switch r {
	case 'ä':
		return pick(german, "ae", "a"), true
	case 'ö':
		return pick(german, "oe", "o"), true
	case 'ü':
		return pick(german, "ue", "u"), true
	}
	s, ok := foldTable[r]
	return s, ok
}

func pick(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

// foldName spells a personal name in lower-case ASCII for the local part of
// an address: "Thị Mai" -> "thimai", "O'Brien" -> "obrien", "Al-Hassan" ->
// "al-hassan". It reports false if a letter has no known spelling, so that a
// new name in the tables cannot silently vanish from an address.
func foldName(s string, german bool) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r)
		case r == '-':
			b.WriteByte('-')
		case r == ' ' || r == '\'' || r == '’' || r == '.':
			// Spaces and apostrophes are dropped, as mail systems do.
		default:
			f, ok := foldRune(unicode.ToLower(r), german)
			if !ok {
				return "", false
			}
			b.WriteString(f)
		}
	}
	out := strings.Trim(collapse(b.String(), '-'), "-")
	return out, out != ""
}

// maxLabel keeps domain labels readable; DNS allows 63 bytes.
const maxLabel = 48

// slug turns an organisation name into a DNS label: lower-case letters,
// digits and single hyphens ("Gründungsnetzwerk Leipzig" ->
// "gruendungsnetzwerk-leipzig"). Long names lose their small words and then
// the leading words shrink to initials, as organisations shorten their own
// domains, so that the city at the end survives.
func slug(s string, german bool) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '\'' || r == '’':
			// "Pépinière d'entreprises" reads better as "dentreprises" than "d-entreprises".
		default:
			if f, ok := foldRune(unicode.ToLower(r), german); ok {
				b.WriteString(f)
			} else {
				b.WriteByte('-')
			}
		}
	}
	words := strings.FieldsFunc(b.String(), func(r rune) bool { return r == '-' })
	if len(strings.Join(words, "-")) > maxLabel {
		words = slices.DeleteFunc(words, func(w string) bool { return smallWords[w] })
	}
	for i := 0; i < len(words)-1 && len(strings.Join(words, "-")) > maxLabel; i++ {
		words[i] = words[i][:1]
	}
	out := strings.Join(words, "-")
	if len(out) > maxLabel {
		out = strings.TrimRight(out[:maxLabel], "-")
	}
	return out
}

// smallWords are articles and prepositions that long domains leave out.
var smallWords = map[string]bool{
	"a": true, "al": true, "and": true, "am": true, "an": true, "d": true, "de": true,
	"del": true, "der": true, "des": true, "di": true, "du": true, "en": true, "et": true,
	"for": true, "fuer": true, "fur": true, "i": true, "l": true, "la": true, "le": true,
	"lo": true, "of": true, "per": true, "pro": true, "the": true, "und": true, "van": true,
	"voor": true, "w": true, "y": true,
}

// collapse replaces runs of c by a single c.
func collapse(s string, c byte) string {
	double := string([]byte{c, c})
	for strings.Contains(s, double) {
		s = strings.ReplaceAll(s, double, string(c))
	}
	return s
}

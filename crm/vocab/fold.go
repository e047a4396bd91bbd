package vocab

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// foldGroups lists, for each replacement, the lower-case letters that fold to
// it. Names and titles arrive typed with and without accents ("Osterreich",
// "Geschaftsfuhrer", "Directrice generale"), so matching ignores them.
var foldGroups = []struct{ to, from string }{
	{"a", "àáâãäåāăąǎǟǡǻȁȃȧḁạảấầẩẫậắằẳẵặ"},
	{"b", "ḃḅḇ"},
	{"c", "çćĉċčḉ"},
	{"d", "ďḋḍḏḑḓđð"},
	{"e", "èéêëēĕėęěȅȇȩḕḗḙḛḝẹẻẽếềểễệəǝ"},
	{"f", "ḟ"},
	{"g", "ĝğġģǧǵḡ"},
	{"h", "ĥȟḣḥḧḩḫẖħ"},
	{"i", "ìíîïĩīĭįǐȉȋḭḯỉịı"},
	{"j", "ĵǰ"},
	{"k", "ķǩḱḳḵ"},
	{"l", "ĺļľḷḹḻḽłŀ"},
	{"m", "ḿṁṃ"},
	{"n", "ñńņňǹṅṇṉṋ"},
	{"o", "òóôõöōŏőơǒǫǭȍȏȫȭȯȱṍṏṑṓọỏốồổỗộớờởỡợø"},
	{"p", "ṕṗ"},
	{"r", "ŕŗřȑȓṙṛṝṟ"},
	{"s", "śŝşšșṡṣṥṧṩ"},
	{"t", "ţťțṫṭṯṱẗŧ"},
	{"u", "ùúûüũūŭůűųưǔǖǘǚǜȕȗṳṵṷṹṻụủứừửữự"},
	{"v", "ṽṿ"},
	{"w", "ŵẁẃẅẇẉẘ"},
	{"x", "ẋẍ"},
	{"y", "ýÿŷȳẏẙỳỵỷỹ"},
	{"z", "źżžẑẓẕ"},
	{"ss", "ß"},
	{"ae", "æ"},
	{"oe", "œ"},
	{"th", "þ"},
	{"ij", "ĳ"},
	// Greek and Cyrillic keep their script; only accents and letter
	// variants fold, so "Ελλάδα" and "ΕΛΛΑΔΑ" meet.
	{"α", "ά"},
	{"ε", "έ"},
	{"η", "ή"},
	{"ι", "ΐίϊ"},
	{"ο", "ό"},
	{"υ", "ΰϋύ"},
	{"ω", "ώ"},
	{"σ", "ς"},
	{"е", "ё"},
}

var foldTable = buildFoldTable()

func buildFoldTable() map[rune]string {
	t := make(map[rune]string)
	for _, g := range foldGroups {
		for _, r := range g.from {
			t[r] = g.to
		}
	}
	return t
}

// appendFoldRune appends the lower-case, accent-free form of a non-ASCII
// letter or digit. Combining marks are dropped so that decomposed input
// (NFD, as some Mac exports write it) folds like precomposed input.
func appendFoldRune(dst []byte, r rune) []byte {
	if unicode.Is(unicode.Mn, r) {
		return dst
	}
	r = unicode.ToLower(r)
	if s, ok := foldTable[r]; ok {
		return append(dst, s...)
	}
	return utf8.AppendRune(dst, r)
}

// foldKey reduces a name to the form the lookup tables are keyed by: lower
// case, no accents, "&" spelled "and", every run of other punctuation and
// space turned into one space. "Bosnia & Herzegovina", "bosnia-and
// herzegovina" and "BOSNIA AND HERZEGOVINA" share one key.
func foldKey(s string) string {
	b := make([]byte, 0, len(s)+8)
	gap := false // a separator was seen since the last letter
	startWord := func() {
		if gap && len(b) > 0 {
			b = append(b, ' ')
		}
		gap = false
	}
	for i := 0; i < len(s); {
		r, n := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		i += n
		switch {
		case r == '.':
			// "U.S.A." and "U.K." are one word.
		case r == '&':
			gap = true
			startWord()
			b = append(b, "and"...)
			gap = true
		case 'A' <= r && r <= 'Z':
			startWord()
			b = append(b, byte(r+'a'-'A'))
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			startWord()
			b = append(b, byte(r))
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)):
			startWord()
			b = appendFoldRune(b, r)
		default:
			gap = true
		}
	}
	return string(b)
}

// umlautDigraphs spells German umlauts the way they are typed on keyboards
// without them. Lexicon entries are indexed under both spellings, because
// the plain fold of "Geschaeftsfuehrer" cannot be told from a word that
// really has "ae".
var umlautDigraphs = strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "Ä", "Ae", "Ö", "Oe", "Ü", "Ue")

// spellings returns s and, when it differs, s with umlauts as digraphs.
func spellings(s string) []string {
	d := umlautDigraphs.Replace(s)
	if d == s {
		return []string{s}
	}
	return []string{s, d}
}

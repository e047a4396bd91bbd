package vocab

import (
	"unicode"
	"unicode/utf8"
)

// Job titles longer than this are cut: real titles are far shorter, and a
// fixed buffer keeps InferSeniority free of allocations.
const (
	maxTitleBytes  = 256
	maxTitleTokens = 48
)

type tokenKind uint8

const (
	tokWord  tokenKind = iota
	tokBreak           // "," ";" "|" "/" "(" " - ": a new role may start
	tokAnd             // "&" "+": two roles joined
	tokAt              // "@": the employer follows
)

type token struct {
	start, end uint16
	kind       tokenKind
}

// titleScan holds a job title folded to lower case without accents, cut into
// words and the punctuation that separates roles.
type titleScan struct {
	buf    [maxTitleBytes]byte
	n      int
	toks   [maxTitleTokens]token
	nt     int
	inWord bool
}

func (sc *titleScan) word(t token) []byte { return sc.buf[t.start:t.end] }

func (sc *titleScan) full() bool {
	return sc.n+utf8.UTFMax*3 > maxTitleBytes || sc.nt == maxTitleTokens
}

func (sc *titleScan) endWord() {
	if sc.inWord {
		sc.toks[sc.nt-1].end = uint16(sc.n)
		sc.inWord = false
	}
}

func (sc *titleScan) mark(k tokenKind) {
	sc.endWord()
	if sc.nt > 0 && sc.toks[sc.nt-1].kind == k {
		return
	}
	sc.toks[sc.nt] = token{start: uint16(sc.n), end: uint16(sc.n), kind: k}
	sc.nt++
}

func (sc *titleScan) startWord() {
	if !sc.inWord {
		sc.toks[sc.nt] = token{start: uint16(sc.n), kind: tokWord}
		sc.nt++
		sc.inWord = true
	}
}

func (sc *titleScan) putByte(c byte) {
	sc.startWord()
	sc.buf[sc.n] = c
	sc.n++
}

func (sc *titleScan) putRune(r rune) {
	sc.startWord()
	sc.n = len(appendFoldRune(sc.buf[:sc.n], r))
}

// scan folds s into sc. Gender endings written with a marker
// ("Leiter:in", "Berater*innen", "Referent/-in", "Koordinator(in)",
// "Diretor/a", "Chargé(e)", "Directeur·rice") are dropped here, before "/"
// and "(" are read as separators between roles.
func (sc *titleScan) scan(s string) {
	for i := 0; i < len(s) && !sc.full(); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			i += size
			sc.scanRune(s, &i, r)
			continue
		}
		i++
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			sc.putByte(c)
		case 'A' <= c && c <= 'Z':
			sc.putByte(c + 'a' - 'A')
		case c == '.':
			// "C.E.O." and "Proj.Mgr." read as written without dots.
		case (c == ':' || c == '*' || c == '_' || c == '/' || c == '(') && sc.inWord:
			if n := genderEnding(s, i, c == '/' || c == '('); n > 0 {
				i += n
				sc.endWord()
				continue
			}
			sc.separator(c, s, i)
		default:
			sc.separator(c, s, i)
		}
	}
	sc.endWord()
}

// separator classifies ASCII punctuation; i is the index after c.
func (sc *titleScan) separator(c byte, s string, i int) {
	switch c {
	case ',', ';', '|', '/', '\\', '(', ')', '[', ']', '{', '}', ':', '!', '?', '\n', '\r':
		sc.mark(tokBreak)
	case '&', '+':
		sc.mark(tokAnd)
	case '@':
		sc.mark(tokAt)
	case '-':
		// "Coach - Berlin" separates; "Co-Founder" only splits words.
		spaced := !sc.inWord || (i < len(s) && (s[i] == ' ' || s[i] == '\t'))
		if spaced {
			sc.mark(tokBreak)
		} else {
			sc.endWord()
		}
	default:
		sc.endWord()
	}
}

func (sc *titleScan) scanRune(s string, i *int, r rune) {
	switch {
	case r == '·' && sc.inWord:
		if n := genderEnding(s, *i, true); n > 0 {
			*i += n
			sc.endWord()
			return
		}
		sc.endWord()
	case r == '–' || r == '—' || r == '‒' || r == '―' || r == '•' || r == '｜' || r == '／':
		sc.mark(tokBreak)
	case unicode.IsLetter(r) || unicode.IsDigit(r):
		sc.putRune(r)
	case unicode.Is(unicode.Mn, r):
		// A combining accent of decomposed input: drop it, stay in the word.
	default:
		sc.endWord()
	}
}

// genderEnding reports the length of a gender ending starting at s[i], just
// after a marker, with the ")" that closes it; 0 if there is none. German
// endings ("in", "innen", "-in", "in)") follow any marker; with romance set,
// so after "/", "(" or "·", the Spanish, Portuguese, Italian and French ones
// ("Diretor/a", "Técnico(a)", "Chargé(e)", "Directeur·rice") are dropped
// too. An ending is a whole word: "Leiter/Innovation" keeps its second word.
func genderEnding(s string, i int, romance bool) int {
	j := i
	if j < len(s) && s[j] == '-' {
		j++
	}
	endings := germanEndings
	if romance {
		endings = genderEndings
	}
	for _, end := range endings {
		if !hasPrefixFold(s[j:], end) {
			continue
		}
		k := j + len(end)
		if k < len(s) {
			if r, _ := utf8.DecodeRuneInString(s[k:]); unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) {
				continue
			}
			if s[k] == ')' {
				k++
			}
		}
		return k - i
	}
	return 0
}

// Gender endings written after a marker, each before any ending it starts
// with: German "innen" and "in"; Spanish, Portuguese and Italian "a", "o",
// "as", "os"; French "e", "es", "ère" (also typed "ere"), "trice", "rice",
// "euse", "ne" ("Technicien/ne"), "le" ("Professionnel/le"), "fe"
// ("Chef/fe").
var (
	germanEndings = []string{"innen", "in"}
	genderEndings = []string{"innen", "in", "trice", "rice", "euse", "ère", "ere",
		"as", "os", "es", "ne", "le", "fe", "a", "o", "e"}
)

// hasPrefixFold reports whether s starts with the lower-case ASCII prefix p,
// ignoring ASCII case.
func hasPrefixFold(s, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for k := 0; k < len(p); k++ {
		c := s[k]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != p[k] {
			return false
		}
	}
	return true
}

// genderStem returns w without a feminine or inclusive-plural ending glued to
// it ("Leiterin", "LeiterInnen", "Referentin"), or w itself. Only stems with
// a masculine agent ending are cut, so "Latin" or "Admin" stay whole.
func genderStem(w []byte) []byte {
	var stem []byte
	switch {
	case len(w) > 8 && string(w[len(w)-5:]) == "innen":
		stem = w[:len(w)-5]
	case len(w) > 5 && string(w[len(w)-2:]) == "in":
		stem = w[:len(w)-2]
	default:
		return w
	}
	for _, end := range agentEndings {
		if len(stem) > len(end)+1 && string(stem[len(stem)-len(end):]) == end {
			return stem
		}
	}
	return w
}

// agentEndings are the endings of German masculine agent nouns that take a
// feminine "-in": Leiter, Direktor, Referent, Praktikant, Prokurist,
// Redakteur, Sekretär, Chef, Experte (Expertin), Kandidat, Pädagoge.
var agentEndings = []string{"er", "or", "ent", "ant", "ist", "eur", "ar", "ef", "rt", "at", "og"}

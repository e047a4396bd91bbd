package vocab

import (
	"fmt"
	"strings"
)

type language struct {
	code  string // ISO 639-1
	name  string
	iso2  []string // ISO 639-2 codes, terminology first
	other []string
}

var (
	languageByCode = make(map[string]*language, len(languages))
	languageByISO2 = make(map[string]string, 2*len(languages))
	languageByName = make(map[string]string, 4*len(languages))
)

func init() {
	for i := range languages {
		l := &languages[i]
		languageByCode[l.code] = l
		for _, c := range l.iso2 {
			languageByISO2[c] = l.code
		}
	}
	for i := range languages {
		l := &languages[i]
		addLanguageName(l.name, l.code)
		for _, n := range l.other {
			addLanguageName(n, l.code)
		}
	}
	for code, names := range languageNames {
		if languageByCode[code] == nil {
			panic("vocab: alternate names for unknown language " + code)
		}
		for _, n := range names {
			addLanguageName(n, code)
		}
	}
}

// addLanguageName indexes a name under every spelling a user may type; it
// panics on a name that would mean two languages.
func addLanguageName(name, code string) {
	for _, sp := range spellings(name) {
		k := foldKey(sp)
		if prev, ok := languageByName[k]; ok && prev != code {
			panic(fmt.Sprintf("vocab: language name %q means both %s and %s", name, prev, code))
		}
		if l := languageByCode[k]; l != nil && l.code != code {
			panic(fmt.Sprintf("vocab: language name %q reads as code %s", name, k))
		}
		if c, ok := languageByISO2[k]; ok && c != code {
			panic(fmt.Sprintf("vocab: language name %q reads as code %s", name, k))
		}
		languageByName[k] = code
	}
}

// Language returns the ISO 639-1 code, in lower case, for s: a 639-1 code in
// any case, a 639-2 code ("deu", "ger"), a language tag whose primary subtag
// is a 639-1 code ("de-AT", "pt_BR"), an English name ("German", "Farsi"),
// or a native name ("Deutsch", "Français", "Türkçe", "العربية"). Dari maps to
// fa and Kurmanji and Sorani to ku, because ISO 639-1 has no separate codes
// for them and the CRM stores only 639-1. ok is false for anything else,
// including the empty string.
func Language(s string) (code string, ok bool) {
	s = primarySubtag(strings.TrimSpace(s))
	var buf [3]byte
	if lo := asciiLower(&buf, s); lo != nil {
		switch len(lo) {
		case 2:
			if l := languageByCode[string(lo)]; l != nil {
				return l.code, true
			}
		case 3:
			if code, ok := languageByISO2[string(lo)]; ok {
				return code, true
			}
		}
	}
	if s == "" {
		return "", false
	}
	code, ok = languageByName[foldKey(s)]
	return code, ok
}

// LanguageName returns the English name for an ISO 639-1 code in any case,
// as reports and forms show it, or "" if the code is unknown.
func LanguageName(code string) string {
	var buf [3]byte
	if lo := asciiLower(&buf, code); lo != nil {
		if l := languageByCode[string(lo)]; l != nil {
			return l.name
		}
	}
	return ""
}

// asciiLower is asciiUpper for language codes, which ISO writes in lower
// case.
func asciiLower(buf *[3]byte, s string) []byte {
	up := asciiUpper(buf, s)
	for i := range up {
		up[i] += 'a' - 'A'
	}
	return up
}

// primarySubtag cuts a language tag such as "de-AT", "pt_BR", "zh-Hans" or
// "es-419" to its language, and leaves anything else, such as the name
// "Af-Soomaali", whole.
func primarySubtag(s string) string {
	if len(s) < 5 || (s[2] != '-' && s[2] != '_') || !isASCIILetters(s[:2]) {
		return s
	}
	sub := s[3:]
	if i := strings.IndexAny(sub, "-_"); i >= 0 {
		sub = sub[:i]
	}
	switch {
	case len(sub) == 2 && isASCIILetters(sub), // region
		len(sub) == 4 && isASCIILetters(sub), // script
		len(sub) == 3 && isASCIIDigits(sub):  // UN M.49 region
		return s[:2]
	}
	return s
}

func isASCIILetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func isASCIIDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

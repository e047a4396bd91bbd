package vocab

import (
	"fmt"
	"strings"
)

type country struct {
	code   string // ISO 3166-1 alpha-2
	alpha3 string
	name   string
	formal []string
}

var (
	countryByCode   = make(map[string]*country, len(countries))
	countryByAlpha3 = make(map[string]string, len(countries))
	countryByName   = make(map[string]string, 4*len(countries))
)

func init() {
	for i := range countries {
		c := &countries[i]
		countryByCode[c.code] = c
		countryByAlpha3[c.alpha3] = c.code
	}
	for i := range countries {
		c := &countries[i]
		addCountryName(c.name, c.code)
		for _, n := range c.formal {
			addCountryName(n, c.code)
		}
	}
	for code, names := range countryNames {
		if countryByCode[code] == nil {
			panic("vocab: alternate names for unknown country " + code)
		}
		for _, n := range names {
			addCountryName(n, code)
		}
	}
}

// addCountryName indexes a name under every spelling a user may type. It
// panics on a name that would mean two countries, or a code that would read
// as another country's code, so that a bad table never reaches a user.
func addCountryName(name, code string) {
	for _, sp := range spellings(name) {
		k := countryKey(sp)
		if prev, ok := countryByName[k]; ok && prev != code {
			panic(fmt.Sprintf("vocab: country name %q means both %s and %s", name, prev, code))
		}
		up := strings.ToUpper(k)
		if c := countryByCode[up]; len(k) == 2 && c != nil && c.code != code {
			panic(fmt.Sprintf("vocab: country name %q reads as code %s", name, up))
		}
		if c, ok := countryByAlpha3[up]; len(k) == 3 && ok && c != code {
			panic(fmt.Sprintf("vocab: country name %q reads as code %s", name, up))
		}
		countryByName[k] = code
	}
}

// countryKey folds a country name and drops the words that vary without
// changing the country: a leading "the" and "St" for "Saint".
func countryKey(s string) string {
	k := foldKey(s)
	k = strings.TrimPrefix(k, "the ")
	if strings.HasPrefix(k, "st ") {
		k = "saint " + k[3:]
	}
	return k
}

// Country returns the ISO 3166-1 alpha-2 code, in upper case, for s: an
// alpha-2 or alpha-3 code in any case, the English name or a common
// alternate ("Czech Republic", "UK", "Holland", "Turkey", "Ivory Coast"), or
// the native name of a European country ("Deutschland", "Österreich",
// "Sverige", "Ελλάδα"). Case, surrounding space, accents and punctuation are
// ignored in names. "UK" and the EU's "EL" are accepted for GB and GR
// because European partner lists use them. ok is false for anything else,
// including the empty string.
func Country(s string) (code string, ok bool) {
	s = strings.TrimSpace(s)
	var buf [3]byte
	if up := asciiUpper(&buf, s); up != nil {
		switch len(up) {
		case 2:
			if c := countryByCode[string(up)]; c != nil {
				return c.code, true
			}
		case 3:
			if code, ok := countryByAlpha3[string(up)]; ok {
				return code, true
			}
		}
	}
	if s == "" {
		return "", false
	}
	code, ok = countryByName[countryKey(s)]
	return code, ok
}

// CountryName returns the English short name for an ISO 3166-1 alpha-2 code
// in any case, as reports and forms show it, or "" if the code is unknown.
func CountryName(code string) string {
	var buf [3]byte
	if up := asciiUpper(&buf, code); up != nil {
		if c := countryByCode[string(up)]; c != nil {
			return c.name
		}
	}
	return ""
}

// asciiUpper writes s in upper case into buf and returns it when s is two or
// three ASCII letters, the shape of an ISO code; nil otherwise. The caller's
// buffer keeps the per-row code path free of allocations.
func asciiUpper(buf *[3]byte, s string) []byte {
	if len(s) < 2 || len(s) > 3 {
		return nil
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z':
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		default:
			return nil
		}
		buf[i] = c
	}
	return buf[:len(s)]
}

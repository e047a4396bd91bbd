package demo

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// tables is the static data in the form generation needs. It is built once
// per process and only read afterwards, so concurrent WriteCSV calls share it.
type tables struct {
	cultures       []culture
	countries      []country
	countryWeights []float64
	titles         map[string]*titles // by working language
	english        *titles
	templates      map[string][len(orgTypes)][]template
}

type country struct {
	code, lower, name string
	cities            []city
	cultures          []*culture
	cultureWeights    []float64
	cultureTotal      float64
	// names holds the name templates that fit the country, by language of
	// its cities and English, then by organisation type.
	names map[string]*[len(orgTypes)][]string
}

type city struct {
	name, lang string
}

type template struct {
	text, only string
}

var loadTables = sync.OnceValues(buildTables)

func buildTables() (*tables, error) {
	cultures, err := buildCultures()
	if err != nil {
		return nil, err
	}
	t := &tables{
		cultures:  cultures,
		titles:    make(map[string]*titles, len(titleTable)),
		templates: make(map[string][len(orgTypes)][]template, len(nameTemplates)),
	}
	for lang, table := range titleTable {
		t.titles[lang] = buildTitles(table)
	}
	t.english = t.titles["en"]
	for lang, cells := range nameTemplates {
		t.templates[lang] = parseTemplates(cells)
	}
	for _, d := range countryTable {
		c, err := t.buildCountry(d)
		if err != nil {
			return nil, err
		}
		t.countries = append(t.countries, c)
		t.countryWeights = append(t.countryWeights, d.weight)
	}
	return t, nil
}

func (t *tables) buildCountry(d countryData) (country, error) {
	c := country{code: d.code, lower: strings.ToLower(d.code), name: d.name}
	for _, s := range splitList(d.cities) {
		name, lang, ok := strings.Cut(s, "@")
		if !ok {
			lang = d.lang
		}
		c.cities = append(c.cities, city{name: name, lang: lang})
	}
	c.names = map[string]*[len(orgTypes)][]string{}
	for _, cty := range append(c.cities, city{lang: "en"}) {
		if all, ok := t.templates[cty.lang]; ok && c.names[cty.lang] == nil {
			c.names[cty.lang] = templatesFor(&all, d.code)
		}
	}
	for _, s := range splitList(d.mix) {
		id, w, _ := strings.Cut(s, " ")
		weight, err := strconv.ParseFloat(w, 64)
		if err != nil {
			return c, fmt.Errorf("demo: country %s: weight %q: %w", d.code, s, err)
		}
		cu := t.culture(id)
		if cu == nil {
			return c, fmt.Errorf("demo: country %s: unknown culture %q", d.code, id)
		}
		c.cultures = append(c.cultures, cu)
		c.cultureWeights = append(c.cultureWeights, weight)
		c.cultureTotal += weight
	}
	return c, nil
}

func (t *tables) culture(id string) *culture {
	for i := range t.cultures {
		if t.cultures[i].id == id {
			return &t.cultures[i]
		}
	}
	return nil
}

func parseTemplates(cells [len(orgTypes)]string) [len(orgTypes)][]template {
	var out [len(orgTypes)][]template
	for typ, cell := range cells {
		for _, s := range strings.Split(cell, ";") {
			s = strings.TrimSpace(s)
			tp := template{text: s}
			if len(s) > 3 && s[2] == '=' {
				tp = template{only: s[:2], text: s[3:]}
			}
			out[typ] = append(out[typ], tp)
		}
	}
	return out
}

// templatesFor keeps the templates that apply in the country with the given code.
func templatesFor(all *[len(orgTypes)][]template, code string) *[len(orgTypes)][]string {
	var out [len(orgTypes)][]string
	for typ, list := range all {
		for _, tp := range list {
			if tp.only == "" || tp.only == code {
				out[typ] = append(out[typ], tp.text)
			}
		}
	}
	return &out
}

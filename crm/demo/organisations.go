package demo

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// organisation is one member of the generated network, with the plan of its
// staff: how many contacts it has and which of them are executives or seniors.
type organisation struct {
	name, domain string
	typ          int
	country      *country
	lang         string  // working language of its city
	titles       *titles // titles in lang, nil if only English ones are known

	size, next     uint32 // contacts planned, contacts written so far
	execs, seniors uint32
	stride, offset uint32 // a permutation of 0..size-1, see level
}

// level decides the seniority of the k-th contact written for o. Executives
// and seniors take fixed slots of the organisation's staff, so every
// organisation has one or two heads and a few seniors; the slots are visited
// in a permuted order so that the heads do not all come first in the file.
// Below them staff is drawn as a pyramid: more operational than middle.
func (o *organisation) level(k uint32, r *rand.Rand) int {
	slot := uint32((uint64(k)*uint64(o.stride) + uint64(o.offset)) % uint64(o.size))
	switch {
	case slot < o.execs:
		return executive
	case slot < o.execs+o.seniors:
		return senior
	}
	switch u := r.Float64(); {
	case u < 0.03:
		return unknown
	case u < 0.33:
		return middle
	default:
		return operational
	}
}

// orgBuilder draws organisations and keeps their names and domains unique.
type orgBuilder struct {
	r       *rand.Rand
	t       *tables
	names   map[string]bool
	domains map[string]bool
	// Numbered copies made of each name and domain, so that numbering
	// continues where it stopped instead of rescanning from 2.
	nameCopies, domainCopies map[string]int
}

func newOrganisations(r *rand.Rand, t *tables, n int) []organisation {
	b := &orgBuilder{r: r, t: t, names: make(map[string]bool, n), domains: make(map[string]bool, n),
		nameCopies: map[string]int{}, domainCopies: map[string]int{}}
	orgs := make([]organisation, n)
	for i := range orgs {
		typ := i // the first organisations cover every type, so small files show them all
		if i >= len(orgTypes) {
			typ = pickWeighted(r, orgTypeWeights[:])
		}
		orgs[i] = b.organisation(typ)
	}
	return orgs
}

func (b *orgBuilder) organisation(typ int) organisation {
	c := &b.t.countries[pickWeighted(b.r, b.t.countryWeights)]
	cty := c.cities[b.r.IntN(len(c.cities))]
	name, cty, nameLang := b.uniqueName(c, cty, b.nameLanguage(c, cty, typ), typ)
	o := organisation{
		name:    name,
		typ:     typ,
		country: c,
		lang:    cty.lang,
		titles:  b.t.titles[cty.lang],
	}
	o.domain = b.uniqueDomain(name, nameLang == "de", b.tld(c, typ))
	return o
}

// englishNames is the share of organisations of each type that go by an
// English name where local names are known: common for networks and
// start-up support, rare for public bodies and chambers.
var englishNames = [len(orgTypes)]float64{0.18, 0.06, 0.02, 0.12, 0.02, 0.10, 0.35, 0.20}

func (b *orgBuilder) nameLanguage(c *country, cty city, typ int) string {
	if _, ok := c.names[cty.lang]; ok && b.r.Float64() >= englishNames[typ] {
		return cty.lang
	}
	return "en"
}

// nameAttempts bounds the draws for an unused name before numbering one:
// large networks exhaust the plausible combinations of template and city.
const nameAttempts = 4

// uniqueName returns an unused name for an organisation of type typ in
// country c, and the city and language of the name: a taken name is drawn
// again in another city of the same country.
func (b *orgBuilder) uniqueName(c *country, cty city, lang string, typ int) (string, city, string) {
	name := ""
	for attempt := range nameAttempts {
		if attempt > 0 {
			cty = c.cities[b.r.IntN(len(c.cities))]
			if _, ok := c.names[cty.lang]; ok && lang != "en" {
				lang = cty.lang
			}
		}
		name = b.name(c, cty, lang, typ)
		if !b.names[name] {
			b.names[name] = true
			return name, cty, lang
		}
	}
	for {
		b.nameCopies[name]++
		numbered := name + " " + strconv.Itoa(b.nameCopies[name]+1)
		if !b.names[numbered] {
			b.names[numbered] = true
			return numbered, cty, lang
		}
	}
}

func (b *orgBuilder) name(c *country, cty city, lang string, typ int) string {
	list := c.names[lang][typ]
	return strings.Replace(list[b.r.IntN(len(list))], "{c}", cty.name, 1)
}

// tld is the country's domain, except for part of the networks and NGOs
// that, as in real life, prefer .eu or .org.
func (b *orgBuilder) tld(c *country, typ int) string {
	u := b.r.Float64()
	switch orgTypes[typ] {
	case "network":
		if u < 0.25 {
			return "eu"
		}
		if u < 0.40 {
			return "org"
		}
	case "ngo":
		if u < 0.15 {
			return "org"
		}
	}
	return c.lower
}

// legalForms are dropped from domains, as organisations do ("Starthilfe
// Leipzig e.V." -> starthilfe-leipzig.de).
var legalForms = []string{" e.V.", " eG", " ry"}

func (b *orgBuilder) uniqueDomain(name string, german bool, tld string) string {
	for _, f := range legalForms {
		name = strings.ReplaceAll(name, f, "")
	}
	label := slug(name, german)
	base := label + "." + tld
	domain := base
	for b.domains[domain] {
		b.domainCopies[base]++
		domain = label + "-" + strconv.Itoa(b.domainCopies[base]+1) + "." + tld
	}
	b.domains[domain] = true
	return domain
}

// planStaff shares contacts among organisations in proportion to a size
// drawn from a log-normal distribution scaled by type, so that the network
// has many small organisations and a few large ones; every organisation gets
// at least one contact when there are enough.
func planStaff(r *rand.Rand, orgs []organisation, contacts int) {
	n := len(orgs)
	if contacts < n {
		for i := range contacts {
			orgs[i].size = 1
		}
	} else {
		weights := make([]float64, n)
		total := 0.0
		for i := range orgs {
			weights[i] = orgTypeSize[orgs[i].typ] * math.Exp(0.7*r.NormFloat64())
			total += weights[i]
		}
		rest := contacts - n
		given := 0
		for i := range orgs {
			extra := int(float64(rest) * weights[i] / total)
			orgs[i].size = uint32(1 + extra)
			given += extra
		}
		for i := 0; given < rest; i, given = (i+1)%n, given+1 {
			orgs[i].size++
		}
	}
	for i := range orgs {
		planLevels(r, &orgs[i])
	}
}

// planLevels fixes the number of executives (one, or two in larger
// organisations) and seniors (about one in eight of the rest), and a random
// permutation of the staff slots.
func planLevels(r *rand.Rand, o *organisation) {
	if o.size == 0 {
		return
	}
	o.execs = 1
	if o.size >= 6 && r.IntN(2) == 0 {
		o.execs = 2
	}
	if o.size >= 3 {
		o.seniors = uint32(math.Ceil(float64(o.size-o.execs) * 0.12))
	}
	o.stride, o.offset = 1, 0
	if o.size > 1 {
		o.offset = r.Uint32N(o.size)
		for {
			o.stride = 1 + r.Uint32N(o.size-1)
			if gcd(o.stride, o.size) == 1 {
				break
			}
		}
	}
}

func gcd(a, b uint32) uint32 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// pickWeighted returns an index drawn with probability proportional to its
// weight. The lists are short, so a linear scan beats anything cleverer.
func pickWeighted(r *rand.Rand, weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	return pickWithTotal(r, weights, total)
}

// pickWithTotal is pickWeighted with the total known, for the per-row draws.
func pickWithTotal(r *rand.Rand, weights []float64, total float64) int {
	u := r.Float64() * total
	for i, w := range weights {
		if u < w {
			return i
		}
		u -= w
	}
	return len(weights) - 1
}

// staffDraw picks the organisation of the next contact, in proportion to the
// contacts it still has to receive (drawing without replacement), with a
// Fenwick tree so that a draw costs O(log organisations).
type staffDraw struct {
	tree []uint32 // 1-based Fenwick tree over remaining contacts
	left uint64
	top  int // highest power of two <= len(tree)-1
}

func newStaffDraw(orgs []organisation) *staffDraw {
	n := len(orgs)
	d := &staffDraw{tree: make([]uint32, n+1), top: 1}
	for i := range orgs {
		d.tree[i+1] += orgs[i].size
		d.left += uint64(orgs[i].size)
		if j := (i + 1) + (i+1)&-(i+1); j <= n {
			d.tree[j] += d.tree[i+1]
		}
	}
	for d.top*2 <= n {
		d.top *= 2
	}
	return d
}

// next returns the index of an organisation with contacts left, and takes
// one of them.
func (d *staffDraw) next(r *rand.Rand) int {
	target := uint32(r.Uint64N(d.left))
	pos := 0
	for step := d.top; step > 0; step >>= 1 {
		if p := pos + step; p < len(d.tree) && d.tree[p] <= target {
			pos = p
			target -= d.tree[p]
		}
	}
	for i := pos + 1; i < len(d.tree); i += i & -i {
		d.tree[i]--
	}
	d.left--
	return pos
}

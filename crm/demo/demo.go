package demo

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
)

// Options sets the size and the seed of a generated network.
type Options struct {
	Seed          uint64 // same seed, same file
	Organisations int    // zero means one per ten contacts
	Contacts      int    // rows written after the header
}

// header is the first line of every generated file: Outreach's canonical
// import columns, in order.
var header = []string{
	"email", "first_name", "last_name", "organisation", "organisation_type", "country",
	"job_title", "seniority", "language", "topics", "tags", "consent",
}

// maxContacts keeps per-organisation counters in 32 bits.
const maxContacts = math.MaxUint32

// WriteCSV writes a header line and Options.Contacts rows describing
// contacts in a network of Options.Organisations organisations, in the CSV
// format that Outreach imports (comma-separated, RFC 4180 quoting, UTF-8, LF
// line endings). Rows are streamed: memory grows with the number of
// organisations, not of contacts, apart from a filter of addresses capped at
// 16 MiB. The same Options always give the same bytes.
func WriteCSV(w io.Writer, opts Options) error {
	if opts.Contacts < 0 || int64(opts.Contacts) > maxContacts || opts.Organisations < 0 {
		return fmt.Errorf("demo: %d contacts in %d organisations: counts must be between 0 and %d",
			opts.Contacts, opts.Organisations, int64(maxContacts))
	}
	t, err := loadTables()
	if err != nil {
		return err
	}
	// csv.Writer reuses a *bufio.Writer that is large enough instead of
	// wrapping it in its own 4 KiB buffer.
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csv.NewWriter(bw)
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	g := newGenerator(t, opts)
	rec := make([]string, len(header))
	for range opts.Contacts {
		g.row(rec)
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}

// generator holds the state of one file: the random stream, the
// organisations with their remaining staff, and the addresses handed out.
type generator struct {
	r     *rand.Rand
	t     *tables
	orgs  []organisation
	draw  *staffDraw
	addrs *addressBook
}

func newGenerator(t *tables, opts Options) *generator {
	// The second PCG word is fixed so that the seed alone selects the file.
	r := rand.New(rand.NewPCG(opts.Seed, 0x6f75747265616368))
	n := opts.Organisations
	if n == 0 {
		n = max(1, opts.Contacts/10)
	}
	orgs := newOrganisations(r, t, n)
	planStaff(r, orgs, opts.Contacts)
	return &generator{r: r, t: t, orgs: orgs, draw: newStaffDraw(orgs), addrs: newAddressBook(opts.Contacts)}
}

// row fills rec with the next contact.
func (g *generator) row(rec []string) {
	i := g.draw.next(g.r)
	o := &g.orgs[i]
	k := o.next
	o.next++
	level := o.level(k, g.r)
	gender := g.r.IntN(2)
	cu := o.country.cultures[pickWithTotal(g.r, o.country.cultureWeights, o.country.cultureTotal)]
	first := cu.first[gender][g.r.IntN(len(cu.first[gender]))]
	last := cu.family[g.r.IntN(len(cu.family))][gender]
	lang := g.language(o)

	rec[0] = g.addrs.address(i, o.domain, first.ascii, last.ascii, g.r.Float64() < 0.15, k)
	rec[1] = first.text
	rec[2] = last.text
	rec[3] = o.name
	rec[4] = orgTypes[o.typ]
	rec[5] = g.country(o.country)
	rec[6] = g.title(o, lang, level, gender)
	rec[7] = ""
	if g.r.Float64() < 0.4 {
		rec[7] = levelNames[level]
	}
	rec[8] = lang
	rec[9] = g.topics(o.typ)
	rec[10] = g.tags()
	rec[11] = g.consent()
}

// language is the working language of a contact: the organisation's, or
// English for the international staff most organisations have.
func (g *generator) language(o *organisation) string {
	if o.lang != "en" && g.r.Float64() < 0.18 {
		return "en"
	}
	return o.lang
}

// country writes the country as importers meet it: mostly the ISO code,
// sometimes in lower case, sometimes the English name.
func (g *generator) country(c *country) string {
	switch u := g.r.Float64(); {
	case u < 0.68:
		return c.code
	case u < 0.83:
		return c.lower
	default:
		return c.name
	}
}

// title picks a job title in the contact's working language when one is
// known, else in English; English titles are common everywhere in the
// sector, so they also appear among local-language staff.
func (g *generator) title(o *organisation, lang string, level, gender int) string {
	if level == unknown && g.r.Float64() < 0.75 {
		return "" // the usual reason the seniority is unknown
	}
	ts := g.t.english
	if lang != "en" && o.titles != nil && g.r.Float64() < 0.72 {
		ts = o.titles
	}
	list := ts[level][o.typ]
	return list[g.r.IntN(len(list))][gender]
}

// topicOdds is the chance that a contact follows each community of practice
// (coaching_mentoring, access_to_finance, professionalisation_diversity),
// by organisation type: lenders care about finance, NGOs about diversity.
var topicOdds = [len(orgTypes)][3]float64{
	{0.55, 0.30, 0.20}, // business_support
	{0.20, 0.70, 0.12}, // finance
	{0.30, 0.35, 0.30}, // public
	{0.40, 0.20, 0.40}, // ngo
	{0.30, 0.35, 0.30}, // chamber
	{0.45, 0.20, 0.35}, // education
	{0.40, 0.35, 0.40}, // network
	{0.25, 0.20, 0.25}, // other
}

// topicSets holds every subset of the topics, indexed by bit mask, so that a
// row costs no allocation.
var topicSets = [8]string{
	"", "coaching_mentoring", "access_to_finance", "coaching_mentoring|access_to_finance",
	"professionalisation_diversity", "coaching_mentoring|professionalisation_diversity",
	"access_to_finance|professionalisation_diversity",
	"coaching_mentoring|access_to_finance|professionalisation_diversity",
}

func (g *generator) topics(typ int) string {
	mask := 0
	for i, p := range topicOdds[typ] {
		if g.r.Float64() < p {
			mask |= 1 << i
		}
	}
	return topicSets[mask]
}

// freeTags are the coordinators' own labels: mailing lists, past events,
// roles in the network.
var freeTags = []string{
	"newsletter", "cop-2025", "cop-2024", "speaker", "conference-2025", "conference-2024",
	"workshop-host", "partner", "eu-project", "mentor-pool", "alumni", "steering-group",
	"webinar-2025", "press", "jury",
}

// tags gives three contacts in ten one to three free tags.
func (g *generator) tags() string {
	if g.r.Float64() >= 0.3 {
		return ""
	}
	a := g.r.IntN(len(freeTags))
	switch u := g.r.Float64(); {
	case u < 0.6:
		return freeTags[a]
	case u < 0.9:
		b := (a + 1 + g.r.IntN(len(freeTags)-1)) % len(freeTags)
		return freeTags[a] + "|" + freeTags[b]
	default:
		b := (a + 1 + g.r.IntN(len(freeTags)-2)) % len(freeTags)
		c := (b + 1) % len(freeTags) // b is never just before a, so c != a
		return freeTags[a] + "|" + freeTags[b] + "|" + freeTags[c]
	}
}

// consent: most contacts are professional contacts held on legitimate
// interest; some opted in; a few have unsubscribed and must stay suppressed.
func (g *generator) consent() string {
	switch u := g.r.Float64(); {
	case u < 0.78:
		return "legitimate_interest"
	case u < 0.96:
		return "opt_in"
	default:
		return "unsubscribed"
	}
}

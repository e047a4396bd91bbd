package templates

import (
	"strings"
	"sync"
	"time"
)

// locale holds what a date needs in one language. Month names are the forms
// used inside a date, which differ from the standalone ones in some
// languages (Polish "12 marca", not "marzec").
type locale struct {
	months, monthsShort [12]string
	days, daysShort     [7]string // indexed by time.Weekday: Sunday first
	styles              map[string]layout
}

// Styles are written as Go layouts; parseLayout turns their English month
// and weekday names into slots that format fills in the locale's language.
func newLocale(months, monthsShort, days, daysShort string, long, short, clock, datetime string) *locale {
	l := &locale{styles: map[string]layout{
		"long":     parseLayout(long),
		"short":    parseLayout(short),
		"time":     parseLayout(clock),
		"datetime": parseLayout(datetime),
	}}
	copy(l.months[:], strings.Split(months, " "))
	copy(l.monthsShort[:], strings.Split(monthsShort, " "))
	copy(l.days[:], strings.Split(days, " "))
	copy(l.daysShort[:], strings.Split(daysShort, " "))
	return l
}

var english = newLocale(
	"January February March April May June July August September October November December",
	"Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
	"Sunday Monday Tuesday Wednesday Thursday Friday Saturday",
	"Sun Mon Tue Wed Thu Fri Sat",
	"Monday, 2 January 2006", "2 Jan 2006", "15:04", "Monday, 2 January 2006 at 15:04")

// locales is keyed by ISO 639-1 code. The English forms are British, which
// is what a European audience expects (day before month, 24-hour clock).
var locales = map[string]*locale{
	"en": english,
	"de": newLocale(
		"Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
		"Jan. Feb. März Apr. Mai Juni Juli Aug. Sept. Okt. Nov. Dez.",
		"Sonntag Montag Dienstag Mittwoch Donnerstag Freitag Samstag",
		"So. Mo. Di. Mi. Do. Fr. Sa.",
		"Monday, 2. January 2006", "02.01.2006", "15:04", "Monday, 2. January 2006, 15:04 Uhr"),
	"fr": newLocale(
		"janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
		"janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.",
		"dimanche lundi mardi mercredi jeudi vendredi samedi",
		"dim. lun. mar. mer. jeu. ven. sam.",
		"Monday 2 January 2006", "02/01/2006", "15 h 04", "Monday 2 January 2006 à 15 h 04"),
	"es": newLocale(
		"enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
		"ene feb mar abr may jun jul ago sept oct nov dic",
		"domingo lunes martes miércoles jueves viernes sábado",
		"dom lun mar mié jue vie sáb",
		"Monday, 2 de January de 2006", "02/01/2006", "15:04", "Monday, 2 de January de 2006, 15:04"),
	"it": newLocale(
		"gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
		"gen feb mar apr mag giu lug ago set ott nov dic",
		"domenica lunedì martedì mercoledì giovedì venerdì sabato",
		"dom lun mar mer gio ven sab",
		"Monday 2 January 2006", "02/01/2006", "15:04", "Monday 2 January 2006, ore 15:04"),
	"nl": newLocale(
		"januari februari maart april mei juni juli augustus september oktober november december",
		"jan feb mrt apr mei jun jul aug sep okt nov dec",
		"zondag maandag dinsdag woensdag donderdag vrijdag zaterdag",
		"zo ma di wo do vr za",
		"Monday 2 January 2006", "02-01-2006", "15:04", "Monday 2 January 2006 om 15:04"),
	"pt": newLocale(
		"janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
		"jan fev mar abr mai jun jul ago set out nov dez",
		"domingo segunda-feira terça-feira quarta-feira quinta-feira sexta-feira sábado",
		"dom seg ter qua qui sex sáb",
		"Monday, 2 de January de 2006", "02/01/2006", "15:04", "Monday, 2 de January de 2006, 15:04"),
	"pl": newLocale(
		"stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października listopada grudnia",
		"sty lut mar kwi maj cze lip sie wrz paź lis gru",
		"niedziela poniedziałek wtorek środa czwartek piątek sobota",
		"niedz. pon. wt. śr. czw. pt. sob.",
		"Monday, 2 January 2006", "02.01.2006", "15:04", "Monday, 2 January 2006, 15:04"),
}

// localeFor accepts the forms contact data comes in ("de", "DE", "de-AT",
// "de_AT") and falls back to English for anything it does not know.
func localeFor(lang string) *locale {
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	if l, ok := locales[lang]; ok {
		return l
	}
	if l, ok := locales[strings.ToLower(strings.TrimSpace(lang))]; ok {
		return l
	}
	return english
}

// format renders t with a style name ("long", "short", "time", "datetime")
// or a Go layout whose month and weekday names are translated.
func (l *locale) format(t time.Time, styleOrLayout string) string {
	lay, ok := l.styles[styleOrLayout]
	if !ok {
		lay = cachedLayout(styleOrLayout)
	}
	return lay.format(t, l)
}

// layout is a Go time layout split around its month and weekday names,
// which time.Format only knows in English.
type layout []chunk

type chunk struct {
	slot nameSlot
	text string // the Go layout fragment when slot is fragment
}

type nameSlot uint8

const (
	fragment nameSlot = iota
	monthLong
	monthShort
	dayLong
	dayShort
)

func (lay layout) format(t time.Time, l *locale) string {
	buf := make([]byte, 0, 48)
	for _, c := range lay {
		switch c.slot {
		case fragment:
			buf = t.AppendFormat(buf, c.text)
		case monthLong:
			buf = append(buf, l.months[t.Month()-1]...)
		case monthShort:
			buf = append(buf, l.monthsShort[t.Month()-1]...)
		case dayLong:
			buf = append(buf, l.days[t.Weekday()]...)
		case dayShort:
			buf = append(buf, l.daysShort[t.Weekday()]...)
		}
	}
	return string(buf)
}

// layouts caches the layouts templates write themselves; there are only
// as many as there are distinct literals in the compiled templates.
var layouts sync.Map

func cachedLayout(s string) layout {
	if l, ok := layouts.Load(s); ok {
		return l.(layout)
	}
	l := parseLayout(s)
	layouts.Store(s, l)
	return l
}

// parseLayout finds names the way time.Format does: "Jan" and "Mon" count
// unless a lower-case letter follows, so "Janet" stays literal.
func parseLayout(s string) layout {
	var lay layout
	start := 0
	for i := 0; i < len(s); {
		slot, n := nameAt(s[i:])
		if n == 0 {
			i++
			continue
		}
		if start < i {
			lay = append(lay, chunk{text: s[start:i]})
		}
		lay = append(lay, chunk{slot: slot})
		i += n
		start = i
	}
	if start < len(s) {
		lay = append(lay, chunk{text: s[start:]})
	}
	return lay
}

func nameAt(s string) (nameSlot, int) {
	switch {
	case strings.HasPrefix(s, "January"):
		return monthLong, len("January")
	case strings.HasPrefix(s, "Monday"):
		return dayLong, len("Monday")
	case strings.HasPrefix(s, "Jan") && !lowerNext(s[3:]):
		return monthShort, len("Jan")
	case strings.HasPrefix(s, "Mon") && !lowerNext(s[3:]):
		return dayShort, len("Mon")
	}
	return fragment, 0
}

func lowerNext(s string) bool {
	return s != "" && 'a' <= s[0] && s[0] <= 'z'
}

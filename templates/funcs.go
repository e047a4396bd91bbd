package templates

import (
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode"
)

// funcs is the single list of functions templates may call: Compile checks
// names and argument counts against it, and both template engines get it.
var funcs = map[string]any{
	"default": orDefault,
	"upper":   strings.ToUpper,
	"lower":   strings.ToLower,
	"title":   title,
	"date":    date,
	"dateIn":  dateIn,
	"join":    join,
}

// orDefault is "default": the fallback comes first so that it reads well in
// a pipeline, {{ .Contact.FirstName | default "colleague" }}.
func orDefault(fallback, value any) any {
	if isEmpty(value) {
		return fallback
	}
	return value
}

// isEmpty treats blank strings as empty because imported spreadsheets are
// full of cells holding a single space.
func isEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(v) == ""
	case *eventTime:
		return v == nil || v.IsZero()
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String, reflect.Slice, reflect.Map, reflect.Array:
		return rv.Len() == 0
	case reflect.Pointer, reflect.Interface:
		return rv.IsNil()
	}
	return rv.IsZero()
}

// title upper-cases the first letter of each word and lower-cases the rest,
// which repairs names typed in capitals ("ANNA-LENA" -> "Anna-Lena").
// Apostrophes and combining marks stay inside a word.
func title(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	inWord := false
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if inWord {
				b.WriteRune(unicode.ToLower(r))
			} else {
				b.WriteRune(unicode.ToTitle(r))
			}
			inWord = true
		case inWord && (unicode.IsMark(r) || r == '\'' || r == '’'):
			b.WriteRune(r)
		default:
			b.WriteRune(r)
			inWord = false
		}
	}
	return b.String()
}

// join accepts any list so that it works on .Contact.Topics as well as on
// values a template builds itself.
func join(sep string, list any) (string, error) {
	switch l := list.(type) {
	case nil:
		return "", nil
	case []string:
		return strings.Join(l, sep), nil
	}
	rv := reflect.ValueOf(list)
	if k := rv.Kind(); k != reflect.Slice && k != reflect.Array {
		return "", fmt.Errorf("join: want a list, got %T", list)
	}
	parts := make([]string, rv.Len())
	for i := range parts {
		parts[i] = fmt.Sprint(rv.Index(i).Interface())
	}
	return strings.Join(parts, sep), nil
}

// date formats an event time in the reader's language and the event's time
// zone, both of which travel with the value (see eventTime):
// {{ .Event.Start | date "long" }}. A plain time.Time, such as the result of
// .Event.Start.Add, is formatted in English in its own zone. A zero time
// formats as "" so that an event without an end needs no special case.
func date(styleOrLayout string, v any) (string, error) {
	t, loc, err := timeOf(v)
	if err != nil || t.IsZero() {
		return "", err
	}
	return loc.format(t, styleOrLayout), nil
}

// dateIn is date in a fixed language, for a template written in one
// language: {{ .Event.Start | dateIn "en" "long" }}. It is a function of its
// own rather than an optional argument of date because text/template calls
// variadic functions at nearly twice the cost, on every message sent.
func dateIn(lang, styleOrLayout string, v any) (string, error) {
	t, _, err := timeOf(v)
	if err != nil || t.IsZero() {
		return "", err
	}
	return localeFor(lang).format(t, styleOrLayout), nil
}

func timeOf(v any) (time.Time, *locale, error) {
	switch t := v.(type) {
	case eventTime:
		return t.Time, t.locale(), nil
	case *eventTime:
		if t != nil {
			return t.Time, t.locale(), nil
		}
	case time.Time:
		return t, english, nil
	case *time.Time:
		if t != nil {
			return *t, english, nil
		}
	default:
		return time.Time{}, nil, fmt.Errorf("date: want a time such as .Event.Start, got %T", v)
	}
	return time.Time{}, english, nil
}

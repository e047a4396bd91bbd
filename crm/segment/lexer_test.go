package segment

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLex(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []token
	}{
		{"words and punctuation", `country in (DE, AT)`, []token{
			{tokWord, "country", 1}, {tokWord, "in", 9}, {tokLParen, "(", 12},
			{tokWord, "DE", 13}, {tokComma, ",", 15}, {tokWord, "AT", 17}, {tokRParen, ")", 19}, {tokEOF, "", 20},
		}},
		{"operators", `= != ~ < > <= >=`, []token{
			{tokEq, "=", 1}, {tokNe, "!=", 3}, {tokMatch, "~", 6}, {tokLt, "<", 8},
			{tokGt, ">", 10}, {tokLe, "<=", 12}, {tokGe, ">=", 15}, {tokEOF, "", 17},
		}},
		{"no spaces", `created_at<=2026-01-31`, []token{
			{tokWord, "created_at", 1}, {tokLe, "<=", 11}, {tokWord, "2026-01-31", 13}, {tokEOF, "", 23},
		}},
		{"timestamp and email are words", `2026-01-31T09:00:00+01:00 x@y.org`, []token{
			{tokWord, "2026-01-31T09:00:00+01:00", 1}, {tokWord, "x@y.org", 27}, {tokEOF, "", 34},
		}},
		{"string with escapes", `"a \"b\" \\c"`, []token{
			{tokString, `a "b" \c`, 1}, {tokEOF, "", 14},
		}},
		{"positions count runes", `"Größer GmbH" = x`, []token{
			{tokString, "Größer GmbH", 1}, {tokEq, "=", 15}, {tokWord, "x", 17}, {tokEOF, "", 18},
		}},
		{"non-ASCII word", `Zürich`, []token{{tokWord, "Zürich", 1}, {tokEOF, "", 7}}},
		{"empty string", `""`, []token{{tokString, "", 1}, {tokEOF, "", 3}}},
		{"whitespace", "\t a\n", []token{{tokWord, "a", 3}, {tokEOF, "", 5}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := lex(tt.src)
			if err != nil {
				t.Fatalf("lex(%q): %v", tt.src, err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(token{})); diff != "" {
				t.Errorf("lex(%q) mismatch (-want +got):\n%s", tt.src, diff)
			}
		})
	}
}

func TestLexErrors(t *testing.T) {
	tests := []struct {
		src  string
		want Error
	}{
		{`"abc`, Error{1, "unterminated string: expected a closing double quote, found end of input"}},
		{`a "b\`, Error{5, `unterminated string: expected a character after "\", found end of input`}},
		{`"a\nb"`, Error{3, `unknown escape "\n" in string; only \" and \\ are escapes`}},
		{`a ! b`, Error{3, `unexpected character "!"; the operator is "!="`}},
		{`a = 'b'`, Error{5, `unexpected character "'"; strings use double quotes`}},
		{`a = b;`, Error{6, `unexpected character ";"; put values that contain it in double quotes`}},
		{"a = \x01", Error{5, "unexpected character U+0001"}},
		{"\"a\x00\"", Error{3, "strings cannot contain the NUL character"}},
		{"é = \xff", Error{5, "invalid UTF-8 encoding"}},
	}
	for _, tt := range tests {
		_, err := lex(tt.src)
		var got *Error
		if !errors.As(err, &got) {
			t.Errorf("lex(%q) error = %v, want *Error", tt.src, err)
			continue
		}
		if diff := cmp.Diff(tt.want, *got); diff != "" {
			t.Errorf("lex(%q) error mismatch (-want +got):\n%s", tt.src, diff)
		}
	}
}

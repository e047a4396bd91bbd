// Package jsonhttp reads and writes the JSON bodies of Outreach's API in
// one strict, uniform way: unknown fields and wrong types are refused with
// a message naming the field, and every error answer is {"error": "..."}.
package jsonhttp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// MaxBody bounds a JSON request body; bulk data (CSV, raw mail) has its
// own endpoints with their own limits.
const MaxBody = 1 << 20

// Write sends v as JSON with the given status.
func Write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v) // the client may have gone; nothing useful to do then
}

// Fail sends {"error": msg} with the given status.
func Fail(w http.ResponseWriter, status int, msg string) {
	Write(w, status, map[string]string{"error": msg})
}

// DecodeError is a request body that could not be used; it always maps to
// 400 (or 413 when too large).
type DecodeError struct {
	Msg      string
	TooLarge bool
}

func (e *DecodeError) Error() string { return e.Msg }

// Decode reads one JSON object from the request into v, refusing unknown
// fields, wrong types, trailing data and bodies over MaxBody.
func Decode(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return describe(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &DecodeError{Msg: "body: unexpected data after the JSON object"}
	}
	return nil
}

func describe(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var big *http.MaxBytesError
	switch {
	case errors.As(err, &big):
		return &DecodeError{Msg: fmt.Sprintf("body: larger than %d bytes", MaxBody), TooLarge: true}
	case errors.Is(err, io.EOF):
		return &DecodeError{Msg: "body: empty, expected a JSON object"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &DecodeError{Msg: "body: malformed JSON: it ends too early"}
	case errors.As(err, &syn):
		return &DecodeError{Msg: fmt.Sprintf("body: malformed JSON at byte %d", syn.Offset)}
	case errors.As(err, &typ):
		return &DecodeError{Msg: fmt.Sprintf("%s: expected %s, got JSON %s", typ.Field, typ.Type, typ.Value)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return &DecodeError{Msg: "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")}
	}
	return &DecodeError{Msg: "body: " + err.Error()}
}

package crm

import (
	"errors"
	"fmt"
)

// ErrNotFound is returned when a requested row does not exist.
var ErrNotFound = errors.New("not found")

// ErrErased is returned for a contact whose personal data was erased.
var ErrErased = errors.New("contact was erased")

// ErrConflict is returned when a write would break a uniqueness rule,
// such as a second contact with the same email.
var ErrConflict = errors.New("conflict")

// ValidationError says which field of an input was wrong and why.
type ValidationError struct {
	Field  string
	Reason string
}

func (e *ValidationError) Error() string {
	if e.Field == "" {
		return e.Reason
	}
	return fmt.Sprintf("%s: %s", e.Field, e.Reason)
}

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Package vocab owns the controlled vocabularies of the CRM: seniority,
// organisation type, consent, the communities-of-practice topics, free tags,
// countries (ISO 3166-1 alpha-2) and languages (ISO 639-1).
//
// Every value that reaches the database or a segment expression passes
// through this package, so that a CSV written by hand in Excel, a form field
// and a segment literal all meet on the same canonical spelling. Parsing is
// lenient about case, spacing, diacritics and common alternate names, and
// strict about meaning: an input that could denote two different values is
// refused rather than guessed.
//
// InferSeniority turns a free-text job title into a seniority. It decides who
// gets invited when a row has no explicit seniority, so it errs towards
// Unknown over a confident wrong answer, and it runs once per imported row:
// all tables are built at package initialisation and a call does not
// allocate.
package vocab

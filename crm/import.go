package crm

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// DefaultMaxImportBytes is the largest CSV file an import accepts unless
// configured otherwise: about a million contacts of a typical export.
const DefaultMaxImportBytes = 256 << 20

// ImportOptions tune one import.
type ImportOptions struct {
	// Source names where the data came from (a file name, "api"); it is
	// recorded as the consent source and on each contact's timeline.
	Source string
	// MaxBytes bounds the file size; 0 means DefaultMaxImportBytes.
	MaxBytes int64
}

// ImportResult counts what an import did. Inserted, Updated and Unchanged
// count distinct contacts; Duplicates counts rows that repeated an email
// seen earlier in the same file and were merged into it.
type ImportResult struct {
	Inserted         int         `json:"inserted"`
	Updated          int         `json:"updated"`
	Unchanged        int         `json:"unchanged"`
	Duplicates       int         `json:"duplicates"`
	Rejected         []Rejection `json:"rejected"`
	AttributeColumns []string    `json:"attribute_columns"`
}

// ImportCSV imports contacts from a CSV file. Valid rows are inserted or
// update the contact with the same email; invalid rows are reported and
// left out. The whole import is one transaction: on any error nothing is
// written. A *FileError means the file as a whole was refused.
func ImportCSV(ctx context.Context, db *sqlx.DB, r io.Reader, opts ImportOptions) (ImportResult, error) {
	rows, res, err := readImport(r, opts)
	if err != nil {
		return res, err
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("import: begin: %w", err)
	}
	defer tx.Rollback()
	if err := stage(ctx, tx, rows); err != nil {
		return res, err
	}
	if err := merge(ctx, tx, opts.Source, len(rows), &res); err != nil {
		return res, err
	}
	if err := tx.Commit(); err != nil {
		return res, fmt.Errorf("import: commit: %w", err)
	}
	return res, nil
}

// readImport parses and validates the whole file before anything touches
// the database, folding repeated emails into one row (the later wins).
func readImport(r io.Reader, opts ImportOptions) ([]contactRow, ImportResult, error) {
	res := ImportResult{Rejected: []Rejection{}, AttributeColumns: []string{}}
	limit := opts.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxImportBytes
	}
	raw, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, res, fmt.Errorf("import: read: %w", err)
	}
	if int64(len(raw)) > limit {
		return nil, res, &FileError{Reason: fmt.Sprintf("the file is larger than the limit of %d MiB", limit>>20), TooLarge: true}
	}
	cr, err := newCSVReader(raw)
	if err != nil {
		return nil, res, err
	}
	for _, a := range cr.header.attributes {
		if a != "" {
			res.AttributeColumns = append(res.AttributeColumns, a)
		}
	}
	rows, err := collectRows(cr, &res)
	return rows, res, err
}

func collectRows(cr *csvReader, res *ImportResult) ([]contactRow, error) {
	var rows []contactRow
	index := map[string]int{}
	for {
		rec, line, err := cr.next()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			res.Rejected = append(res.Rejected, Rejection{Line: line, Reason: pe.Err.Error()})
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("import: line %d: %w", line, err)
		}
		if blank(rec) {
			continue
		}
		row, rej := parseRow(cr.header, rec, line)
		if rej != nil {
			res.Rejected = append(res.Rejected, *rej)
			continue
		}
		if i, ok := index[row.Email]; ok {
			rows[i].merge(row)
			res.Duplicates++
			continue
		}
		index[row.Email] = len(rows)
		rows = append(rows, row)
	}
}

func blank(rec []string) bool {
	for _, f := range rec {
		if f != "" {
			return false
		}
	}
	return true
}

// stage copies the validated rows into a temporary table with COPY, the
// fastest way into Postgres; the merge below is then set-based.
func stage(ctx context.Context, tx *sqlx.Tx, rows []contactRow) error {
	_, err := tx.ExecContext(ctx, `CREATE TEMP TABLE import_stage (
		line int, email text, email_hash text, first_name text, last_name text,
		organisation text, organisation_type text, country text, job_title text,
		seniority text, inferred text, language text, topics text[], tags text[],
		consent text, attributes jsonb) ON COMMIT DROP`)
	if err != nil {
		return fmt.Errorf("import: staging table: %w", err)
	}
	st, err := tx.PrepareContext(ctx, `COPY import_stage (line, email, email_hash, first_name, last_name,
		organisation, organisation_type, country, job_title, seniority, inferred, language,
		topics, tags, consent, attributes) FROM STDIN`)
	if err != nil {
		return fmt.Errorf("import: copy: %w", err)
	}
	defer st.Close()
	for _, r := range rows {
		if _, err := st.ExecContext(ctx, r.copyValues()...); err != nil {
			return fmt.Errorf("import: copy line %d: %w", r.Line, err)
		}
	}
	if _, err := st.ExecContext(ctx); err != nil {
		return fmt.Errorf("import: copy: %w", err)
	}
	return nil
}

func (r contactRow) copyValues() []any {
	return []any{
		r.Line, r.Email, emailHash(r.Email), null(r.FirstName), null(r.LastName),
		null(r.Organisation), null(r.OrganisationType), null(r.Country), null(r.JobTitle),
		null(r.Seniority), null(r.Inferred), null(r.Language),
		textArray(r.Topics), textArray(r.Tags), null(r.Consent), jsonObject(r.Attributes),
	}
}

func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// textArray encodes a slice for COPY; nil stays NULL ("the file says nothing").
func textArray(a []string) any {
	if a == nil {
		return nil
	}
	v, _ := pq.StringArray(a).Value() // never fails for strings
	return v.(driver.Value)
}

// jsonObject encodes attributes for COPY, which needs jsonb as a string.
func jsonObject(m map[string]string) any {
	if len(m) == 0 {
		return nil
	}
	b, _ := json.Marshal(m) // a map of strings always marshals
	return string(b)
}

// emailHash is what remains of an erased contact's address: enough to
// refuse re-importing a person who asked to be forgotten.
func emailHash(email string) string {
	h := sha256.Sum256([]byte(email))
	return hex.EncodeToString(h[:])
}

package campaigns

import (
	"context"
	"fmt"
	"sync"

	"github.com/jmoiron/sqlx"
)

// The statements of the sending path (queue, claim, record) run for every
// hundred or so messages, and Postgres took longer to plan the claim (about
// 0.8 ms) than to run it. They are prepared once per database handle, and
// database/sql prepares them again on each pooled connection as needed.
// The plans stay sound whatever the parameters: every statement looks rows
// up by key.
var prepared sync.Map // preparedKey -> *sqlx.Stmt

type preparedKey struct {
	db    *sqlx.DB
	query string
}

// prepare returns the prepared form of query on db, preparing it on first use.
func prepare(ctx context.Context, db *sqlx.DB, query string) (*sqlx.Stmt, error) {
	key := preparedKey{db, query}
	if s, ok := prepared.Load(key); ok {
		return s.(*sqlx.Stmt), nil
	}
	s, err := db.PreparexContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	if prev, loaded := prepared.LoadOrStore(key, s); loaded {
		s.Close() // another goroutine won the race
		return prev.(*sqlx.Stmt), nil
	}
	return s, nil
}

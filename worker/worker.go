package worker

import (
	"context"
	"log/slog"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jmoiron/sqlx"

	"outreach/campaigns"
	"outreach/crm/segment"
)

// Config tunes sending. Zero values mean the documented defaults.
type Config struct {
	Queue            string        // asynq queue; default DefaultQueue
	Concurrency      int           // batches sent at once per process; default 8
	BatchSize        int           // recipients per batch without a throttle; default 100
	ChunkSize        int           // recipients claimed together; default 50
	MaxAttempts      int           // temporary failures before a recipient is failed; default 8
	RetryBase        time.Duration // first retry delay, doubled each time; default 1 min
	Account          string        // names the sending account for its rate limit; default "default"
	AccountPerMinute int           // the provider's limit for the account; 0 = none
	StuckAfter       time.Duration // a row sending this long belonged to a dead worker; default 2 min
	LostAfter        time.Duration // a batch queued this long without a task is re-enqueued; default 30 s
	Tick             time.Duration // dispatcher interval; default 250 ms
	Horizon          time.Duration // how far ahead a batch reserves send slots; default 20 s
}

func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.Concurrency, 8)
	def(&c.BatchSize, 100)
	def(&c.ChunkSize, 50)
	def(&c.MaxAttempts, 8)
	defDur(&c.RetryBase, time.Minute)
	defDur(&c.StuckAfter, 2*time.Minute)
	defDur(&c.LostAfter, 30*time.Second)
	defDur(&c.Tick, 250*time.Millisecond)
	defDur(&c.Horizon, 20*time.Second)
	if c.Queue == "" {
		c.Queue = DefaultQueue
	}
	if c.Account == "" {
		c.Account = "default"
	}
	return c
}

// Worker sends campaign batches and dispatches due work. One value serves
// both the asynq handler and the dispatcher loop.
type Worker struct {
	DB      *sqlx.DB
	Redis   asynq.RedisConnOpt
	Limiter *Limiter
	Sender  Sender
	DKIM    *DKIMSigner // nil: no signing
	Links   campaigns.Links
	Segment segment.Options
	Log     *slog.Logger
	Config  Config
	// DatabaseURL, when set, lets the dispatcher LISTEN for campaigns
	// being started or resumed anywhere and queue their first batches at
	// once; without it, they wait for its next tick.
	DatabaseURL string

	cfgOnce   sync.Once
	cfg       Config
	mu        sync.Mutex
	composers map[int64]*campaigns.Composer
	draining  atomic.Bool
}

// Drain makes running batches stop before their next message: they
// record what they sent, put the rest back to pending and return, so a
// stopping process finishes within one message instead of whole batches.
// Call it when shutdown starts, before the asynq server's Shutdown.
func (w *Worker) Drain() { w.draining.Store(true) }

func (w *Worker) conf() Config {
	w.cfgOnce.Do(func() { w.cfg = w.Config.withDefaults() })
	return w.cfg
}

// composer returns the cached composer of a campaign; a campaign's steps
// do not change once it exists, so compiling them once is enough.
func (w *Worker) composer(ctx context.Context, c campaigns.Campaign) (*campaigns.Composer, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if comp, ok := w.composers[c.ID]; ok {
		return comp, nil
	}
	comp, err := campaigns.NewComposer(ctx, w.DB, c, w.Links)
	if err != nil {
		return nil, err
	}
	if w.composers == nil {
		w.composers = map[int64]*campaigns.Composer{}
	}
	w.composers[c.ID] = comp
	return comp, nil
}

// Server returns an asynq server running this worker's handlers.
func (w *Worker) Server() *asynq.Server {
	return asynq.NewServer(w.Redis, asynq.Config{
		Concurrency:              w.conf().Concurrency,
		Queues:                   map[string]int{w.conf().Queue: 1},
		DelayedTaskCheckInterval: time.Second,
		// An idle worker looks for work ten times a second instead of once,
		// so a campaign starts (and pause/resume resumes) without a lag;
		// the cost is a few Redis round trips per second while idle.
		TaskCheckInterval: 100 * time.Millisecond,
		ShutdownTimeout:   30 * time.Second,
		// A batch task fails when the database or Redis goes away for a
		// moment; its rows wait for the retry (the reconciler leaves them to
		// the task that still exists). Retry after 1, 2, 4 and 8 s first, so
		// sending resumes within seconds of the outage, then back off.
		RetryDelayFunc: func(n int, err error, t *asynq.Task) time.Duration {
			if n < 4 {
				return time.Second << n
			}
			return asynq.DefaultRetryDelayFunc(n, err, t)
		},
		Logger: asynqLogger{w.Log},
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			w.Log.ErrorContext(ctx, "task failed", "type", t.Type(), "err", err)
		}),
	})
}

// Mux returns the handler table.
func (w *Worker) Mux() *asynq.ServeMux {
	mux := asynq.NewServeMux()
	mux.HandleFunc(TypeSendBatch, w.HandleSendBatch)
	return mux
}

// asynqLogger routes asynq's own logs through slog.
type asynqLogger struct{ l *slog.Logger }

func (a asynqLogger) Debug(args ...any) {}
func (a asynqLogger) Info(args ...any)  { a.l.Info("asynq", "msg", args) }
func (a asynqLogger) Warn(args ...any)  { a.l.Warn("asynq", "msg", args) }
func (a asynqLogger) Error(args ...any) { a.l.Error("asynq", "msg", args) }
func (a asynqLogger) Fatal(args ...any) { a.l.Error("asynq fatal", "msg", args) }

// SendingGCPercent is the garbage collector's target in a sending
// process: collect when the heap has grown to five times what is live.
// Sending allocates many short-lived buffers (rendered parts, MIME, DKIM)
// over a live heap of a few megabytes, so at Go's default of 100 the
// collector runs hundreds of times a second; at 400 it costs about 15 %
// less CPU per message for some tens of megabytes more memory.
const SendingGCPercent = 400

// TuneGC applies SendingGCPercent unless the operator set GOGC.
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(SendingGCPercent)
	}
}

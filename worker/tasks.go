package worker

import (
	"encoding/json"
	"fmt"

	"github.com/hibiken/asynq"
)

// DefaultQueue is the one asynq queue Outreach uses; campaigns are told
// apart in Postgres, not by queue (a server only polls the queues it was
// started with). Installations sharing one Redis set Config.Queue apart.
const DefaultQueue = "outreach"

// TypeSendBatch sends one batch of recipient rows.
const TypeSendBatch = "send:batch"

// batchPayload is all a task carries: an id. The rows, their contacts and
// their state live in Postgres, so no personal data sits in Redis.
type batchPayload struct {
	BatchID int64 `json:"batch_id"`
}

// NewSendBatchTask returns the task for a batch, with a deterministic id
// so that enqueueing the same batch twice (a reconciler racing a
// dispatcher) yields one task.
func NewSendBatchTask(queue string, batch int64) (*asynq.Task, []asynq.Option) {
	b, _ := json.Marshal(batchPayload{BatchID: batch}) // a struct of an int always marshals
	return asynq.NewTask(TypeSendBatch, b), []asynq.Option{
		asynq.Queue(queue), asynq.TaskID(batchTaskID(batch)), asynq.MaxRetry(10),
	}
}

func batchTaskID(batch int64) string { return fmt.Sprintf("batch:%d", batch) }

func parseBatch(t *asynq.Task) (int64, error) {
	var p batchPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.BatchID <= 0 {
		return 0, fmt.Errorf("send batch: bad payload %q: %w", t.Payload(), asynq.SkipRetry)
	}
	return p.BatchID, nil
}

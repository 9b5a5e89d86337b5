package store

import "time"

// HistoryRead is a read whose work must not grow with the finished deliveries kept.
type HistoryRead struct {
	Name string
	SQL  string
	Args []any
}

// HistoryReads returns the statements behind the failure report, a broadcast's
// progress, the broadcasts list and /stats, with arguments for broadcast id and since.
func HistoryReads(id int64, since time.Time) []HistoryRead {
	return []HistoryRead{
		{"FinishedWithFailures", finishedSQL, nil},
		{"BroadcastStats", broadcastStatsSQL, []any{10}},
		{"BroadcastDetail", broadcastDetailSQL, []any{id}},
		{"BroadcastDetail failures", broadcastFailuresSQL, []any{id}},
		{"ActivitySince", activitySQL, []any{since}},
	}
}

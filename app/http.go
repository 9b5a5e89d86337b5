package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"loa/health"
	"loa/store"
)

// newHandler serves the operational endpoints:
//
//	/healthz  liveness: 503 when a loop of this replica (delivery and inbound updates
//	          per channel, leadership) is stuck inside one call past LOA_STALL_LIMIT;
//	          restart it. 200 lists the loops watched
//	/readyz   readiness: the database answers and its schema is current
//	/metrics  Prometheus metrics
//
// A database outage fails /readyz, never /healthz: every loop's database calls have
// deadlines, so the loops go on beating through it, and an outage does not get every
// replica restarted at once.
func newHandler(st *store.Store, reg *prometheus.Registry, monitor *health.Monitor, log *slog.Logger) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		status, body := liveness(monitor)
		if status != http.StatusOK {
			log.Error("stalled", slog.Any("loops", body["stalled"]))
		}
		writeJSON(w, status, body)
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		status, body, err := readiness(ctx, st)
		if status != http.StatusOK {
			attrs := []any{slog.Any("checks", body)}
			if err != nil {
				attrs = append(attrs, slog.String("error", err.Error()))
			}
			log.Warn("not ready", attrs...)
		}
		writeJSON(w, status, body)
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	return mux
}

// readyTimeout bounds the readiness checks.
const readyTimeout = 2 * time.Second

// liveness reports the stalled loops: 503 naming each, with how long it has been
// silent, or 200.
func liveness(m *health.Monitor) (int, map[string]any) {
	stalled := m.Stalled()
	if len(stalled) == 0 {
		return http.StatusOK, map[string]any{"status": "ok", "loops": m.Loops()}
	}
	loops := map[string]string{}
	for _, s := range stalled {
		loops[s.Loop] = fmt.Sprintf("no iteration for %s (limit %s)", s.Since.Round(time.Second), m.Limit())
	}
	return http.StatusServiceUnavailable, map[string]any{"status": "stalled", "stalled": loops}
}

// readiness checks the database and its schema. The reasons it gives name no host,
// user or database (the endpoint may be reachable from outside); the error, for the
// log, may.
func readiness(ctx context.Context, st *store.Store) (int, map[string]string, error) {
	body := map[string]string{"status": "ready", "database": "ok", "migrations": "current"}
	if err := st.Ping(ctx); err != nil {
		reason := "unreachable"
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, store.ErrSilent) {
			reason = fmt.Sprintf("no answer within %s", readyTimeout)
		}
		body["status"], body["database"], body["migrations"] = "not ready", reason, "unknown"
		return http.StatusServiceUnavailable, body, err
	}
	pending, err := st.PendingMigrations(ctx)
	switch {
	case err != nil:
		body["status"], body["migrations"] = "not ready", "unknown: the check failed"
	case pending > 0:
		body["status"], body["migrations"] = "not ready", fmt.Sprintf("%d pending (run loa migrate)", pending)
	default:
		return http.StatusOK, body, nil
	}
	return http.StatusServiceUnavailable, body, err
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away: nothing to do
}

package app

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"loa/store"
)

// newHandler serves the operational endpoints:
//
//	/healthz  the process is up (liveness: restart it if this fails)
//	/readyz   the database answers and its schema is current (readiness)
//	/metrics  Prometheus metrics
func newHandler(st *store.Store, reg *prometheus.Registry, log *slog.Logger) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		status, body := readiness(ctx, st)
		if status != http.StatusOK {
			log.Warn("not ready", slog.Any("checks", body))
		}
		writeJSON(w, status, body)
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	return mux
}

// readiness checks the database and its schema.
func readiness(ctx context.Context, st *store.Store) (int, map[string]string) {
	body := map[string]string{"status": "ready", "database": "ok", "migrations": "current"}
	if err := st.Ping(ctx); err != nil {
		body["status"], body["database"], body["migrations"] = "not ready", "unreachable: "+err.Error(), "unknown"
		return http.StatusServiceUnavailable, body
	}
	pending, err := st.PendingMigrations(ctx)
	switch {
	case err != nil:
		body["status"], body["migrations"] = "not ready", "unknown: "+err.Error()
	case pending > 0:
		body["status"], body["migrations"] = "not ready", fmt.Sprintf("%d pending (run loa migrate)", pending)
	default:
		return http.StatusOK, body
	}
	return http.StatusServiceUnavailable, body
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away: nothing to do
}

package scheduler

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Metrics counts what the poller does. A nil *Metrics counts nothing, so tests that do
// not look at metrics need not build one.
type Metrics struct {
	polls     *prometheus.CounterVec
	duration  prometheus.Histogram
	newItems  prometheus.Counter
	announced prometheus.Counter
	disables  prometheus.Counter
}

// NewMetrics registers the poller's metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	f := promauto.With(reg)
	m := &Metrics{
		polls: f.NewCounterVec(prometheus.CounterOpts{
			Name: "loa_feed_polls_total",
			Help: "Feed polls by result: ok, not_modified (HTTP 304) or error.",
		}, []string{"result"}),
		duration: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "loa_feed_poll_duration_seconds",
			Help:    "Time to fetch, parse and record one feed.",
			Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}),
		newItems: f.NewCounter(prometheus.CounterOpts{
			Name: "loa_feed_items_new_total",
			Help: "Items seen for the first time.",
		}),
		announced: f.NewCounter(prometheus.CounterOpts{
			Name: "loa_feed_items_announced_total",
			Help: "Items that became broadcasts.",
		}),
		disables: f.NewCounter(prometheus.CounterOpts{
			Name: "loa_feeds_disabled_total",
			Help: "Feeds disabled after repeated failures.",
		}),
	}
	for _, r := range []string{"ok", "not_modified", "error"} {
		m.polls.WithLabelValues(r) // export zeros, so alerts on rate() work from the start
	}
	return m
}

func (m *Metrics) poll(result string, d time.Duration) {
	if m == nil {
		return
	}
	m.polls.WithLabelValues(result).Inc()
	m.duration.Observe(d.Seconds())
}

func (m *Metrics) items(fresh, announced int) {
	if m == nil {
		return
	}
	m.newItems.Add(float64(fresh))
	m.announced.Add(float64(announced))
}

func (m *Metrics) disabled() {
	if m == nil {
		return
	}
	m.disables.Inc()
}

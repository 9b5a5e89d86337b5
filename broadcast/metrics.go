package broadcast

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"loa/chat"
)

// Metrics counts what the dispatchers do. A nil *Metrics counts nothing.
type Metrics struct {
	sentTotal   *prometheus.CounterVec
	failures    *prometheus.CounterVec
	rateLimited *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	queueDepth  *prometheus.GaugeVec
}

// byChannel labels a delivery metric with the messenger it concerns.
var byChannel = []string{"channel"}

// channelCounter is a counter by channel, registered by f.
func channelCounter(f promauto.Factory, name, help string) *prometheus.CounterVec {
	return f.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, byChannel)
}

// NewMetrics registers the delivery metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	f := promauto.With(reg)
	return &Metrics{
		sentTotal: channelCounter(f, "loa_deliveries_sent_total", "Deliveries sent, by channel."),
		failures: f.NewCounterVec(prometheus.CounterOpts{
			Name: "loa_send_failures_total",
			Help: "Failed sends by channel, kind (transient, rate_limited, chat_gone, migrated, rejected, unauthorized) and reason.",
		}, []string{"channel", "kind", "reason"}),
		rateLimited: channelCounter(f, "loa_rate_limited_total", "429 Too Many Requests answers seen, by channel."),
		latency: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "loa_send_latency_seconds",
			Help:    "Time to send one delivery (all its parts), by channel.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, byChannel),
		queueDepth: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "loa_delivery_queue_depth",
			Help: "Pending deliveries, by channel.",
		}, byChannel),
	}
}

func (m *Metrics) sent(channel chat.Channel, d time.Duration) {
	if m == nil {
		return
	}
	m.sentTotal.WithLabelValues(string(channel)).Inc()
	m.latency.WithLabelValues(string(channel)).Observe(d.Seconds())
}

func (m *Metrics) failure(channel chat.Channel, kind ErrorKind, reason string) {
	if m == nil {
		return
	}
	m.failures.WithLabelValues(string(channel), kind.String(), reason).Inc()
	if kind == RateLimited {
		m.rateLimited.WithLabelValues(string(channel)).Inc()
	}
}

// SetQueueDepth records the pending deliveries of each channel.
func (m *Metrics) SetQueueDepth(depth map[chat.Channel]int) {
	if m == nil {
		return
	}
	for _, ch := range chat.Channels() {
		m.queueDepth.WithLabelValues(string(ch)).Set(float64(depth[ch]))
	}
}

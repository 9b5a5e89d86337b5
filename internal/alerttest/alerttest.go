// Package alerttest records the admin alerts that code under test raises
// through its alert function (func(ctx, key, text string)), so that a test can
// check what was alerted and how often.
package alerttest

import (
	"context"
	"sync"
)

// Alert is one alert raised: its key (what alerts are deduplicated by) and
// its text.
type Alert struct {
	Key, Text string
}

// String is the alert as "key: text", for failure messages.
func (a Alert) String() string { return a.Key + ": " + a.Text }

// Recorder records alerts; its Alert method stands in for a component's alert
// function. The zero value is ready to use and it is safe for concurrent use,
// as alerts come from the component's own goroutines.
type Recorder struct {
	mu     sync.Mutex
	alerts []Alert
}

// Alert records an alert.
func (r *Recorder) Alert(_ context.Context, key, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.alerts = append(r.alerts, Alert{Key: key, Text: text})
}

// All returns the alerts raised so far, in order.
func (r *Recorder) All() []Alert {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Alert(nil), r.alerts...)
}

// Keys returns the keys of the alerts raised so far, in order.
func (r *Recorder) Keys() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	keys := make([]string, len(r.alerts))
	for i, a := range r.alerts {
		keys[i] = a.Key
	}
	return keys
}

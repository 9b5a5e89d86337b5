// Package logtest collects what code under test logs, for the test to read.
package logtest

import (
	"bytes"
	"sync"
)

// Buffer is an io.Writer for a *slog.Logger that is safe for the goroutines
// of the code under test. The zero value is ready to use.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String is everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

package apitest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// BenchClient is an HTTP client keeping enough connections alive for many
// concurrent senders; its idle connections close when b ends.
func BenchClient(b *testing.B) *http.Client {
	tr := &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024}
	b.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// BenchSends calls send b.N times from 16 goroutines per GOMAXPROCS, each call
// with the next sequence number (from 1), and reports the messages accepted a
// second; it fails at a send's error, or when accepted() is not then b.N.
func BenchSends(b *testing.B, accepted func() int, send func(seq int64) error) {
	var seq atomic.Int64
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := send(seq.Add(1)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	elapsed := time.Since(start)
	if n := accepted(); n != b.N {
		b.Fatalf("accepted %d of %d", n, b.N)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
}

// PostOK posts body to url and reads the answer, an error unless it is 200.
func PostOK(client *http.Client, url, contentType string, body []byte) error {
	resp, err := client.Post(url, contentType, bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

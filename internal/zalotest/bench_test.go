package zalotest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"loa/internal/apitest"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

const benchText = "Kỷ niệm 113 năm Ngày Bác Hồ ra đi tìm đường cứu nước (5/6/1911 - 5/6/2024)\n\n" +
	"Hà Nam & Ninh Bình <2025>: hội nghị sơ kết công tác xây dựng Đảng sáu tháng đầu năm.\n\n" +
	"https://loa.example/tin-tuc/113-nam?utm_source=zalo&utm_medium=bot"

// BenchmarkSendMessage measures the unthrottled fake under many concurrent
// senders (16 per GOMAXPROCS), each a keep-alive HTTP client posting JSON,
// spread over 1,000 chats, and reports accepted messages per second.
func BenchmarkSendMessage(b *testing.B) {
	const nchats = 1000
	s := New(apitest.Apply([]Option{Unthrottled()}))
	b.Cleanup(s.Close)
	ids := make([]string, nchats)
	for i := range ids {
		ids[i] = fmt.Sprintf("%020x", i+1)
		s.AddChat(Chat{ID: ids[i]})
	}
	tr := &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024}
	b.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	endpoint := s.MethodURL("sendMessage")

	var seq atomic.Int64
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body, _ := json.Marshal(map[string]string{"chat_id": ids[seq.Add(1)%nchats], "text": benchText})
			resp, err := client.Post(endpoint, "application/json", bytes.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.StopTimer()
	elapsed := time.Since(start)
	if s.Accepted() != b.N {
		b.Fatalf("accepted %d of %d", s.Accepted(), b.N)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
}

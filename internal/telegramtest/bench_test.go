package telegramtest

import (
	"io"
	"loa/internal/apitest"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

const benchText = `<b>Kỷ niệm 113 năm Ngày Bác Hồ ra đi tìm đường cứu nước (5/6/1911 - 5/6/2024)</b>

Hà Nam &amp; Ninh Bình &lt;2025&gt;: hội nghị sơ kết công tác xây dựng Đảng sáu tháng đầu năm.

<a href="https://loa.example/tin-tuc/113-nam?utm_source=telegram&amp;utm_medium=bot">Đọc tiếp</a>`

// BenchmarkSendMessage measures the unthrottled fake under many concurrent
// senders (16 per GOMAXPROCS), each a keep-alive HTTP client, spread over
// 1,000 chats, and reports accepted messages per second.
func BenchmarkSendMessage(b *testing.B) {
	const chats = 1000
	setup := func(b *testing.B) (*Server, *http.Client) {
		s := New(apitest.Apply([]Option{Unthrottled()}))
		b.Cleanup(s.Close)
		for i := range chats {
			s.AddChat(Chat{ID: int64(i + 1), Type: Private})
		}
		tr := &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024}
		b.Cleanup(tr.CloseIdleConnections)
		return s, &http.Client{Transport: tr, Timeout: 30 * time.Second}
	}
	report := func(b *testing.B, s *Server, start time.Time) {
		elapsed := time.Since(start)
		if s.Accepted() != b.N {
			b.Fatalf("accepted %d of %d", s.Accepted(), b.N)
		}
		b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
	}

	b.Run("form", func(b *testing.B) {
		s, client := setup(b)
		endpoint := s.URL() + "/bot" + s.Token() + "/sendMessage"
		var seq atomic.Int64
		b.SetParallelism(16)
		b.ReportAllocs()
		b.ResetTimer()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				chat := seq.Add(1)%chats + 1
				body := url.Values{"chat_id": {strconv.FormatInt(chat, 10)}, "text": {benchText}, "parse_mode": {"HTML"}}.Encode()
				resp, err := client.Post(endpoint, "application/x-www-form-urlencoded", strings.NewReader(body))
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
		report(b, s, start)
	})

	b.Run("tgbotapi", func(b *testing.B) {
		s, client := setup(b)
		bot, err := tgbotapi.NewBotAPIWithClient(s.Token(), s.Endpoint(), client)
		if err != nil {
			b.Fatal(err)
		}
		var seq atomic.Int64
		b.SetParallelism(16)
		b.ReportAllocs()
		b.ResetTimer()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				m := tgbotapi.NewMessage(seq.Add(1)%chats+1, benchText)
				m.ParseMode = tgbotapi.ModeHTML
				if _, err := bot.Send(m); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.StopTimer()
		report(b, s, start)
	})
}

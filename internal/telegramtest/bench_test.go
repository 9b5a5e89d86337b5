package telegramtest

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"loa/internal/apitest"
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
		return s, apitest.BenchClient(b)
	}

	b.Run("form", func(b *testing.B) {
		s, client := setup(b)
		endpoint := s.URL() + "/bot" + s.Token() + "/sendMessage"
		apitest.BenchSends(b, s.Accepted, func(seq int64) error {
			body := url.Values{"chat_id": {strconv.FormatInt(seq%chats+1, 10)}, "text": {benchText}, "parse_mode": {"HTML"}}.Encode()
			return apitest.PostOK(client, endpoint, "application/x-www-form-urlencoded", []byte(body))
		})
	})

	b.Run("tgbotapi", func(b *testing.B) {
		s, client := setup(b)
		bot, err := tgbotapi.NewBotAPIWithClient(s.Token(), s.Endpoint(), client)
		if err != nil {
			b.Fatal(err)
		}
		apitest.BenchSends(b, s.Accepted, func(seq int64) error {
			m := tgbotapi.NewMessage(seq%chats+1, benchText)
			m.ParseMode = tgbotapi.ModeHTML
			_, err := bot.Send(m)
			return err
		})
	})
}

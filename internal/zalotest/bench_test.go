package zalotest

import (
	"encoding/json"
	"fmt"
	"testing"

	"loa/internal/apitest"
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
	client := apitest.BenchClient(b)
	endpoint := s.MethodURL("sendMessage")
	apitest.BenchSends(b, s.Accepted, func(seq int64) error {
		body, _ := json.Marshal(map[string]string{"chat_id": ids[seq%nchats], "text": benchText})
		return apitest.PostOK(client, endpoint, "application/json", body)
	})
}

package app_test

import (
	"strings"
	"testing"
	"time"

	"loa/internal/await"
)

// The service was down from 06:00 to 09:00 on 5 June 2024; the 07:00 notices go out
// when it comes back, once, with the built-in calendar seeded at start.
func TestAnniversaryNoticeMissedWhileDownGoesOutOnceOnReturn(t *testing.T) {
	t.Parallel()
	fake, dbURL, st := telegramRig(t)
	subscribeTelegram(t, fake, st, 301)
	nineOClock := time.Date(2024, 6, 5, 9, 0, 0, 0, time.FixedZone("ICT", 7*3600))
	clock := func() time.Time { return nineOClock }
	a := startAt(t, dbURL, clock, tgEnv(fake)...)
	notice := "Kỷ niệm 113 năm Ngày Bác Hồ ra đi tìm đường cứu nước (5/6/1911 - 5/6/2024)"
	await.On(t, fake, "the day's notice", 30*time.Second, func() bool {
		for _, m := range fake.Messages(301) {
			if strings.Contains(m.Text, notice) {
				return true
			}
		}
		return false
	})
	// Later ticks the same day (the notices job runs every few ticks) add nothing.
	a.stop(t)
	bs := broadcastStats(t, st, 100)
	n := 0
	for _, b := range bs {
		if strings.Contains(b.Title, notice) {
			n++
			if b.Total != 1 || b.Sent != 1 {
				t.Errorf("notice deliveries: %+v", b)
			}
		}
	}
	if n != 1 {
		t.Fatalf("%d broadcasts of the notice, want 1", n)
	}
	if got := len(fake.Messages(301)); got != len(bs) {
		t.Fatalf("chat received %d messages for %d broadcasts", got, len(bs))
	}
}

package app_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"loa/internal/dbtest"
	"loa/internal/telegramtest"
	"loa/store"
	"loa/store/storetest"
)

// BenchmarkAnnouncement100k runs `loa serve` as its own process and measures one
// announcement to 100,000 members at LOA_TELEGRAM_RATE=1000 (the paid-broadcast
// ceiling) against an unthrottled fake, with a month of history in the database (30
// announcements to the same 100,000: 3M finished deliveries; LOA_BENCH_HISTORY
// overrides). It reports the achieved rate (target: everyone reached at ≥ 90% of the
// rate) and the process's peak resident memory while it sends (target ≤ 50 MB).
func BenchmarkAnnouncement100k(b *testing.B) {
	const members, rate = 100_000, 1000
	history := storetest.BenchHistory(b, 3_000_000)
	for b.Loop() {
		b.StopTimer()
		fake := telegramtest.NewServer(b, telegramtest.Unthrottled())
		url := dbtest.URL(b)
		st := dbtest.StoreAt(b, url)
		ctx := context.Background()
		for i := range members {
			fake.AddChat(telegramtest.Chat{ID: int64(100_000 + i), Type: "private", FirstName: "x"})
		}
		storetest.SeedMembers(b, url, 100_000, members)
		storetest.SeedHistory(b, url, history)

		p := spawn(b,
			"LOA_DATABASE_URL="+url,
			"LOA_HTTP_ADDR=127.0.0.1:0",
			"LOA_LOG_LEVEL=warn",
			"LOA_TELEGRAM_TOKEN="+fake.Token(),
			"LOA_TELEGRAM_API_ENDPOINT="+fake.Endpoint(),
			fmt.Sprintf("LOA_TELEGRAM_RATE=%d", rate),
		)
		waitReady(b, fake)
		b.StartTimer()
		start := time.Now()
		if _, _, err := st.CreateBroadcast(ctx, store.NewBroadcast{
			SourceKey: "bench:announcement", Kind: store.KindAnnouncement, Topic: store.TopicAll,
			Title:   "Thông báo khẩn",
			Summary: "Do ảnh hưởng của bão số 3, các cơ quan, đơn vị chủ động bố trí cho cán bộ làm việc trực tuyến.",
		}); err != nil {
			b.Fatal(err)
		}
		var peak atomic.Int64
		stopSampling := sampleRSS(p.cmd.Process.Pid, &peak)
		wctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
		err := fake.WaitAccepted(wctx, members)
		cancel()
		elapsed := time.Since(start)
		stopSampling()
		b.StopTimer()
		if err != nil {
			b.Fatalf("reached %d of %d", fake.Accepted(), members)
		}
		hwm := procStatusKB(p.cmd.Process.Pid, "VmHWM")
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			b.Fatal(err)
		}
		_ = p.cmd.Wait()
		achieved := float64(members) / elapsed.Seconds()
		b.ReportMetric(achieved, "msgs/s")
		b.ReportMetric(100*achieved/rate, "%_of_rate")
		b.ReportMetric(float64(peak.Load())/1024, "MB_rss_peak_sending")
		b.ReportMetric(float64(hwm)/1024, "MB_rss_hwm")
		b.ReportMetric(float64(history), "finished_deliveries")
		b.StartTimer()
	}
}

// waitReady waits until the spawned service has connected to the fake (its getMe).
func waitReady(b *testing.B, fake *telegramtest.Server) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := fake.WaitFor(ctx, func() bool { return fake.Calls("getMe") > 0 }); err != nil {
		b.Fatal("loa serve never connected to the fake")
	}
}

// sampleRSS records the highest VmRSS of the process, sampled every 100 ms, until the
// returned function is called.
func sampleRSS(pid int, peak *atomic.Int64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if kb := procStatusKB(pid, "VmRSS"); kb > peak.Load() {
				peak.Store(kb)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}

// procStatusKB reads one "kB" field of /proc/<pid>/status (0 when unreadable).
func procStatusKB(pid int, field string) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

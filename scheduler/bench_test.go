package scheduler

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// bigFeed is an RSS document of n portal-style items.
func bigFeed(n int) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Cổng thông tin</title><link>https://portal.example/</link>`)
	for i := n; i > 0; i-- {
		fmt.Fprintf(&b, `<item><title>Đảng bộ Khối Cơ quan và Doanh nghiệp tỉnh: bài %d</title><link>https://portal.example/tin/%d</link><guid>tin-%d</guid><pubDate>%s</pubDate><description><![CDATA[<p>Năm năm qua, trong bối cảnh tình hình an ninh chính trị, kinh tế thế giới, khu vực có những <b>thuận lợi</b> và khó khăn&hellip;</p>]]></description></item>`,
			i, i, i, time.Date(2024, 6, 5, 0, 0, 0, 0, time.UTC).Add(time.Duration(i)*time.Minute).Format(time.RFC1123Z))
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

// BenchmarkPoll10000 measures one poll of a 10,000-item feed end to end: HTTP fetch,
// parse, normalise, and recording every item in PostgreSQL. "first" is the priming poll
// (10,000 inserts), "again" a re-poll of the same document (nothing new).
func BenchmarkPoll10000(b *testing.B) {
	doc := bigFeed(10000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, doc) }))
	defer srv.Close()
	b.Logf("feed size: %d bytes", len(doc))

	for _, again := range []bool{false, true} {
		name := "first"
		if again {
			name = "again"
		}
		b.Run(name, func(b *testing.B) {
			p, _ := newPoller(b)
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				f := addFeed(b, p, fmt.Sprintf("%s/rss?%d", srv.URL, time.Now().UnixNano()), time.Minute)
				if again {
					p.Poll(context.Background(), f)
					f = reload(b, p, f.ID)
				}
				b.StartTimer()
				p.Poll(context.Background(), f)
			}
			b.ReportMetric(10000*float64(b.N)/b.Elapsed().Seconds(), "items/s")
		})
	}
}

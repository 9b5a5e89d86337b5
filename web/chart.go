package web

import (
	"fmt"
	"html/template"
	"sort"
	"strings"
	"time"

	"loa/chat"
	"loa/store"
)

// Charts are SVG drawn on the server from the daily rollups, so they need no script and
// read well in a screenshot. Everything written into them is a number or a date.

const (
	chartW, chartH       = 600, 220
	chartLeft, chartBot  = 48, 28
	chartTop, chartRight = 12, 8
)

// messagesChart draws the messages sent per day, bars stacked by channel, over the
// days ending today.
func messagesChart(days []store.DayOutcomes, today time.Time, n int, loc *time.Location) template.HTML {
	start := midnight(today, loc).AddDate(0, 0, -(n - 1))
	type stack struct{ tg, other int64 }
	per := make([]stack, n)
	var failed int64
	for _, d := range days {
		i := int(d.Day.Sub(start).Hours()/24 + 0.5)
		if i < 0 || i >= n {
			continue
		}
		if d.Channel == chat.Telegram {
			per[i].tg += d.Sent
		} else {
			per[i].other += d.Sent
		}
		failed += d.Failed
	}
	var top int64
	for _, s := range per {
		top = max(top, s.tg+s.other)
	}
	scale := niceCeil(top)
	var b strings.Builder
	openChart(&b, fmt.Sprintf("Tin nhắn đã gửi mỗi ngày trong %d ngày qua", n))
	axes(&b, scale, start, n)
	plotW := float64(chartW - chartLeft - chartRight)
	plotH := float64(chartH - chartTop - chartBot)
	bw := plotW / float64(n)
	for i, s := range per {
		x := float64(chartLeft) + float64(i)*bw + bw*0.15
		y := float64(chartH - chartBot)
		for _, part := range []struct {
			v     int64
			class string
		}{{s.tg, "bar-telegram"}, {s.other, "bar-zalo"}} {
			if part.v == 0 {
				continue
			}
			h := float64(part.v) / float64(scale) * plotH
			y -= h
			fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s: %s</title></rect>`,
				part.class, x, y, bw*0.7, h, start.AddDate(0, 0, i).Format("02/01"), formatNum(int(part.v)))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// subscribersChart draws the active subscribers per day (all channels) and those who
// stopped or are gone, from the daily snapshots.
func subscribersChart(days []store.DaySubscribers, today time.Time, n int, loc *time.Location) template.HTML {
	start := midnight(today, loc).AddDate(0, 0, -(n - 1))
	active := map[int]int{}
	other := map[int]int{}
	for _, d := range days {
		i := int(d.Day.Sub(start).Hours()/24 + 0.5)
		if i < 0 || i >= n {
			continue
		}
		if d.Status == store.StatusActive {
			active[i] += d.Count
		} else {
			other[i] += d.Count
		}
	}
	top := 0
	for i := range n {
		top = max(top, active[i], other[i])
	}
	scale := niceCeil(int64(top))
	var b strings.Builder
	openChart(&b, fmt.Sprintf("Số người nhận theo ngày trong %d ngày qua", n))
	axes(&b, scale, start, n)
	plotW := float64(chartW - chartLeft - chartRight)
	plotH := float64(chartH - chartTop - chartBot)
	line := func(vals map[int]int, class string) {
		keys := make([]int, 0, len(vals))
		for k := range vals {
			keys = append(keys, k)
		}
		sort.Ints(keys)
		if len(keys) == 0 {
			return
		}
		var pts []string
		for _, i := range keys {
			x := float64(chartLeft) + (float64(i)+0.5)*plotW/float64(n)
			y := float64(chartH-chartBot) - float64(vals[i])/float64(scale)*plotH
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
		}
		fmt.Fprintf(&b, `<polyline class="%s" points="%s"></polyline>`, class, strings.Join(pts, " "))
	}
	line(active, "line-active")
	line(other, "line-other")
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func openChart(b *strings.Builder, label string) {
	fmt.Fprintf(b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s">`, chartW, chartH,
		template.HTMLEscapeString(label))
}

// axes draws the value grid (0, half, top) and a date every week.
func axes(b *strings.Builder, scale int64, start time.Time, n int) {
	plotH := float64(chartH - chartTop - chartBot)
	plotW := float64(chartW - chartLeft - chartRight)
	for _, f := range []float64{0, 0.5, 1} {
		y := float64(chartH-chartBot) - f*plotH
		fmt.Fprintf(b, `<line class="axis" x1="%d" x2="%d" y1="%.1f" y2="%.1f"></line>`, chartLeft, chartW-chartRight, y, y)
		fmt.Fprintf(b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`, chartLeft-6, y+4, formatNum(int(float64(scale)*f)))
	}
	for i := 0; i < n; i += 7 {
		x := float64(chartLeft) + (float64(i)+0.5)*plotW/float64(n)
		fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, x, chartH-8, start.AddDate(0, 0, i).Format("02/01"))
	}
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten (at least 10), so the grid
// reads in round numbers.
func niceCeil(v int64) int64 {
	if v <= 10 {
		return 10
	}
	p := int64(1)
	for p*10 < v {
		p *= 10
	}
	for _, m := range []int64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

func midnight(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

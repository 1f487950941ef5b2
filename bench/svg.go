package bench

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// A Series is one line of the chart: a way's per-namespace median by N.
type Series struct {
	Name   string
	Points map[int]time.Duration // N -> per-namespace median
}

// chartColors is the palette, one per series in order (an unchanging table).
var chartColors = [...]string{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"}

// SVG draws per-namespace setup latency against N, both axes log scale,
// one polyline per series, as a standalone SVG document.
func SVG(title string, sizes []int, series []Series) string {
	const (
		w, h                     = 1100, 540
		left, right, top, bottom = 80, 540, 50, 60
	)
	pw, ph := float64(w-left-right), float64(h-top-bottom)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range series {
		for _, d := range s.Points {
			if d > 0 {
				v := float64(d) / float64(time.Millisecond)
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if math.IsInf(lo, 1) {
		lo, hi = 0.1, 100
	}
	ylo, yhi := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if yhi <= ylo {
		yhi = ylo + 1
	}
	xlo, xhi := math.Log10(float64(sizes[0])), math.Log10(float64(sizes[len(sizes)-1]))
	if xhi <= xlo {
		xhi = xlo + 1
	}
	x := func(n int) float64 { return float64(left) + (math.Log10(float64(n))-xlo)/(xhi-xlo)*pw }
	y := func(ms float64) float64 { return float64(top) + (yhi-math.Log10(ms))/(yhi-ylo)*ph }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", w, h, w, h)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", w, h)
	fmt.Fprintf(&b, `<text x="%d" y="25" font-size="15" font-weight="bold">%s</text>`+"\n", left, xmlEscape(title))
	// y grid: decades and 2x, 5x
	for e := ylo; e <= yhi; e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			if math.Log10(v) > yhi+1e-9 {
				break
			}
			yy := y(v)
			stroke, dash := "#ccc", ` stroke-dasharray="3,3"`
			if m == 1 {
				stroke, dash = "#999", ""
				fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", left-6, yy+4, fmtMS(v))
			}
			fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s"%s/>`+"\n", left, yy, float64(left)+pw, yy, stroke, dash)
		}
	}
	for _, n := range sizes {
		xx := x(n)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", xx, top, xx, float64(top)+ph)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%d</text>`+"\n", xx, float64(top)+ph+18, n)
	}
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.0f" height="%.0f" fill="none" stroke="#333"/>`+"\n", left, top, pw, ph)
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">namespaces already on the bridge, N (log)</text>`+"\n", float64(left)+pw/2, h-15)
	fmt.Fprintf(&b, `<text transform="translate(20 %.1f) rotate(-90)" text-anchor="middle">per-namespace setup, median (log)</text>`+"\n", float64(top)+ph/2)
	for i, s := range series {
		c := chartColors[i%len(chartColors)]
		var pts []string
		for _, n := range sizes {
			if d, ok := s.Points[n]; ok && d > 0 {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(n), y(float64(d)/float64(time.Millisecond))))
			}
		}
		dash := ""
		if i >= len(chartColors) {
			dash = ` stroke-dasharray="6,3"`
		}
		if len(pts) > 1 {
			fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>`+"\n", strings.Join(pts, " "), c, dash)
		}
		for _, p := range pts {
			xy := strings.Split(p, ",")
			fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="3.5" fill="%s"/>`+"\n", xy[0], xy[1], c)
		}
		ly := top + 10 + i*20
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="3"%s/>`+"\n", w-right+15, ly, w-right+40, ly, c, dash)
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`+"\n", w-right+46, ly+4, xmlEscape(s.Name))
	}
	b.WriteString("</svg>\n")
	return b.String()
}

func fmtMS(v float64) string {
	switch {
	case v >= 1000:
		return fmt.Sprintf("%gs", v/1000)
	case v >= 1:
		return fmt.Sprintf("%gms", v)
	default:
		return fmt.Sprintf("%gµs", v*1000)
	}
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "`", "").Replace(s)
}

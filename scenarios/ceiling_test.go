package scenarios_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	toxiserver "github.com/Shopify/toxiproxy/v2"
	toxiproxy "github.com/Shopify/toxiproxy/v2/client"
	"github.com/rs/zerolog"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/scenarios/sampler"
	"github.com/faultline/faultline/scenarios/traffic"
)

// Ceiling benchmark settings: each rate is held for ceilingStep; a rate is
// delivered when >= 99% of its planned requests were sent and answered 2xx
// with p99 under ceilingP99.
var (
	ceilingRates = []float64{500, 1000, 2000, 3000, 4000, 6000, 8000}
	ceilingStep  = 2 * time.Second
	ceilingP99   = 250 * time.Millisecond // loose: the CI box is shared
)

// fastTarget is a target that answers at once through one Toxiproxy hop
// (an embedded Toxiproxy on loopback, as the local testbed runs it); it
// also serves /metrics for the sampler.
func fastTarget(b *testing.B) (url string) {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" {
			fmt.Fprintln(w, "faultline_up 1")
			return
		}
		io.WriteString(w, "ok\n")
	}))
	b.Cleanup(srv.Close)
	tox := toxiserver.NewServer(toxiserver.NewMetricsContainer(nil), zerolog.Nop())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	hs := &http.Server{Handler: tox.Routes(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	b.Cleanup(func() { _ = hs.Close(); tox.Collection.Clear() })
	p, err := toxiproxy.NewClient(ln.Addr().String()).CreateProxy("client->fast", "127.0.0.1:0", srv.Listener.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	return "http://" + p.Listen
}

// delivered is one rate's outcome.
type delivered struct {
	share float64       // of the planned requests answered 2xx
	p99   time.Duration // from the actual send time, as vegeta measures
	// intended is faultline's p99 from the intended send time (its
	// report's), which also counts the generator's lag.
	intended time.Duration
}

func (d delivered) ok() bool { return d.share >= 0.99 && d.p99 < ceilingP99 }

// plainVegeta drives url with a plain vegeta.Attacker at rate.
func plainVegeta(url string, rate float64) delivered {
	atk := vegeta.NewAttacker(vegeta.Workers(8), vegeta.MaxWorkers(256), vegeta.Connections(256), vegeta.MaxConnections(256),
		vegeta.KeepAlive(true), vegeta.Timeout(2*time.Second))
	tr := vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: url + "/"})
	var m vegeta.Metrics
	for r := range atk.Attack(tr, vegeta.Rate{Freq: int(rate), Per: time.Second}, ceilingStep, "plain") {
		m.Add(r)
	}
	m.Close()
	planned := rate * ceilingStep.Seconds()
	return delivered{share: m.Success * float64(m.Requests) / planned, p99: m.Latencies.P99}
}

// faultlineTraffic drives url with faultline's traffic path at rate: the
// stage pacer, windowed aggregation, raw results written to a file, and
// the sampler scraping /metrics every 250ms.
func faultlineTraffic(b *testing.B, url string, rate float64) delivered {
	raw, err := os.Create(b.TempDir() + "/results.bin")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	plan := traffic.Plan{
		Stages:  []traffic.Stage{{Duration: ceilingStep, Rate: rate}},
		Targets: []traffic.Target{{Name: "fast", URL: url + "/"}},
		Timeout: 2 * time.Second, Workers: 256, Connections: 256, Start: time.Now().Add(50 * time.Millisecond),
	}
	ctx, stop := context.WithCancel(context.Background())
	sampled := make(chan error, 1)
	go func() {
		_, err := sampler.Run(ctx, map[string]string{"fast": url + "/metrics"}, 250*time.Millisecond, plan.Start, func(string) bool { return true })
		sampled <- err
	}()
	windows := make(chan model.Window, 64)
	hist, sent := model.NewHistogram(), model.NewHistogram()
	var success int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for w := range windows {
			success += w.Success
			hist.Merge(w.Latency)
			if w.Sent != nil {
				sent.Merge(w.Sent)
			} else {
				sent.Merge(w.Latency)
			}
		}
	}()
	a, err := traffic.NewAttack(plan)
	if err != nil {
		b.Fatal(err)
	}
	if err := a.Run(context.Background(), raw, windows); err != nil {
		b.Fatal(err)
	}
	<-done
	stop()
	if err := <-sampled; err != nil && !errors.Is(err, context.Canceled) {
		b.Fatal(err)
	}
	success += a.Late().Success
	return delivered{share: float64(success) / (rate * ceilingStep.Seconds()), p99: sent.Quantile(0.99), intended: hist.Quantile(0.99)}
}

// BenchmarkHarnessCeiling drives the same fast target through one
// Toxiproxy hop with plain vegeta.Attacker and with faultline's traffic
// path at rising rates, one after the other at each rate, and reports each
// one's ceiling: the highest rate delivered (see delivered.ok). Goal:
// faultline >= 0.9× plain Vegeta. Both p99s are from the actual send
// time, like for like; the log adds faultline's from the intended send
// time (its report's). CPU-bound: run it alone, with -benchtime=1x (~30s).
func BenchmarkHarnessCeiling(b *testing.B) {
	url := fastTarget(b)
	for b.Loop() {
		var plain, ours float64
		for _, rate := range ceilingRates {
			p := plainVegeta(url, rate)
			f := faultlineTraffic(b, url, rate)
			b.Logf("%5.0f/s: plain vegeta %.1f%% p99 %v; faultline %.1f%% p99 %v (from the intended send time: %v)",
				rate, 100*p.share, p.p99.Round(time.Microsecond), 100*f.share, f.p99.Round(time.Microsecond), f.intended.Round(time.Microsecond))
			if p.ok() {
				plain = rate
			}
			if f.ok() {
				ours = rate
			}
			if !p.ok() && !f.ok() {
				break
			}
		}
		b.ReportMetric(plain, "plain-ceiling/s")
		b.ReportMetric(ours, "faultline-ceiling/s")
		if plain > 0 {
			b.ReportMetric(ours/plain, "ratio")
		}
	}
}

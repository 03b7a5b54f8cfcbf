package apigateway

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/faultline/faultline/patterns"
)

// aggregate calls every part of rt in parallel within ctx (the route's
// budget) and merges their answers. A failed required part cancels the
// others and fails the answer; a failed or late optional part leaves it
// out, and the answer is marked degraded.
func (g *gateway) aggregate(ctx context.Context, w http.ResponseWriter, r *http.Request, rt *route, m *counters) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	id := strings.TrimPrefix(r.URL.Path, rt.prefix)
	type done struct {
		i int
		a answer
	}
	ch := make(chan done, len(rt.parts))
	for i := range rt.parts {
		go func() { ch <- done{i, rt.parts[i].call(ctx, id, m)} }()
	}
	got := make([]answer, len(rt.parts))
	failed := -1
	for range rt.parts {
		d := <-ch // every call ends by ctx's deadline at the latest
		got[d.i] = d.a
		if failed < 0 && !d.a.ok() && rt.parts[d.i].required {
			failed = d.i
			cancel()
		}
	}
	if failed >= 0 {
		fail(w, r, got[failed])
		return
	}
	merge(w, id, rt, got, m)
}

// merge writes one JSON object holding every answer that came, by backend,
// and the backends that did not under "missing"; with one missing, the
// answer is partial: marked degraded and counted.
func merge(w http.ResponseWriter, id string, rt *route, got []answer, m *counters) {
	var b bytes.Buffer
	b.WriteString(`{"id":`)
	writeString(&b, id)
	var missing []string
	for i, a := range got {
		if !a.ok() {
			missing = append(missing, rt.parts[i].backend)
			continue
		}
		b.WriteString(`,"` + a.backend + `":`)
		writeString(&b, string(a.body))
	}
	if len(missing) > 0 {
		b.WriteString(`,"missing":["` + strings.Join(missing, `","`) + `"]`)
		w.Header().Set(patterns.DegradedHeader, "1")
		m.partial.Inc()
	}
	b.WriteString("}\n")
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b.Bytes())
}

// writeString writes s as a JSON string.
func writeString(b *bytes.Buffer, s string) {
	q, _ := json.Marshal(s) // a string always marshals
	b.Write(q)
}

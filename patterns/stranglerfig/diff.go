package stranglerfig

import (
	"encoding/json"
	"strconv"
	"sync"
)

// reply is a backend's answer as the facade keeps it.
type reply struct {
	status      int
	contentType string
	body        []byte
}

// verdict is the outcome of comparing a shadow answer with legacy's.
type verdict int

const (
	same  verdict = iota // no field differs
	noise                // the fields that differ also differ between two legacy answers
	diff                 // a field differs that legacy answers agree on
)

// differ compares answers the way Twitter's Diffy does: a candidate
// (modern) answer against a primary (legacy) one, with a secondary (a
// second legacy answer to the same request) to tell noise. A field that
// differs between primary and secondary differs by nature (a timestamp, a
// trace id); the differ remembers it as noisy from then on, and a
// difference only in noisy fields is noise, not a diff. Fields are JSON
// leaves by path ("a.b[2]"); an answer that is not JSON is one field.
type differ struct {
	mu    sync.Mutex
	noisy map[string]bool
}

func newDiffer() *differ { return &differ{noisy: map[string]bool{}} }

func (d *differ) compare(primary, secondary, candidate reply) verdict {
	p, s, c := fields(primary), fields(secondary), fields(candidate)
	raw := differing(p, c)
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, f := range differing(p, s) {
		d.noisy[f] = true
	}
	if len(raw) == 0 {
		return same
	}
	for _, f := range raw {
		if !d.noisy[f] {
			return diff
		}
	}
	return noise
}

// fields flattens an answer into its leaves by path, its status included.
func fields(r reply) map[string]string {
	out := map[string]string{"(status)": strconv.Itoa(r.status)}
	var v any
	if err := json.Unmarshal(r.body, &v); err != nil {
		out["(body)"] = string(r.body)
		return out
	}
	flatten("", v, out)
	return out
}

func flatten(path string, v any, out map[string]string) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			p := k
			if path != "" {
				p = path + "." + k
			}
			flatten(p, x, out)
		}
	case []any:
		for i, x := range t {
			flatten(path+"["+strconv.Itoa(i)+"]", x, out)
		}
	default:
		b, _ := json.Marshal(t)
		out[path] = string(b)
	}
}

// differing lists the paths whose values differ between a and b (a path
// missing on one side differs).
func differing(a, b map[string]string) []string {
	var out []string
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	return out
}

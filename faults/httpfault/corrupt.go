package httpfault

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
)

// serveCorrupted serves r with next into a buffer, then writes the answer
// with the top-level field name of its JSON object changed to a wrong value
// of the same type. An answer that is not a JSON object holding that field
// is written unchanged.
func serveCorrupted(next http.Handler, w http.ResponseWriter, r *http.Request, name string) {
	buf := &bufferedAnswer{header: w.Header()}
	next.ServeHTTP(buf, r)
	body := buf.body.Bytes()
	if out, ok := corruptField(body, name); ok {
		body = out
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	}
	if buf.status != 0 {
		w.WriteHeader(buf.status)
	}
	_, _ = w.Write(body)
}

// bufferedAnswer holds an answer's status and body; its header is the real
// writer's, so what the handler sets is kept.
type bufferedAnswer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedAnswer) Header() http.Header { return b.header }

func (b *bufferedAnswer) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedAnswer) Write(p []byte) (int, error) { return b.body.Write(p) }

// corruptField returns body with the top-level key name changed to a wrong
// value, and whether it could: body must be a JSON object holding name.
func corruptField(body []byte, name string) ([]byte, bool) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil, false
	}
	v, ok := obj[name]
	if !ok {
		return nil, false
	}
	obj[name] = wrongValue(v)
	out, err := json.Marshal(obj)
	if err != nil {
		return nil, false
	}
	return out, true
}

// wrongValue returns a value of v's JSON type that differs from it: a
// number plus one, a string with "-corrupted" appended, a boolean negated;
// anything else becomes the string "corrupted".
func wrongValue(v json.RawMessage) json.RawMessage {
	var x any
	_ = json.Unmarshal(v, &x)
	var wrong any = "corrupted"
	switch t := x.(type) {
	case float64:
		wrong = t + 1
	case string:
		wrong = t + "-corrupted"
	case bool:
		wrong = !t
	}
	out, _ := json.Marshal(wrong)
	return out
}

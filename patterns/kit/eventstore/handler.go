package eventstore

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Handler serves s over HTTP:
//
//	POST /streams/{stream}           append (body: an AppendRequest) → Appended; 409 on a conflict
//	GET  /streams/{stream}?after=&upto=&until=   the stream's events
//	GET  /streams/{stream}/snapshot  the newest snapshot, 404 when none
//	GET  /streams/{stream}/load      the newest snapshot and the events after it
//	PUT  /streams/{stream}/snapshot  save a snapshot
//	GET  /events?after=&max=         every stream's events after a position
//	GET  /last                       {"seq": the newest position}
//	POST /consumers/{name}/fetch?max=&wait=   a durable consumer's next events
//	POST /consumers/{name}/ack       body: [seq, ...]
//	POST /consumers/{name}/nak       body: [seq, ...]: deliver again at once
//	GET  /consumers/{name}           {"behind": events not yet acked}
func Handler(s *Store) http.Handler {
	h := &handler{s: s, consumers: map[string]*Consumer{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /streams/{stream}", h.append)
	mux.HandleFunc("GET /streams/{stream}", h.read)
	mux.HandleFunc("GET /streams/{stream}/snapshot", h.snapshot)
	mux.HandleFunc("GET /streams/{stream}/load", h.load)
	mux.HandleFunc("PUT /streams/{stream}/snapshot", h.saveSnapshot)
	mux.HandleFunc("GET /events", h.readAll)
	mux.HandleFunc("GET /last", h.last)
	mux.HandleFunc("POST /consumers/{name}/fetch", h.fetch)
	mux.HandleFunc("POST /consumers/{name}/ack", h.ack)
	mux.HandleFunc("POST /consumers/{name}/nak", h.nak)
	mux.HandleFunc("GET /consumers/{name}", h.behind)
	return mux
}

// AppendRequest is the body of an append.
type AppendRequest struct {
	ExpectedSeq uint64          `json:"expected_seq"`
	Anywhere    bool            `json:"anywhere,omitempty"`
	Version     uint64          `json:"version"`
	ID          string          `json:"id"`
	Type        string          `json:"type"`
	Data        json.RawMessage `json:"data,omitempty"`
}

type handler struct {
	s         *Store
	mu        sync.Mutex
	consumers map[string]*Consumer
}

func (h *handler) append(w http.ResponseWriter, r *http.Request) {
	var req AppendRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	res, err := h.s.Append(r.Context(), Append{
		Stream: r.PathValue("stream"), ExpectedSeq: req.ExpectedSeq, Anywhere: req.Anywhere, Version: req.Version,
		ID: req.ID, Type: req.Type, Data: req.Data,
	})
	if errors.Is(err, ErrConflict) {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	reply(w, res, err)
}

func (h *handler) read(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	rg := Range{After: uintParam(q.Get("after")), UpTo: uintParam(q.Get("upto"))}
	if u := q.Get("until"); u != "" {
		t, err := time.Parse(time.RFC3339Nano, u)
		if err != nil {
			http.Error(w, "until: "+err.Error(), http.StatusBadRequest)
			return
		}
		rg.Until = t
	}
	evs, err := h.s.Read(r.Context(), r.PathValue("stream"), rg)
	reply(w, evs, err)
}

func (h *handler) load(w http.ResponseWriter, r *http.Request) {
	l, err := h.s.Load(r.Context(), r.PathValue("stream"))
	reply(w, l, err)
}

func (h *handler) readAll(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	evs, err := h.s.ReadAll(r.Context(), uintParam(q.Get("after")), int(uintParam(q.Get("max"))))
	reply(w, evs, err)
}

func (h *handler) last(w http.ResponseWriter, r *http.Request) {
	seq, err := h.s.LastSeq(r.Context())
	reply(w, map[string]uint64{"seq": seq}, err)
}

func (h *handler) snapshot(w http.ResponseWriter, r *http.Request) {
	snap, ok, err := h.s.LastSnapshot(r.Context(), r.PathValue("stream"))
	if err == nil && !ok {
		http.Error(w, "no snapshot", http.StatusNotFound)
		return
	}
	reply(w, snap, err)
}

func (h *handler) saveSnapshot(w http.ResponseWriter, r *http.Request) {
	var snap Snapshot
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<20)).Decode(&snap); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	reply(w, struct{}{}, h.s.SaveSnapshot(r.Context(), r.PathValue("stream"), snap))
}

// consumer returns the named durable consumer, creating it on first use.
func (h *handler) consumer(r *http.Request) (*Consumer, error) {
	name := r.PathValue("name")
	h.mu.Lock()
	defer h.mu.Unlock()
	if c, ok := h.consumers[name]; ok {
		return c, nil
	}
	c, err := h.s.Durable(r.Context(), name)
	if err == nil {
		h.consumers[name] = c
	}
	return c, err
}

func (h *handler) fetch(w http.ResponseWriter, r *http.Request) {
	c, err := h.consumer(r)
	if err != nil {
		reply(w, nil, err)
		return
	}
	q := r.URL.Query()
	wait, _ := time.ParseDuration(q.Get("wait"))
	evs, err := c.Fetch(r.Context(), max(int(uintParam(q.Get("max"))), 1), max(wait, 10*time.Millisecond))
	reply(w, evs, err)
}

func (h *handler) ack(w http.ResponseWriter, r *http.Request) {
	h.settle(w, r, func(c *Consumer, seqs []uint64) error { return c.Ack(r.Context(), seqs...) })
}

func (h *handler) nak(w http.ResponseWriter, r *http.Request) {
	h.settle(w, r, func(c *Consumer, seqs []uint64) error { return c.Nak(seqs...) })
}

// settle decodes the positions of an ack or a nak and hands them to f.
func (h *handler) settle(w http.ResponseWriter, r *http.Request, f func(*Consumer, []uint64) error) {
	c, err := h.consumer(r)
	if err != nil {
		reply(w, nil, err)
		return
	}
	var seqs []uint64
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&seqs); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	reply(w, struct{}{}, f(c, seqs))
}

func (h *handler) behind(w http.ResponseWriter, r *http.Request) {
	c, err := h.consumer(r)
	if err != nil {
		reply(w, nil, err)
		return
	}
	n, err := c.Behind(r.Context())
	reply(w, map[string]uint64{"behind": n}, err)
}

// reply writes v as JSON, or err as a 503 (the store could not do it).
func reply(w http.ResponseWriter, v any, err error) {
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func uintParam(s string) uint64 {
	n, _ := strconv.ParseUint(s, 10, 64)
	return n
}

package docker

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/faultline/faultline/internal/clock"
	"github.com/faultline/faultline/patterns"
)

// ClusterReadyTimeout bounds how long Deploy waits for each clustered
// service to elect a leader once its nodes can reach each other.
const ClusterReadyTimeout = 60 * time.Second

// aim returns the container a fault on the named service acts on: the
// service's, or the node that leads a clustered service at this moment
// (waiting, within ctx, while its nodes elect one).
func (d *Deployment) aim(ctx context.Context, name string) (*box, error) {
	if _, clustered := d.nodes[name]; clustered {
		return d.leader(ctx, name)
	}
	return d.box(name)
}

// every returns every container of the named service: its own, or each
// node's.
func (d *Deployment) every(name string) ([]*box, error) {
	if nodes, clustered := d.nodes[name]; clustered {
		return nodes, nil
	}
	b, err := d.box(name)
	if err != nil {
		return nil, err
	}
	return []*box{b}, nil
}

// leader asks each node of a clustered service, on its control face
// (patterns.ClusterPath), whether it leads, and returns the one that says
// so; while none does (an election), it asks again until ctx is done.
func (d *Deployment) leader(ctx context.Context, name string) (*box, error) {
	client := &http.Client{Timeout: time.Second}
	for {
		for _, b := range d.nodes[name] {
			if st, err := clusterStatus(ctx, client, b); err == nil && st.Leader {
				return b, nil
			}
		}
		if err := clock.Sleep(ctx, 50*time.Millisecond); err != nil {
			return nil, fmt.Errorf("docker: no node of %s leads its cluster: %w", name, err)
		}
	}
}

// clusterStatus asks one node what it is.
func clusterStatus(ctx context.Context, client *http.Client, b *box) (patterns.ClusterStatus, error) {
	var st patterns.ClusterStatus
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.url()+patterns.ClusterPath, nil)
	if err != nil {
		return st, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("%s: %s", b.name, resp.Status)
	}
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

// waitClusters waits until every clustered service has a leader: its nodes
// started before the proxies between them existed, and find each other
// only now.
func (d *Deployment) waitClusters(ctx context.Context) error {
	for name := range d.nodes {
		wctx, cancel := context.WithTimeout(ctx, ClusterReadyTimeout)
		_, err := d.leader(wctx, name)
		cancel()
		if err != nil {
			return err
		}
	}
	return nil
}

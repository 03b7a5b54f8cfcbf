package local

import "github.com/faultline/faultline/testbeds"

// Held returns how many requests the paused service name of d holds.
func Held(d testbeds.Deployment, name string) int {
	dep := d.(*Deployment)
	dep.mu.Lock()
	g := dep.services[name].gate
	dep.mu.Unlock()
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.held
}

// ToxiproxyAddr returns the host:port of d's Toxiproxy API.
func ToxiproxyAddr(d testbeds.Deployment) string { return d.(*Deployment).apiAddr }

// DataAddr returns the host:port the service name of d serves its callers
// on (what its edge's proxy forwards to).
func DataAddr(d testbeds.Deployment, name string) string {
	dep := d.(*Deployment)
	dep.mu.Lock()
	defer dep.mu.Unlock()
	return dep.services[name].addr
}

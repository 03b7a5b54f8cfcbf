package scenarios

import (
	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/scenarios/traffic"
)

// bursts is the load's bursts as the traffic package runs them.
func (l *Load) bursts() []traffic.Burst {
	out := make([]traffic.Burst, 0, len(l.Bursts))
	for _, b := range l.Bursts {
		out = append(out, traffic.Burst{Name: b.Name, Route: b.Target, At: b.At, Duration: b.Duration, Rate: b.Rate.PerSecond()})
	}
	return out
}

// burstEvents are the load's bursts on the report's timeline, after the
// faults, applied and reverted when planned: the pacer's plan holds them
// (the load's own lag shows as late or short windows).
func burstEvents(bs []Burst) []model.FaultEvent {
	var out []model.FaultEvent
	for _, b := range bs {
		out = append(out, model.FaultEvent{Name: b.Name, Kind: model.BurstKind, Target: b.Target, At: b.At, Duration: b.Duration,
			Applied: b.At, Reverted: b.At + b.Duration})
	}
	return out
}

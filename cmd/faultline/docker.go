package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/faultline/faultline/testbeds"
	"github.com/faultline/faultline/testbeds/docker"
	"github.com/faultline/faultline/testbeds/docker/agent"
	"github.com/faultline/faultline/testbeds/local"
)

// newDockerTestbed connects to Docker; a second Ctrl-C removes what the
// run has started before faultline exits.
func newDockerTestbed(ctx context.Context) (testbeds.Testbed, error) {
	var o docker.Options
	if os.Getenv("FAULTLINE_DOCKER_LOG") != "" {
		o.Log = os.Stderr // testcontainers' and the image build's log
	}
	tb, err := docker.New(ctx, o)
	if err != nil {
		return nil, err
	}
	atForceExit(func(ctx context.Context) {
		r, err := tb.RemoveAll(ctx)
		fmt.Fprintf(os.Stderr, "faultline: removed %d containers and %d networks of run %s\n", len(r.Containers), len(r.Networks), tb.RunID())
		if err != nil {
			fmt.Fprintf(os.Stderr, "faultline: %v\nfaultline: `faultline clean` removes what is left\n", err)
		}
	})
	return tb, nil
}

// checkTestbed returns a testbed that can say which faults it can inject
// without starting anything (for validate).
func checkTestbed(name string) (testbeds.Testbed, error) {
	switch name {
	case "local":
		return local.New(), nil
	case "docker":
		// Its name and its fault checks need no Docker.
		return (*docker.Testbed)(nil), nil
	default:
		return nil, fmt.Errorf("unknown testbed %q (known: local, docker)", name)
	}
}

func newCleanCmd() *cobra.Command {
	var o docker.CleanOptions
	cmd := &cobra.Command{
		Use:   "clean",
		Short: "Remove the Docker containers and networks that killed runs left behind",
		Long: `Every container and network of the docker testbed carries the label
faultline=true. A run removes its own when it ends, fails or is
interrupted; a run killed with SIGKILL cannot. clean removes what such runs
left (those whose process is gone), and leaves runs going on alone unless
--all is given.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := docker.Clean(cmd.Context(), o)
			out := cmd.OutOrStdout()
			for _, c := range r.Containers {
				fmt.Fprintf(out, "removed container %s\n", c)
			}
			for _, n := range r.Networks {
				fmt.Fprintf(out, "removed network %s\n", n)
			}
			for _, i := range r.Images {
				fmt.Fprintf(out, "removed image %s\n", i)
			}
			if len(r.Containers)+len(r.Networks)+len(r.Images) == 0 && err == nil {
				fmt.Fprintln(out, "nothing to remove")
			}
			if r.Kept > 0 {
				fmt.Fprintf(out, "kept %d containers and networks of runs still going (--all removes them too)\n", r.Kept)
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&o.All, "all", false, "also remove what runs still going use")
	cmd.Flags().BoolVar(&o.Images, "images", false, "also remove faultline's images no container uses")
	return cmd
}

// newServeServiceCmd is what a docker testbed container runs for a service.
func newServeServiceCmd() *cobra.Command {
	var (
		s       agent.Service
		config  string
		listen  string
		control string
		nodes   []string
	)
	cmd := &cobra.Command{
		Use:    "serve-service",
		Short:  "Serve one service of a pattern (run inside a docker testbed container)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s.Config = []byte(config)
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return err
			}
			ctl, err := net.Listen("tcp", control)
			if err != nil {
				ln.Close()
				return err
			}
			s.Token = os.Getenv(agent.TokenEnv)
			if err := nodeFlags(&s, nodes); err != nil {
				return err
			}
			return agent.ServeService(cmd.Context(), ln, ctl, s)
		},
	}
	f := cmd.Flags()
	f.StringVar(&s.Pattern, "pattern", "", "the pattern's name")
	f.StringVar(&s.Name, "service", "", "the service's name in the pattern's topology")
	f.StringVar(&config, "config", "", "the variant's configuration, JSON")
	f.Int64Var(&s.Seed, "seed", 0, "seed for the service's random choices")
	f.StringVar(&listen, "listen", ":8080", "address to serve on")
	f.StringVar(&control, "control-listen", ":8081", "address to serve metrics and the fault API on (no edge carries it)")
	f.StringToStringVar(&s.Upstreams, "upstream", nil, "callee=base URL of the proxy that reaches it (repeatable)")
	f.StringVar(&s.DataDir, "data-dir", "", "a directory that survives the container's restarts")
	f.StringArrayVar(&nodes, "upstream-node", nil, "callee=base URL of the proxy that reaches one node of a clustered callee (repeatable, one per node)")
	f.StringVar(&s.Node, "node", "", "the node's name, when the service runs as one node of a cluster")
	f.StringVar(&s.PeerListen, "peer-listen", "", "address a cluster node listens on for its peers")
	f.StringVar(&s.Advertise, "advertise", "", "address the peers reach this node at (its proxy)")
	f.StringToStringVar(&s.Peers, "peer", nil, "node=address of the proxy that reaches another node's peer port (repeatable)")
	return cmd
}

// nodeFlags puts the --upstream-node flags of serve-service into s.
func nodeFlags(s *agent.Service, nodes []string) error {
	for _, n := range nodes {
		callee, url, ok := strings.Cut(n, "=")
		if !ok || callee == "" || url == "" {
			return fmt.Errorf("--upstream-node %q: want callee=URL", n)
		}
		if s.Nodes == nil {
			s.Nodes = map[string][]string{}
		}
		s.Nodes[callee] = append(s.Nodes[callee], url)
	}
	return nil
}

// newServeToxiproxyCmd is what a docker testbed's Toxiproxy container runs.
func newServeToxiproxyCmd() *cobra.Command {
	var (
		listen  string
		proxies map[string]string
	)
	cmd := &cobra.Command{
		Use:    "serve-toxiproxy",
		Short:  "Serve the Toxiproxy API (run inside a docker testbed container)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return err
			}
			return agent.ServeToxiproxy(cmd.Context(), ln, cmd.ErrOrStderr(), proxies, os.Getenv(agent.TokenEnv))
		},
	}
	cmd.Flags().StringVar(&listen, "listen", ":8474", "address to serve the API on")
	cmd.Flags().StringToStringVar(&proxies, "proxy", nil, "listen=upstream of a proxy the API may open (repeatable); no other is allowed")
	return cmd
}

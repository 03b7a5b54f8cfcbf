package docker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// Removed is what a clean-up removed, by name.
type Removed struct {
	Containers []string
	Networks   []string
	Images     []string
	// Kept counts the containers and networks left alone because the run
	// that made them is still alive.
	Kept int
}

// CleanOptions says what Clean removes.
type CleanOptions struct {
	// All removes the resources of live runs too. Without it, Clean only
	// removes what was left by runs whose process is gone (killed with
	// SIGKILL, say): a run going on beside it keeps its topology.
	All bool
	// Images also removes faultline's images that no container uses.
	Images bool
}

// Clean removes the containers and networks labelled faultline=true that
// faultline runs left behind (see CleanOptions).
func Clean(ctx context.Context, o CleanOptions) (Removed, error) {
	if err := setupEnv(); err != nil {
		return Removed{}, err
	}
	newLogger(nil)
	cli, err := dockerClient(ctx)
	if err != nil {
		return Removed{}, err
	}
	keep := func(labels map[string]string) bool { return !o.All && alive(labels) }
	out, err := removeWhere(ctx, cli, keep, LabelFaultline+"=true")
	if o.Images {
		imgs, ierr := removeImages(ctx, cli)
		out.Images = imgs
		err = errors.Join(err, ierr)
	}
	return out, err
}

// remove removes every container, then every network, that carries all the
// labels ("key=value").
func remove(ctx context.Context, cli client.APIClient, labels ...string) (Removed, error) {
	return removeWhere(ctx, cli, func(map[string]string) bool { return false }, labels...)
}

// removeWhere removes the containers, then the networks, that carry all
// the labels, except those keep says to keep.
func removeWhere(ctx context.Context, cli client.APIClient, keep func(map[string]string) bool, labels ...string) (Removed, error) {
	var out Removed
	filters := client.Filters{}.Add("label", labels...)
	cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: filters})
	if err != nil {
		return out, fmt.Errorf("docker: list containers: %w", err)
	}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		errs []error
	)
	for _, c := range cs.Items {
		if keep(c.Labels) {
			out.Kept++
			continue
		}
		wg.Add(1)
		go func(c container.Summary) {
			defer wg.Done()
			_, err := cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil || cerrdefs.IsNotFound(err):
				out.Containers = append(out.Containers, containerName(c))
			case strings.Contains(err.Error(), "already in progress"):
				// Docker is removing it already.
			default:
				errs = append(errs, fmt.Errorf("docker: remove container %s: %w", containerName(c), err))
			}
		}(c)
	}
	wg.Wait()

	ns, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: filters})
	if err != nil {
		return out, errors.Join(append(errs, fmt.Errorf("docker: list networks: %w", err))...)
	}
	for _, n := range ns.Items {
		if keep(n.Labels) {
			out.Kept++
			continue
		}
		if err := removeNetwork(ctx, cli, n.ID); err != nil {
			errs = append(errs, fmt.Errorf("docker: remove network %s: %w", n.Name, err))
			continue
		}
		out.Networks = append(out.Networks, n.Name)
	}
	sort.Strings(out.Containers)
	return out, errors.Join(errs...)
}

// removeNetwork removes a network, retrying for a few seconds while
// containers being removed still hold endpoints on it.
func removeNetwork(ctx context.Context, cli client.APIClient, id string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := cli.NetworkRemove(ctx, id, client.NetworkRemoveOptions{})
		if err == nil || cerrdefs.IsNotFound(err) {
			return nil
		}
		if !strings.Contains(err.Error(), "active endpoints") || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// removeImages removes faultline's images that no container uses.
func removeImages(ctx context.Context, cli client.APIClient) ([]string, error) {
	imgs, err := cli.ImageList(ctx, client.ImageListOptions{Filters: client.Filters{}.Add("label", LabelFaultline+"=true")})
	if err != nil {
		return nil, fmt.Errorf("docker: list images: %w", err)
	}
	var out []string
	var errs []error
	for _, img := range imgs.Items {
		name := img.ID
		if len(img.RepoTags) > 0 {
			name = img.RepoTags[0]
		}
		_, err := cli.ImageRemove(ctx, img.ID, client.ImageRemoveOptions{})
		switch {
		case err == nil || cerrdefs.IsNotFound(err):
			out = append(out, name)
		case cerrdefs.IsConflict(err):
			// in use by a container of a live run
		default:
			errs = append(errs, fmt.Errorf("docker: remove image %s: %w", name, err))
		}
	}
	return out, errors.Join(errs...)
}

func containerName(c container.Summary) string {
	if len(c.Names) > 0 {
		return strings.TrimPrefix(c.Names[0], "/")
	}
	return c.ID[:min(12, len(c.ID))]
}

// alive reports whether the faultline process that labelled a resource may
// still be running: it runs on this host and its pid exists. A resource
// made on another host (a remote Docker) counts as alive: that is not ours
// to judge.
func alive(labels map[string]string) bool {
	host, _ := os.Hostname()
	if h := labels[LabelHost]; h != "" && h != host {
		return true
	}
	pid, err := strconv.Atoi(labels[LabelPID])
	if err != nil || pid <= 0 {
		return false
	}
	err = syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

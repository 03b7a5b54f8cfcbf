package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// ImageRepo is the repository of the images the testbed builds; the tag is
// the first 12 hex digits of the binary's SHA-256.
const ImageRepo = "faultline"

// dockerfile builds the image: the binary alone, nothing to pull.
const dockerfile = `FROM scratch
COPY faultline /faultline
ENTRYPOINT ["/faultline"]
`

// CheckStatic returns an error unless path is a statically linked Linux
// executable, which is all a FROM-scratch image can run.
func CheckStatic(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("docker: %s is not a Linux executable (%v); the docker testbed needs a static Linux faultline binary: build it with CGO_ENABLED=0: make build", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("docker: %s is dynamically linked and cannot run in a FROM-scratch image; build it with CGO_ENABLED=0: make build", path)
		}
	}
	if f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN {
		return fmt.Errorf("docker: %s is not an executable", path)
	}
	return nil
}

// ImageTag returns the tag of the image holding the binary at path.
func ImageTag(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("docker: read binary: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("docker: read binary: %w", err)
	}
	return ImageRepo + ":" + hex.EncodeToString(h.Sum(nil))[:12], nil
}

// ensureImage returns the image's tag, building it unless an image of that
// tag exists. It records the time it took as "image build" (or "image build
// (cached)") the first time.
func (tb *Testbed) ensureImage(ctx context.Context) (string, error) {
	tb.imageMu.Lock()
	defer tb.imageMu.Unlock()
	if tb.image != "" {
		return tb.image, nil
	}
	began := time.Now()
	tag, err := ImageTag(tb.binary)
	if err != nil {
		return "", err
	}
	_, err = tb.docker.ImageInspect(ctx, tag)
	switch {
	case err == nil:
		tb.addTiming("image build (cached)", time.Since(began))
	case cerrdefs.IsNotFound(err):
		if err := buildImage(ctx, tb.binary, tag, tb.log); err != nil {
			return "", err
		}
		tb.addTiming("image build", time.Since(began))
	default:
		return "", fmt.Errorf("docker: inspect image %s: %w", tag, err)
	}
	tb.image = tag
	return tag, nil
}

// buildImage builds the image from an in-memory context holding the
// Dockerfile and the binary, through testcontainers.
func buildImage(ctx context.Context, binary, tag string, log io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	archive, err := buildContext(binary)
	if err != nil {
		return err
	}
	repo, version, _ := strings.Cut(tag, ":")
	if log == nil {
		log = io.Discard
	}
	req := &testcontainers.ContainerRequest{FromDockerfile: testcontainers.FromDockerfile{
		ContextArchive: bytes.NewReader(archive),
		Repo:           repo,
		Tag:            version,
		KeepImage:      true,
		BuildLogWriter: log,
		BuildOptionsModifier: func(o *client.ImageBuildOptions) {
			o.Labels = map[string]string{LabelFaultline: "true"}
		},
	}}
	p, err := testcontainers.NewDockerProvider()
	if err != nil {
		return fmt.Errorf("docker: build image %s: %w", tag, err)
	}
	defer p.Close()
	if _, err := p.BuildImage(ctx, req); err != nil {
		return fmt.Errorf("docker: build image %s: %w", tag, err)
	}
	return nil
}

// buildContext returns a tar archive of the Dockerfile and the binary.
func buildContext(binary string) ([]byte, error) {
	bin, err := os.ReadFile(binary)
	if err != nil {
		return nil, fmt.Errorf("docker: read binary: %w", err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	files := []struct {
		name string
		mode int64
		body []byte
	}{
		{"Dockerfile", 0o644, []byte(dockerfile)},
		{"faultline", 0o755, bin},
	}
	for _, f := range files {
		hdr := &tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.body)), ModTime: time.Unix(0, 0)}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, fmt.Errorf("docker: build context: %w", err)
		}
		if _, err := tw.Write(f.body); err != nil {
			return nil, fmt.Errorf("docker: build context: %w", err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("docker: build context: %w", err)
	}
	return buf.Bytes(), nil
}

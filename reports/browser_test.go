package reports_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/faultline/faultline/reports"
)

// browserPath finds a Chromium to drive: $FAULTLINE_BROWSER or one on
// PATH. Without one the test skips, unless FAULTLINE_REQUIRE_BROWSER=1
// (.ci/run sets it, after installing Debian's chromium).
func browserPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("FAULTLINE_BROWSER"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("FAULTLINE_REQUIRE_BROWSER") == "1" {
		t.Fatal("no Chromium found (chromium, chromium-browser, google-chrome or $FAULTLINE_BROWSER) and FAULTLINE_REQUIRE_BROWSER=1")
	}
	t.Skip("no Chromium found; install Debian's chromium or set FAULTLINE_BROWSER (FAULTLINE_REQUIRE_BROWSER=1 makes this fail)")
	return ""
}

// TestReportAndIndexInBrowser opens a rendered report and a suite index in
// headless Chromium: each page renders, every image loads, nothing is
// logged as an error, and a full-page screenshot has a sane size.
func TestReportAndIndexInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	exe := browserPath(t)
	out := t.TempDir()
	run, err := reports.LoadFile("testdata/summary.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(out, "sample-run")
	if err := reports.Write(dir, run); err != nil {
		t.Fatal(err)
	}
	second, _ := reports.LoadFile("testdata/summary.json")
	second.Scenario = "sample-two"
	dir2 := filepath.Join(out, "sample-two")
	if err := reports.Write(dir2, second); err != nil {
		t.Fatal(err)
	}
	if err := reports.WriteIndex(out, []reports.IndexEntry{{Dir: dir, Run: run}, {Dir: dir2, Run: second}}); err != nil {
		t.Fatal(err)
	}

	// Generous: a cold Chromium start on a loaded 2-core box took ~3s.
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1280, 900))
	actx, stop := chromedp.NewExecAllocator(ctx, opts...)
	defer stop()
	bctx, closeBrowser := chromedp.NewContext(actx)
	defer closeBrowser()

	for _, tt := range []struct {
		page      string
		minImages int
		text      string
	}{
		{filepath.Join(dir, reports.HTMLFile), 3, "Headline numbers"},
		{filepath.Join(out, reports.IndexFile), 0, "sample-two"},
	} {
		t.Run(filepath.Base(tt.page), func(t *testing.T) {
			for _, p := range checkPage(t, bctx, tt.page, tt.minImages, tt.text) {
				t.Error(p)
			}
		})
	}
	// The check sees what it looks for.
	bad := filepath.Join(out, "bad.html")
	page := `<!DOCTYPE html><title>bad</title><h1>bad</h1><img src="missing.png" alt="missing"><script>console.error("boom"); null.x</script>`
	if err := os.WriteFile(bad, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(checkPage(t, bctx, bad, 1, "bad"), "\n")
	for _, want := range []string{"not loaded: [missing]", "console.error", "exception"} {
		if !strings.Contains(got, want) {
			t.Errorf("a broken page passes the check: no %q in\n%s", want, got)
		}
	}
}

// pageCheck is what the page reports about itself once loaded.
type pageCheck struct {
	Title  string   `json:"title"`
	Text   string   `json:"text"`
	Images int      `json:"images"`
	Broken []string `json:"broken"`
	Links  []string `json:"links"`
}

// checkPage opens path in a new tab and returns what is wrong with it.
func checkPage(t *testing.T, bctx context.Context, path string, minImages int, text string) []string {
	ctx, cancel := chromedp.NewContext(bctx) // a tab of its own
	defer cancel()
	var mu sync.Mutex
	var problems []string
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				problems = append(problems, fmt.Sprintf("console.error: %v", ev.Args))
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+ev.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				problems = append(problems, "log: "+ev.Entry.Text+" "+ev.Entry.URL)
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+path)); err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[pageCheck](`({
		title: document.title,
		text: document.body.innerText,
		images: document.images.length,
		broken: Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt || i.src.slice(0, 40)),
		links: Array.from(document.links).map(a => a.href),
	})`))
	if err != nil {
		t.Fatal(err)
	}
	var bad []string
	if got.Title == "" || !strings.Contains(got.Text, text) {
		bad = append(bad, fmt.Sprintf("%s: title %q, text lacks %q", path, got.Title, text))
	}
	if got.Images < minImages || len(got.Broken) > 0 {
		bad = append(bad, fmt.Sprintf("%s: %d images (want >= %d), not loaded: %v", path, got.Images, minImages, got.Broken))
	}
	for _, l := range got.Links {
		if p, ok := strings.CutPrefix(l, "file://"); ok {
			if _, err := os.Stat(p); err != nil {
				bad = append(bad, fmt.Sprintf("%s: broken link %s", path, l))
			}
		}
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	// The window is 1280 wide; a report is several screens tall, the
	// index at least a table's height; 20000px would be a runaway layout.
	if cfg.Width < 1000 || cfg.Height < 300 || cfg.Height > 20000 || len(shot) < 4<<10 {
		bad = append(bad, fmt.Sprintf("%s: screenshot %dx%d, %d bytes", path, cfg.Width, cfg.Height, len(shot)))
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		bad = append(bad, path+": "+p)
	}
	return bad
}

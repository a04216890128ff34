package e2e

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/internal/postgres/pgtest"
	"github.com/peerboard/peerboard/internal/server"
)

// axeSource is axe-core, vendored by web/_ui/vendor.sh. It is injected
// through DevTools, which the page's CSP does not govern.
//
//go:embed testdata/axe.min.js
var axeSource string

// password is the password of every account a test creates with createUser.
const password = "correct horse battery staple"

// actionTimeout bounds one browser step; a selector that never appears
// fails the test in seconds instead of hanging the suite.
const actionTimeout = 15 * time.Second

// site is the real portal over a fresh database, served on a local port.
type site struct {
	t      testing.TB
	URL    string
	DB     *postgres.DB
	Server *server.Server
	now    atomic.Pointer[time.Time]

	chromeOnce sync.Once
	chrome     context.Context // the browser process, shared by the site's browsers
}

// newSite starts the portal on a fresh database. Options adjust the config.
func newSite(t testing.TB, opts ...func(*server.Config)) *site {
	t.Helper()
	s := &site{t: t, DB: pgtest.New(t)}
	s.SetNow(time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC))
	s.DB.Now = func() time.Time { return *s.now.Load() }

	ts := httptest.NewUnstartedServer(nil)
	s.URL = "http://" + ts.Listener.Addr().String()
	cfg := server.DefaultConfig(s.URL)
	for _, o := range opts {
		o(&cfg)
	}
	s.Server = server.New(cfg, s.DB, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	ts.Config.Handler = s.Server.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return s
}

// SetNow moves the clock the server reads; safe while requests run.
func (s *site) SetNow(t time.Time) { s.now.Store(&t) }

// Now is the server's current time.
func (s *site) Now() time.Time { return *s.now.Load() }

// createUser stores an account whose password is the package's password,
// with a confirmed email address, as an admin would open it. Trainers need
// orgID.
func (s *site) createUser(role peerboard.Role, email, name string, orgID *int64) *peerboard.User {
	s.t.Helper()
	hash, err := peerboard.HashPassword(password)
	if err != nil {
		s.t.Fatal(err)
	}
	verified := s.Now()
	u := &peerboard.User{Email: email, Name: name, Role: role, OrganizationID: orgID, PasswordHash: hash,
		EmailVerifiedAt: &verified}
	if err := s.DB.CreateUser(context.Background(), u); err != nil {
		s.t.Fatalf("create %s: %v", email, err)
	}
	return u
}

// chromiumPath is the browser the tests drive: $CHROMIUM or /usr/bin/chromium.
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// startChromium launches one headless Chromium for the site, leaving
// nothing behind: profile, config, cache and temp files live in t.TempDir.
func (s *site) startChromium() context.Context {
	s.chromeOnce.Do(func() {
		t := s.t
		path := chromiumPath()
		if fi, err := os.Stat(path); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			t.Fatalf("Chromium is missing at %s: run `make chromium` (installs it with apt as root) or set CHROMIUM to its path", path)
		}
		dir := t.TempDir()
		for _, d := range []string{"profile", "config", "cache", "tmp"} {
			if err := os.Mkdir(filepath.Join(dir, d), 0o700); err != nil {
				t.Fatal(err)
			}
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			// Desktop width, so the USWDS header shows its navigation
			// instead of the phone menu button.
			chromedp.WindowSize(1280, 1024),
			chromedp.UserDataDir(filepath.Join(dir, "profile")),
			chromedp.Env(
				"XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
				"XDG_CACHE_HOME="+filepath.Join(dir, "cache"),
				"TMPDIR="+filepath.Join(dir, "tmp"),
			),
		)
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(allocCtx)
		// Cancelling waits for the process to exit, before TempDir is removed.
		t.Cleanup(func() { cancel(); cancelAlloc() })
		start := time.Now()
		if err := chromedp.Do(ctx); err != nil {
			t.Fatalf("start Chromium at %s: %v", path, err)
		}
		t.Logf("Chromium started in %v", time.Since(start).Round(time.Millisecond))
		s.chrome = ctx
	})
	if s.chrome == nil {
		s.t.FailNow() // startup failed in an earlier call
	}
	return s.chrome
}

// browser is one person at the portal: a tab in its own browser context,
// so each browser has its own cookies. Methods fail the test on error.
type browser struct {
	t    testing.TB
	site *site
	ctx  context.Context

	mu      sync.Mutex
	console []string // errors, exceptions and CSP violations the pages reported
}

// newBrowser opens a fresh, isolated browser on the site. Several browsers
// share one Chromium process, so a journey with four people stays quick.
func (s *site) newBrowser() *browser {
	s.t.Helper()
	ctx, cancel := chromedp.NewContext(s.startChromium(), chromedp.WithNewBrowserContext())
	s.t.Cleanup(cancel)
	b := &browser{t: s.t, site: s, ctx: ctx}
	messages := chromedp.Console(ctx)
	if err := chromedp.Do(ctx); err != nil { // opens the tab
		s.t.Fatalf("open a tab: %v", err)
	}
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			// A page answered 4xx (a form with errors, a 403) is logged as a
			// network error; it is expected. A failed asset is not.
			expected := m.Source == "network" && !strings.Contains(m.URL, "/static/")
			if (m.Type == chromedp.ConsoleError || m.IsException()) && !expected {
				b.mu.Lock()
				b.console = append(b.console, fmt.Sprintf("%s (%s %s)", m.Text, m.Source, m.URL))
				b.mu.Unlock()
			}
		}
	}()
	s.t.Cleanup(func() {
		if s.t.Failed() {
			b.logState()
		}
		if errs := b.consoleErrors(); len(errs) > 0 {
			s.t.Errorf("the pages reported console errors (CSP violations show here):\n  %s", strings.Join(errs, "\n  "))
		}
	})
	return b
}

// in returns the browser bound to t, for use inside a subtest.
func (b *browser) in(t testing.TB) *browser {
	return &browser{t: t, site: b.site, ctx: b.ctx}
}

// consoleErrors returns the console errors seen so far.
func (b *browser) consoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.console...)
}

// run runs actions with a per-step timeout.
func (b *browser) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s on %s: %v", what, b.path(), err)
	}
}

// get runs one action that returns a value, with the per-step timeout.
func get[T any](b *browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("%s on %s: %v", what, b.path(), err)
	}
	return v
}

// visit loads path and returns the HTTP status of the document.
func (b *browser) visit(path string) int {
	b.t.Helper()
	res := get(b, "visit "+path, chromedp.NavigateResponse(b.site.URL+path))
	if res == nil {
		b.t.Fatalf("visit %s: no response", path)
	}
	return int(res.Status)
}

// fill replaces the value of the input matching sel by typing value.
func (b *browser) fill(sel, value string) {
	b.t.Helper()
	b.run("fill "+sel, chromedp.Clear(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), value))
}

// click clicks the element matching sel and does not wait for anything.
func (b *browser) click(sel string) {
	b.t.Helper()
	b.wantClickable(sel)
	b.run("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// wantClickable fails unless the element matching sel, scrolled into view,
// is what a person would hit by clicking its centre: not off screen, not
// under another element.
func (b *browser) wantClickable(sel string) {
	b.t.Helper()
	b.waitVisible(sel)
	// Retry for a moment: menus slide in and alerts push content down.
	deadline := time.Now().Add(2 * time.Second)
	for {
		problem := b.clickProblem(sel)
		if problem == "" {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s on %s cannot be clicked: %s", sel, b.path(), problem)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// clickProblem says why a click on sel's centre would miss it, or "".
func (b *browser) clickProblem(sel string) string {
	b.t.Helper()
	return eval[string](b, `(() => {
		const e = document.querySelector(`+jsString(sel)+`);
		e.scrollIntoView({block: "center", inline: "center"});
		const r = e.getBoundingClientRect();
		const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
		if (hit && (hit === e || e.contains(hit))) return "";
		return hit ? "covered by " + hit.outerHTML.slice(0, 160) : "outside the viewport (" + JSON.stringify(r) + ")";
	})()`)
}

// submit clicks the button or link matching sel, waits for the page it
// loads (after any redirects) and returns that page's HTTP status.
func (b *browser) submit(sel string) int {
	b.t.Helper()
	b.wantClickable(sel)
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("submit %s on %s: %v", sel, b.path(), err)
	}
	if res == nil {
		b.t.Fatalf("submit %s on %s: no page loaded", sel, b.path())
	}
	return int(res.Status)
}

// phone makes the tab a 375×812 touch phone, where the USWDS header
// collapses behind its Menu button.
func (b *browser) phone() {
	b.t.Helper()
	b.run("emulate a phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile))
}

// checkReflow fails when the page scrolls sideways (WCAG 1.4.10): content
// must fit the width of the screen.
func (b *browser) checkReflow() {
	b.t.Helper()
	if over := eval[int](b, `document.documentElement.scrollWidth - window.innerWidth`); over > 0 {
		b.t.Errorf("%s scrolls sideways by %dpx at %dpx wide", b.path(), over, eval[int](b, `window.innerWidth`))
	}
}

// waitVisible waits until an element matching sel is visible.
func (b *browser) waitVisible(sel string) {
	b.t.Helper()
	b.run("wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
}

// text returns the visible text of the first element matching sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(get(b, "text of "+sel, chromedp.Text(chromedp.CSS(sel))))
}

// value returns the current value of the input matching sel.
func (b *browser) value(sel string) string {
	b.t.Helper()
	return get(b, "value of "+sel, chromedp.Value(chromedp.CSS(sel), chromedp.NodeReady))
}

// count returns how many elements match sel right now, without waiting.
func (b *browser) count(sel string) int {
	b.t.Helper()
	return eval[int](b, "document.querySelectorAll("+jsString(sel)+").length")
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	return get(b, "evaluate", chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// path returns the current path and query, or "" before the first page.
func (b *browser) path() string {
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return ""
	}
	u, err := url.Parse(loc)
	if err != nil {
		return loc
	}
	if u.RawQuery != "" {
		return u.Path + "?" + u.RawQuery
	}
	return u.Path
}

// wantPath fails unless the browser is at want (path and query).
func (b *browser) wantPath(want string) {
	b.t.Helper()
	if got := b.path(); got != want {
		b.t.Fatalf("at %q, want %q; page says: %.300q", got, want, b.mainText())
	}
}

// mainText is the text of <main>, for failure messages.
func (b *browser) mainText() string {
	ctx, cancel := context.WithTimeout(b.ctx, 3*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("main")?.innerText ?? document.body?.innerText ?? ""`))
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return strings.Join(strings.Fields(s), " ")
}

// logState logs where the browser is, and saves a screenshot when
// E2E_ARTIFACTS names a folder.
func (b *browser) logState() {
	b.t.Logf("browser at %s; page says: %.500q", b.path(), b.mainText())
	dir := os.Getenv("E2E_ARTIFACTS")
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
	if err != nil {
		return
	}
	name := filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_").Replace(b.t.Name())+".png")
	if err := os.WriteFile(name, png, 0o644); err == nil {
		b.t.Logf("screenshot: %s", name)
	}
}

// axeTags are the rule sets every page must pass: WCAG 2.1 A and AA, and
// axe's best practices.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"}

type axeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target  []string `json:"target"`
		HTML    string   `json:"html"`
		Summary string   `json:"summary"`
	} `json:"nodes"`
}

// checkA11y runs axe-core on the current page and fails the test with
// every violation: rule, impact and the elements at fault.
func (b *browser) checkA11y() {
	b.t.Helper()
	if eval[bool](b, `typeof window.axe === "undefined"`) {
		get(b, "inject axe-core", chromedp.Evaluate[chromedp.Void](axeSource))
	}
	tags, _ := json.Marshal(axeTags)
	script := `axe.run(document, {runOnly: {type: "tag", values: ` + string(tags) + `}, resultTypes: ["violations"]})
		.then(r => r.violations.map(v => ({
			id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
			nodes: v.nodes.map(n => ({target: n.target.map(String), html: n.html, summary: n.failureSummary || ""})),
		})))`
	violations := eval[[]axeViolation](b, script)
	if len(violations) == 0 {
		return
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "axe-core found %d accessibility violations on %s:", len(violations), b.path())
	for _, v := range violations {
		fmt.Fprintf(&sb, "\n- %s (%s): %s\n  %s", v.ID, v.Impact, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&sb, "\n    at %s: %.200s\n      %s", strings.Join(n.Target, " "), n.HTML,
				strings.ReplaceAll(n.Summary, "\n", "\n      "))
		}
	}
	b.t.Error(sb.String())
}

// focused describes the element that has keyboard focus.
type focused struct {
	Tag   string `json:"tag"`
	Class string `json:"class"`
	Href  string `json:"href"`
	Text  string `json:"text"`
}

// pressTab presses Tab once and returns the newly focused element.
func (b *browser) pressTab() focused {
	b.t.Helper()
	b.run("press Tab", chromedp.KeyEvent(kb.Tab))
	return eval[focused](b, `(() => { const e = document.activeElement;
		return {tag: e.tagName.toLowerCase(), class: e.className || "", href: e.getAttribute("href") || "", text: (e.innerText || "").trim()}; })()`)
}

// checkSkipLink loads path fresh, presses Tab once and expects the skip
// link, then follows it and expects focus on its target.
func (b *browser) checkSkipLink(path string) {
	b.t.Helper()
	b.visit(path)
	f := b.pressTab()
	if !strings.Contains(f.Class, "usa-skipnav") || !strings.HasPrefix(f.Href, "#") {
		b.t.Fatalf("%s: first Tab focuses <%s class=%q href=%q>%s, want the skip link", path, f.Tag, f.Class, f.Href, f.Text)
	}
	id := strings.TrimPrefix(f.Href, "#")
	if b.count("#"+id) != 1 {
		b.t.Fatalf("%s: skip link points to #%s, which is not on the page", path, id)
	}
	b.run("follow the skip link", chromedp.KeyEvent(kb.Enter))
	if got := eval[string](b, `document.activeElement.id`); got != id {
		b.t.Errorf("%s: after the skip link, focus is on %q, want #%s", path, got, id)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

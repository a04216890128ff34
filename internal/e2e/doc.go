// Package e2e holds the end-to-end tests: the real portal over a fresh
// database, driven by headless Chromium, with axe-core on every page.
package e2e

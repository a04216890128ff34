// Command peerboard is the whole portal in one binary: serve, migrate,
// seed demo data, create users and import exam results.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // BOARD_TIMEZONE works on hosts without a zoneinfo database

	"github.com/peerboard/peerboard/internal/demo"
	"github.com/peerboard/peerboard/internal/jobs"
	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/internal/server"
)

const usage = `peerboard: a credentialing portal for peer-support certification boards.

Usage:
  peerboard serve                      serve the portal on ADDR
  peerboard migrate                    bring the database schema up to date
  peerboard seed                       load demo data (idempotent) and print the demo accounts
  peerboard user create --email E --name N --role applicant|trainer|reviewer|admin [--org ID]
                                       create an account; the password is read from stdin
  peerboard import exam-results FILE   import an exam vendor's results CSV
  peerboard jobs run [--now YYYY-MM-DD] run the daily lifecycle work (reminders, expiry, grace) once

Environment: DATABASE_URL (required), ADDR (localhost:8080), BASE_URL (http://localhost:8080),
LOG_LEVEL (info), TRUST_PROXY (false), BOARD_TIMEZONE (UTC), SMTP_HOST, SMTP_PORT (587), SMTP_USERNAME, SMTP_PASSWORD,
MAIL_FROM (no SMTP_HOST: mail goes to the catcher at /admin/mail).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "peerboard:", err)
		os.Exit(1)
	}
}

// config is read from the environment once, in main, and passed down.
type config struct {
	DatabaseURL string
	Addr        string
	BaseURL     string
	LogLevel    slog.Level
	TrustProxy  bool
	SMTP        jobs.SMTPConfig
	Location    *time.Location
}

func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		DatabaseURL: getenv("DATABASE_URL"),
		Addr:        getenv("ADDR"),
		BaseURL:     strings.TrimRight(getenv("BASE_URL"), "/"),
		TrustProxy:  getenv("TRUST_PROXY") == "true",
	}
	if c.DatabaseURL == "" {
		return c, errors.New("DATABASE_URL is not set (make run sets it to a private cluster under .data/)")
	}
	c.SMTP = jobs.SMTPConfig{Host: getenv("SMTP_HOST"), Port: 587, Username: getenv("SMTP_USERNAME"),
		Password: getenv("SMTP_PASSWORD"), From: getenv("MAIL_FROM")}
	if p := getenv("SMTP_PORT"); p != "" {
		port, err := strconv.Atoi(p)
		if err != nil || port <= 0 || port > 65535 {
			return c, fmt.Errorf("SMTP_PORT %q is not a port number", p)
		}
		c.SMTP.Port = port
	}
	if c.SMTP.Host != "" && c.SMTP.From == "" {
		return c, errors.New("MAIL_FROM is required when SMTP_HOST is set")
	}
	tz := getenv("BOARD_TIMEZONE")
	if tz == "" {
		tz = "UTC"
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return c, fmt.Errorf("BOARD_TIMEZONE %q: %w", tz, err)
	}
	c.Location = loc
	if c.Addr == "" {
		c.Addr = "localhost:8080"
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://localhost:8080"
	}
	if lvl := getenv("LOG_LEVEL"); lvl != "" {
		if err := c.LogLevel.UnmarshalText([]byte(lvl)); err != nil {
			return c, fmt.Errorf("LOG_LEVEL: %w", err)
		}
	}
	return c, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))

	switch args[0] {
	case "migrate":
		if err := postgres.Migrate(cfg.DatabaseURL); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "schema is up to date")
		return nil
	case "serve":
		return serve(ctx, cfg, log)
	case "seed":
		return withDB(ctx, cfg, func(db *postgres.DB) error {
			accounts, err := demo.Seed(ctx, db)
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, "Demo accounts (password for all:", demo.Password+"):")
			for _, a := range accounts {
				fmt.Fprintf(stdout, "  %-10s %-34s %s\n", a.Role, a.Email, a.Shows)
			}
			return nil
		})
	case "user":
		return userCommand(ctx, cfg, args[1:], stdin, stdout)
	case "import":
		return importCommand(ctx, cfg, args[1:], stdout)
	case "jobs":
		return jobsCommand(ctx, cfg, args[1:], stdout)
	}
	return fmt.Errorf("unknown command %q\n\n%s", args[0], usage)
}

func withDB(ctx context.Context, cfg config, fn func(*postgres.DB) error) error {
	db, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	db.BaseURL = cfg.BaseURL
	db.Location = cfg.Location
	return fn(db)
}

func serve(ctx context.Context, cfg config, log *slog.Logger) error {
	return withDB(ctx, cfg, func(db *postgres.DB) error {
		sc := server.DefaultConfig(cfg.BaseURL)
		sc.TrustProxy = cfg.TrustProxy
		srv := &http.Server{
			Addr:              cfg.Addr,
			Handler:           server.New(sc, db, log).Handler(),
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      60 * time.Second,
			IdleTimeout:       120 * time.Second,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		}
		var mailer jobs.Mailer = jobs.Catcher{}
		if cfg.SMTP.Host != "" {
			mailer = jobs.NewSMTP(cfg.SMTP)
		}
		worker, err := jobs.New(db, mailer, log)
		if err != nil {
			return err
		}
		if err := worker.Start(ctx); err != nil {
			return fmt.Errorf("start jobs: %w", err)
		}
		errc := make(chan error, 1)
		go func() { errc <- srv.ListenAndServe() }()
		log.Info("serving", "addr", cfg.Addr, "base_url", cfg.BaseURL, "mail", mailer.Via())
		select {
		case err = <-errc:
		case <-ctx.Done():
		}
		// Drain in-flight requests and jobs before closing the pool they use.
		log.Info("shutting down")
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		return errors.Join(err, srv.Shutdown(shutdownCtx), worker.Stop(shutdownCtx))
	})
}

func userCommand(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: peerboard user create --email E --name N --role ROLE [--org ID] (password on stdin)")
	}
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	email := fs.String("email", "", "email address")
	name := fs.String("name", "", "full name")
	role := fs.String("role", "", "applicant, trainer, reviewer or admin")
	org := fs.Int64("org", 0, "training organization id (trainers only)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	pw, err := io.ReadAll(io.LimitReader(stdin, 4096))
	if err != nil {
		return fmt.Errorf("read password: %w", err)
	}
	password := strings.TrimRight(string(pw), "\r\n")
	u := &peerboard.User{Email: peerboard.NormalizeEmail(*email), Name: strings.TrimSpace(*name), Role: peerboard.Role(*role)}
	switch {
	case !u.Role.Valid():
		return fmt.Errorf("--role must be applicant, trainer, reviewer or admin")
	case !peerboard.ValidEmail(u.Email):
		return fmt.Errorf("--email %q is not a valid address", *email)
	case u.Name == "":
		return fmt.Errorf("--name is required")
	case u.Role == peerboard.RoleTrainer && *org == 0:
		return fmt.Errorf("a trainer needs --org, the id of their training organization")
	}
	if err := peerboard.ValidatePassword(password, u.Email, u.Name); err != nil {
		return fmt.Errorf("password: %s", peerboard.ErrorMessage(err))
	}
	if *org != 0 {
		u.OrganizationID = org
	}
	if u.PasswordHash, err = peerboard.HashPassword(password); err != nil {
		return err
	}
	return withDB(ctx, cfg, func(db *postgres.DB) error {
		// The operator running the command vouches for the address.
		verified := db.Now()
		u.EmailVerifiedAt = &verified
		if err := db.CreateUser(ctx, u); err != nil {
			if f := peerboard.ErrorFields(err); f["email"] != "" {
				return errors.New(f["email"])
			}
			return err
		}
		fmt.Fprintf(stdout, "created %s %s (id %d)\n", u.Role, u.Email, u.ID)
		return nil
	})
}

func jobsCommand(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "run" {
		return errors.New("usage: peerboard jobs run [--now YYYY-MM-DD]")
	}
	fs := flag.NewFlagSet("jobs run", flag.ContinueOnError)
	now := fs.String("now", "", "act as of this date (for demos and support)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	return withDB(ctx, cfg, func(db *postgres.DB) error {
		if *now != "" {
			day, err := time.Parse(time.DateOnly, *now)
			if err != nil {
				return fmt.Errorf("--now %q: use YYYY-MM-DD", *now)
			}
			db.Now = func() time.Time { return day }
		}
		start := time.Now()
		rep, err := db.RunDaily(ctx, db.Today())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "as of %s: %d expired, %d need reinstatement, %d reminders queued, %d applications abandoned (%d statements, %s)\n",
			db.Today().Format(time.DateOnly), rep.Expired, rep.ReinstatementRequired, rep.Reminders, rep.Abandoned, rep.Statements,
			time.Since(start).Round(time.Millisecond))
		return nil
	})
}

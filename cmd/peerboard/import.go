package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/peerboard/peerboard/internal/examfile"
	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
)

const importUsage = "usage: peerboard import exam-results FILE"

// importCommand imports an exam vendor's results file with the same
// validation as the admin upload: it prints the summary, or every bad line
// and fails, importing nothing.
func importCommand(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	if len(args) != 2 || args[0] != "exam-results" {
		return errors.New(importUsage)
	}
	data, err := readResultsFile(args[1])
	if err != nil {
		return err
	}
	return withDB(ctx, cfg, func(db *postgres.DB) error {
		rep, err := db.ImportExamResults(ctx, filepath.Base(args[1]), data)
		if err != nil {
			return err
		}
		return printImportReport(stdout, rep)
	})
}

// readResultsFile reads at most examfile.MaxBytes, refusing larger files.
func readResultsFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, examfile.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > examfile.MaxBytes {
		return nil, fmt.Errorf("%s is larger than %d MiB: split it into smaller files", path, examfile.MaxBytes>>20)
	}
	return data, nil
}

// printImportReport writes the outcome of an import; a refused file is an error.
func printImportReport(w io.Writer, rep *peerboard.ExamImportReport) error {
	if rep.Rejected() {
		fmt.Fprintf(w, "%s was not imported: %d problem(s). Nothing was stored.\n", rep.Filename, len(rep.Errors))
		for _, e := range rep.Errors {
			if e.Line == 0 {
				fmt.Fprintf(w, "  file: %s\n", e.Reason)
			} else {
				fmt.Fprintf(w, "  line %d: %s\n", e.Line, e.Reason)
			}
		}
		return fmt.Errorf("%s has invalid rows", rep.Filename)
	}
	fmt.Fprintf(w, "imported %s (import %d): %d row(s), %d new result(s), %d already imported\n",
		rep.Filename, rep.ImportID, rep.Rows, rep.NewResults, rep.AlreadyImported)
	if rep.PreviousImportAt != nil {
		fmt.Fprintf(w, "the same file was imported before, on %s\n", rep.PreviousImportAt.UTC().Format(time.DateTime))
	}
	for _, group := range []struct {
		title string
		notes []peerboard.ExamImportNote
	}{
		{"credentials issued", rep.Issued},
		{"passes outside the authorization's dates (no credential)", rep.OutsideWindow},
		{"authorizations exhausted", rep.Exhausted},
		{"authorizations forfeited", rep.Forfeited},
		{"results stored but not counted as an attempt", rep.NotCounted},
		{"results that changed nothing", rep.Ignored},
	} {
		if len(group.notes) == 0 {
			continue
		}
		fmt.Fprintf(w, "%s:\n", group.title)
		for _, n := range group.notes {
			fmt.Fprintf(w, "  line %d, %s, %s: %s\n", n.Line, n.CandidateID, n.ExamDate.Format(time.DateOnly), n.Message)
		}
	}
	return nil
}

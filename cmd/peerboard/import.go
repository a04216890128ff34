package main

import (
	"context"
	"errors"
	"io"
)

func importCommand(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	return errors.New("usage: peerboard import exam-results FILE")
}

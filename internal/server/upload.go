package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// multipartAllowance is room for a multipart form's other fields and
// boundaries on top of a file's own limit.
const multipartAllowance = 64 << 10

// readUpload limits the body to limit plus room for the other fields BEFORE
// parsing the multipart form, so an oversized upload is refused with 413
// without being read into memory or onto disk. It returns the named file
// (nil when none was chosen) and its name. tooLarge is the 413's message.
func readUpload(w http.ResponseWriter, r *http.Request, field string, limit int64, tooLarge string) (data []byte, name string, chosen bool, err error) {
	r.Body = http.MaxBytesReader(w, r.Body, limit+multipartAllowance)
	if err := r.ParseMultipartForm(limit + multipartAllowance); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, "", false, peerboard.Errorf(peerboard.ETOOLARGE, "%s", tooLarge)
		}
		return nil, "", false, peerboard.Errorf(peerboard.EMALFORMED, "The form could not be read. Please try again.")
	}
	f, hdr, err := r.FormFile(field)
	if errors.Is(err, http.ErrMissingFile) {
		return nil, "", false, nil
	} else if err != nil {
		return nil, "", false, peerboard.Errorf(peerboard.EMALFORMED, "The file could not be read. Please try again.")
	}
	defer f.Close()
	if hdr.Size > limit {
		return nil, "", true, peerboard.Errorf(peerboard.ETOOLARGE, "%s", tooLarge)
	}
	data, err = io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, "", true, fmt.Errorf("read upload: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, "", true, peerboard.Errorf(peerboard.ETOOLARGE, "%s", tooLarge)
	}
	return data, hdr.Filename, true, nil
}

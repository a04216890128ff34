package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/go-chi/chi/v5"

	"github.com/peerboard/peerboard/internal/examfile"
	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/web/views/admin"
)

// importsPerPage is the length of a page of past exam imports.
const importsPerPage = 25

// uploadEnvelope is what a multipart body may carry beyond the file itself
// (boundaries, part headers).
const uploadEnvelope = 64 << 10

func (s *Server) adminRoutes(r chi.Router) {
	s.route(r, http.MethodGet, "/admin/exams", admins, s.examImports)
	s.route(r, http.MethodPost, "/admin/exams", admins, s.uploadExamResults)
}

// examsPage renders the exam results page with the past imports.
func (s *Server) examsPage(w http.ResponseWriter, r *http.Request, status int, m admin.ExamsModel) error {
	before := listCursor(r)
	imports, err := s.db.ExamImports(r.Context(), before, importsPerPage)
	if err != nil {
		return err
	}
	m.Imports, m.MaxMiB = imports, examfile.MaxBytes>>20
	if len(imports) > importsPerPage {
		m.Imports = imports[:importsPerPage]
		m.Next = fmt.Sprintf("/admin/exams?before=%d", m.Imports[importsPerPage-1].ID)
	}
	if before != 0 {
		m.Prev = "/admin/exams"
	}
	s.render(w, r, status, admin.Exams(s.page(r, "Exam results"), m))
	return nil
}

func (s *Server) examImports(w http.ResponseWriter, r *http.Request) error {
	return s.examsPage(w, r, http.StatusOK, admin.ExamsModel{})
}

var errUploadTooLarge = peerboard.Errorf(peerboard.ETOOLARGE,
	"The results file is larger than %d MiB. Split it into smaller files and import each one.", examfile.MaxBytes>>20)

// uploadExamResults imports an uploaded results file. The body is bounded
// before anything reads it; the file must sniff as text.
func (s *Server) uploadExamResults(w http.ResponseWriter, r *http.Request) error {
	limit := int64(examfile.MaxBytes + uploadEnvelope)
	if r.ContentLength > limit {
		return errUploadTooLarge
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	filename, data, err := readExamUpload(r, "file")
	if err != nil {
		return err
	}
	refuse := func(msg string) error {
		return s.examsPage(w, r, http.StatusUnprocessableEntity, admin.ExamsModel{Message: msg})
	}
	switch {
	case filename == "" && len(data) == 0:
		return refuse("Choose the results file to import.")
	case len(data) > 0 && !strings.HasPrefix(http.DetectContentType(data), "text/plain; charset=utf-8"):
		return refuse("That file is not a CSV text file. Upload the CSV export from the exam vendor.")
	}
	rep, err := s.db.ImportExamResults(r.Context(), examFilename(filename), data)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if rep.Rejected() {
		status = http.StatusUnprocessableEntity
	}
	return s.examsPage(w, r, status, admin.ExamsModel{Report: rep})
}

// readExamUpload streams a multipart body and returns the named file part,
// read to at most examfile.MaxBytes; other parts are skipped. Streaming
// keeps uploads out of temporary files.
func readExamUpload(r *http.Request, field string) (string, []byte, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return "", nil, peerboard.Errorf(peerboard.EMALFORMED, "The upload could not be read. Choose the file and try again.")
	}
	var (
		name  string
		data  []byte
		found bool
	)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return "", nil, examUploadError(err)
		}
		if part.FormName() != field || found {
			if _, err := io.Copy(io.Discard, part); err != nil {
				return "", nil, examUploadError(err)
			}
			continue
		}
		found = true
		name = part.FileName()
		data, err = io.ReadAll(io.LimitReader(part, examfile.MaxBytes+1))
		if err != nil {
			return "", nil, examUploadError(err)
		}
		if len(data) > examfile.MaxBytes {
			return "", nil, errUploadTooLarge
		}
	}
	return name, data, nil
}

func examUploadError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errUploadTooLarge
	}
	return peerboard.Errorf(peerboard.EMALFORMED, "The upload could not be read. Choose the file and try again.")
}

// examFilename keeps the base name a browser sent, without control
// characters and at most 200 characters, since it is stored and shown.
func examFilename(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	if name == "." || name == "/" || name == "" {
		return "results.csv"
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	return name
}

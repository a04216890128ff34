package peerboard

import (
	"bytes"
	"image"
	_ "image/jpeg" // registers the decoder DecodeConfig checks JPEG uploads with
	_ "image/png"  // and PNG
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxUploadBytes bounds a proof file: 10 MiB.
const MaxUploadBytes = 10 << 20

// Upload content types accepted as proof.
const (
	TypePDF  = "application/pdf"
	TypePNG  = "image/png"
	TypeJPEG = "image/jpeg"
)

// StoredFile is an uploaded file's metadata; the bytes stay in the database.
type StoredFile struct {
	ID          string // a server-made UUID, never the uploader's name
	OwnerID     int64
	Filename    string
	ContentType string
	Size        int
	SHA256      string
	CreatedAt   time.Time
}

// markup that must not appear near the start of a proof file: a browser
// that ignored our headers could otherwise run it (a polyglot).
var markup = [][]byte{[]byte("<html"), []byte("<script"), []byte("<svg"), []byte("<!doctype"),
	[]byte("<body"), []byte("<iframe"), []byte("<?xml"), []byte("<head"), []byte("<meta")}

// SniffUpload decides an upload's type from its bytes alone: PDF, PNG or
// JPEG. The name and the browser's claimed type are ignored. Empty files,
// other types, and files carrying HTML or SVG markup are refused.
func SniffUpload(data []byte) (string, error) {
	if len(data) == 0 {
		return "", Errorf(EINVALID, "The file is empty.")
	}
	if len(data) > MaxUploadBytes {
		return "", Errorf(ETOOLARGE, "The file is larger than 10 MB.")
	}
	head := bytes.ToLower(data[:min(len(data), 1024)])
	for _, m := range markup {
		if bytes.Contains(head, m) {
			return "", Errorf(EINVALID, "That file contains web page markup; upload a PDF, PNG or JPEG.")
		}
	}
	var typ string
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		// A real PDF ends with %%EOF (possibly followed by whitespace).
		tail := bytes.TrimRight(data[max(0, len(data)-1024):], "\r\n\t \x00")
		if !bytes.HasSuffix(tail, []byte("%%EOF")) {
			return "", Errorf(EINVALID, "That PDF looks damaged or incomplete.")
		}
		return TypePDF, nil
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		typ = TypePNG
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		typ = TypeJPEG
	default:
		return "", Errorf(EINVALID, "Upload a PDF, PNG or JPEG file.")
	}
	if _, _, err := image.DecodeConfig(bytes.NewReader(data)); err != nil {
		return "", Errorf(EINVALID, "That image could not be read; it may be damaged.")
	}
	return typ, nil
}

// CleanFilename keeps a display name safe for headers and pages: the base
// name, printable characters only, at most 100 characters, with the
// extension the sniffed type implies.
func CleanFilename(name, contentType string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.TrimSuffix(name, filepath.Ext(name))
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == utf8.RuneError || r < 0x20 || r == 0x7f:
		case strings.ContainsRune(`"';:/\<>|?*%`, r):
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	clean := strings.TrimSpace(b.String())
	if r := []rune(clean); len(r) > 100 {
		clean = string(r[:100])
	}
	if clean == "" || clean == "." {
		clean = "proof"
	}
	ext := map[string]string{TypePDF: ".pdf", TypePNG: ".png", TypeJPEG: ".jpg"}[contentType]
	return clean + ext
}

// CanViewFile reports whether u may download f: its owner or board staff.
func CanViewFile(u *User, f *StoredFile) bool {
	return u != nil && (u.ID == f.OwnerID || u.IsStaff())
}

package peerboard

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
)

func encoded(t *testing.T, enc func(*bytes.Buffer, image.Image) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := enc(&buf, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSniffUpload(t *testing.T) {
	pngBytes := encoded(t, func(b *bytes.Buffer, m image.Image) error { return png.Encode(b, m) })
	jpegBytes := encoded(t, func(b *bytes.Buffer, m image.Image) error { return jpeg.Encode(b, m, nil) })
	pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
	tests := []struct {
		name     string
		data     []byte
		wantType string
		wantCode string
	}{
		{"pdf", pdf, TypePDF, ""},
		{"png", pngBytes, TypePNG, ""},
		{"jpeg", jpegBytes, TypeJPEG, ""},
		{"empty", nil, "", EINVALID},
		{"html named pdf", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), "", EINVALID},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "", EINVALID},
		{"pdf with html inside", append([]byte("%PDF-1.4\n<html><script>x</script>"), []byte("\n%%EOF")...), "", EINVALID},
		{"truncated pdf", []byte("%PDF-1.4\n1 0 obj"), "", EINVALID},
		{"png header only", []byte("\x89PNG\r\n\x1a\nnot really"), "", EINVALID},
		{"gif", []byte("GIF89a\x01\x00\x01\x00"), "", EINVALID},
		{"zip", []byte("PK\x03\x04rest"), "", EINVALID},
		{"plain text", []byte("hello, this is a certificate"), "", EINVALID},
		{"too large", append(pdf, bytes.Repeat([]byte(" "), MaxUploadBytes)...), "", ETOOLARGE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SniffUpload(tt.data)
			if got != tt.wantType || ErrorCode(err) != tt.wantCode {
				t.Errorf("SniffUpload = %q, %v; want %q, code %q", got, err, tt.wantType, tt.wantCode)
			}
		})
	}
}

func TestCleanFilename(t *testing.T) {
	tests := []struct{ in, typ, want string }{
		{"certificate.pdf", TypePDF, "certificate.pdf"},
		{"../../etc/passwd", TypePDF, "passwd.pdf"},
		{`C:\Users\me\scan.jpeg`, TypeJPEG, "scan.jpg"},
		{"evil\r\nX-Header: y.pdf", TypePDF, "evilX-Header_ y.pdf"},
		{"report.html", TypePNG, "report.png"},
		{`"quoted";.pdf`, TypePDF, "_quoted__.pdf"},
		{"", TypePDF, "proof.pdf"},
		{strings.Repeat("a", 300) + ".pdf", TypePDF, strings.Repeat("a", 100) + ".pdf"},
	}
	for _, tt := range tests {
		if got := CleanFilename(tt.in, tt.typ); got != tt.want {
			t.Errorf("CleanFilename(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

package main

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The one kubelet API the suite uses: container logs, which the API server fetches from the
// Node's kubelet endpoint for `pods/log` (the RequestMirror tests read the mirror's logs there).
// Each line is stored with the time it was written, so sinceTime and timestamps work as with a
// CRI runtime.

// timestampWriter prefixes every line written through it with its RFC 3339 arrival time.
type timestampWriter struct {
	mu      sync.Mutex
	w       io.Writer
	midLine bool
}

func (t *timestampWriter) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out bytes.Buffer
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		if !t.midLine {
			out.WriteString(time.Now().UTC().Format(time.RFC3339Nano))
			out.WriteByte(' ')
		}
		out.Write(line)
		t.midLine = line[len(line)-1] != '\n'
	}
	if _, err := t.w.Write(out.Bytes()); err != nil {
		return 0, err
	}
	return len(b), nil
}

func logFile(stateDir, ns, pod, container string) string {
	return filepath.Join(stateDir, "logs", fmt.Sprintf("%s_%s_%s.log", ns, pod, container))
}

// serveKubelet answers GET /containerLogs/<ns>/<pod>/<container> over HTTPS (a self-signed
// certificate; the API server does not verify kubelets unless told to).
func serveKubelet(addr, stateDir string) (int, error) {
	cert, err := selfSigned()
	if err != nil {
		return 0, err
	}
	ln, err := tls.Listen("tcp", addr, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	if err != nil {
		return 0, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /containerLogs/{ns}/{pod}/{container}", func(w http.ResponseWriter, r *http.Request) {
		containerLogs(w, r, stateDir)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil {
			log.Printf("kubelet endpoint: %v", err)
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func containerLogs(w http.ResponseWriter, r *http.Request, stateDir string) {
	q := r.URL.Query()
	f, err := os.Open(logFile(stateDir, r.PathValue("ns"), r.PathValue("pod"), r.PathValue("container")))
	if err != nil {
		http.Error(w, "no logs for this container", http.StatusNotFound)
		return
	}
	defer f.Close()
	var since time.Time
	if v := q.Get("sinceTime"); v != "" {
		if since, err = time.Parse(time.RFC3339, v); err != nil {
			http.Error(w, "sinceTime: "+err.Error(), http.StatusBadRequest)
			return
		}
	}
	if v := q.Get("sinceSeconds"); v != "" {
		if s, err := strconv.Atoi(v); err == nil {
			since = time.Now().Add(-time.Duration(s) * time.Second)
		}
	}
	timestamps := q.Get("timestamps") == "true"
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		ts, text, ok := strings.Cut(sc.Text(), " ")
		at, err := time.Parse(time.RFC3339Nano, ts)
		if !ok || err != nil {
			continue
		}
		if !since.IsZero() && at.Before(since) {
			continue
		}
		if timestamps {
			text = ts + " " + text
		}
		lines = append(lines, text)
	}
	if v := q.Get("tailLines"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 && n < len(lines) {
			lines = lines[len(lines)-n:]
		}
	}
	w.Header().Set("Content-Type", "text/plain")
	for _, l := range lines {
		_, _ = io.WriteString(w, l+"\n")
	}
}

func selfSigned() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "gatehouse-podrunner"},
		NotBefore:    time.Now().Add(-time.Hour), NotAfter: time.Now().Add(48 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

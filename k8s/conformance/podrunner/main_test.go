package main

import (
	"context"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

// The suite's TLS backends: a Secret volume projected with items, its mount path named in env.
func tlsBackend() *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "tls-backend-abc", Namespace: "infra", UID: "u1", Labels: map[string]string{"app": "tls"}},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{
				Name:         "tls-backend",
				Image:        "registry.k8s.io/gateway-api/conformance/echo-basic:v0.1.0",
				VolumeMounts: []corev1.VolumeMount{{Name: "secret-volume", MountPath: "/etc/secret-volume"}},
				Env: []corev1.EnvVar{
					{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
					{Name: "NAMESPACE", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.namespace"}}},
					{Name: "POD_IP", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"}}},
					{Name: "APP", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.labels['app']"}}},
					{Name: "TLS_SERVER_CERT", Value: "/etc/secret-volume/crt"},
					{Name: "HTTP_PORT", Value: "3100"},
				},
			}},
			Volumes: []corev1.Volume{{Name: "secret-volume", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
				SecretName: "tls-checks-certificate",
				Items:      []corev1.KeyToPath{{Key: "tls.crt", Path: "crt"}},
			}}}},
		},
	}
}

func TestContainerEnvsResolvesDownwardAPIAndProjectsSecretItems(t *testing.T) {
	client := fake.NewSimpleClientset(&corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "tls-checks-certificate", Namespace: "infra"},
		Data:       map[string][]byte{"tls.crt": []byte("CERT"), "tls.key": []byte("KEY")},
	})
	r := &runner{o: options{nodeName: "n1"}, client: client, gateway: netip.MustParseAddr("10.213.0.1")}
	p := &podProc{ip: netip.MustParseAddr("10.213.0.7"), dir: t.TempDir()}

	envs, err := r.containerEnvs(context.Background(), tlsBackend(), p)
	if err != nil {
		t.Fatal(err)
	}
	cert := filepath.Join(p.dir, "volumes", "secret-volume", "crt")
	for _, want := range []string{"POD_NAME=tls-backend-abc", "NAMESPACE=infra", "POD_IP=10.213.0.7", "APP=tls", "TLS_SERVER_CERT=" + cert} {
		if !slices.Contains(envs[0], want) {
			t.Errorf("env %v lacks %q", envs[0], want)
		}
	}
	if data, err := os.ReadFile(cert); err != nil || string(data) != "CERT" {
		t.Errorf("projected item crt = %q, %v; want CERT", data, err)
	}
	// Only the listed item is projected, under its path, not the Secret's other keys.
	if _, err := os.Stat(filepath.Join(p.dir, "volumes", "secret-volume", "tls.key")); !os.IsNotExist(err) {
		t.Errorf("tls.key projected although items lists only tls.crt (stat: %v)", err)
	}
}

func TestContainerEnvsFailsWhileTheSecretIsMissing(t *testing.T) {
	r := &runner{o: options{nodeName: "n1"}, client: fake.NewSimpleClientset(), gateway: netip.MustParseAddr("10.213.0.1")}
	p := &podProc{ip: netip.MustParseAddr("10.213.0.7"), dir: t.TempDir()}
	if _, err := r.containerEnvs(context.Background(), tlsBackend(), p); err == nil {
		t.Fatal("want an error (retried by the caller) while the volume's Secret does not exist")
	}
}

func TestProbePortsFollowEchoBasicsEnv(t *testing.T) {
	pod := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "a"}, {Name: "b"}, {Name: "c"}, {Name: "d"}}}}
	pod.Spec.Containers[3].Ports = []corev1.ContainerPort{{ContainerPort: 8080, Protocol: corev1.ProtocolUDP}}
	got := probePorts(pod, [][]string{
		{"POD_NAME=x"},                         // the HTTP echo on its default port
		{"HTTP_PORT=3100"},                     // an explicit port
		{"TCP_ECHO_SERVER=1", "TCP_PORT=4000"}, // the TCP echo
		{"UDP_ECHO_SERVER=1"},                  // UDP only: no TCP port to probe
	})
	if want := []int{3000, 3100, 4000}; !slices.Equal(got, want) {
		t.Errorf("probePorts = %v, want %v", got, want)
	}
}

func TestDeclaredPortsAreTheTCPContainerPorts(t *testing.T) {
	// the suite's "broken" backend: declares 3000, its TCP echo listens on 3333
	pod := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "a"}}}}
	pod.Spec.Containers[0].Ports = []corev1.ContainerPort{
		{ContainerPort: 3000, Protocol: corev1.ProtocolTCP}, {ContainerPort: 53, Protocol: corev1.ProtocolUDP}}
	if got, want := declaredPorts(pod), []int{3000}; !slices.Equal(got, want) {
		t.Errorf("declaredPorts = %v, want %v", got, want)
	}
	if got, want := probePorts(pod, [][]string{{"TCP_ECHO_SERVER=1", "TCP_PORT=3333"}}), []int{3333}; !slices.Equal(got, want) {
		t.Errorf("probePorts = %v, want %v (a declared port is awaited for declaredWait only)", got, want)
	}
}

func TestAllocateSkipsTheGatewayAndTheBroadcastAddress(t *testing.T) {
	r := &runner{o: options{podCIDR: netip.MustParsePrefix("10.213.0.0/29")}, used: map[netip.Addr]bool{}}
	r.gateway = netip.MustParseAddr("10.213.0.1")
	r.used[r.gateway] = true
	var got []string
	for {
		a, ok := r.allocate()
		if !ok {
			break
		}
		got = append(got, a.String())
	}
	want := []string{"10.213.0.2", "10.213.0.3", "10.213.0.4", "10.213.0.5", "10.213.0.6"}
	if !slices.Equal(got, want) {
		t.Errorf("allocated %v, want %v (.1 is the host side, .7 the broadcast address)", got, want)
	}
}

func TestContainerLogsFilterBySinceTimeAndTail(t *testing.T) {
	dir := t.TempDir()
	path := logFile(dir, "ns", "pod", "c")
	_ = os.MkdirAll(filepath.Dir(path), 0o755)
	old := "2026-12-06T10:00:00.5Z old line\n"
	f, _ := os.Create(path)
	_, _ = f.WriteString(old)
	w := &timestampWriter{w: f}
	_, _ = w.Write([]byte("new one\nnew "))
	_, _ = w.Write([]byte("two\n"))
	_ = f.Close()

	get := func(query string) string {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/containerLogs/ns/pod/c?"+query, nil)
		req.SetPathValue("ns", "ns")
		req.SetPathValue("pod", "pod")
		req.SetPathValue("container", "c")
		containerLogs(rec, req, dir)
		return rec.Body.String()
	}
	if got := get(""); got != "old line\nnew one\nnew two\n" {
		t.Errorf("all logs = %q", got)
	}
	if got := get("sinceTime=2026-12-06T10:00:01Z"); got != "new one\nnew two\n" {
		t.Errorf("sinceTime logs = %q (a line split over two writes is one line)", got)
	}
	if got := get("tailLines=1"); got != "new two\n" {
		t.Errorf("tailLines=1 = %q", got)
	}
	if got := get("timestamps=true&tailLines=3"); !strings.HasPrefix(got, "2026-12-06T10:00:00.5Z old line\n") {
		t.Errorf("timestamps=true = %q", got)
	}
}

func TestNetnsNameStaysWithinTheFileNameLimit(t *testing.T) {
	short := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "infra", Name: "web-1", UID: "u-1"}}
	if got := netnsName("ghcf", short); got != "ghcf-infra-web-1" {
		t.Errorf("netnsName = %q, want ghcf-infra-web-1", got)
	}
	long := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: strings.Repeat("n", 63), Name: strings.Repeat("p", 253), UID: "u-2"}}
	if got := netnsName("ghcf", long); got != "ghcf-u-2" {
		t.Errorf("netnsName of a 253-character Pod name = %q, want ghcf-u-2", got)
	}
}

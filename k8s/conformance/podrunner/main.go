// Command podrunner is the kubelet of Gatehouse's conformance harness: it registers one fake Node,
// binds every unscheduled Pod to it (there is no scheduler), runs each container as a local
// process in the Pod's own network namespace (a veth pair, one address from the pod CIDR, a /32
// route from the host) and reports the Pod Running and Ready with its IP, so that EndpointSlices
// follow. It knows one image: the Gateway API conformance echo-basic, whose program it is given.
//
// It needs root (ip netns) and the `ip` command. Every namespace and veth it creates carries the
// --prefix, so a crashed run is cleaned up by the next one (and by run.sh's trap).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/util/workqueue"
)

type options struct {
	kubeconfig string
	nodeName   string
	podCIDR    netip.Prefix
	echoBasic  string
	stateDir   string
	prefix     string
	images     string
	kubelet    string
}

func main() {
	var o options
	var cidr string
	flag.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig of the API server")
	flag.StringVar(&o.nodeName, "node-name", "gatehouse-podrunner", "name of the Node to register")
	flag.StringVar(&cidr, "pod-cidr", "10.213.0.0/24", "pod addresses; the first one is the host side of every veth")
	flag.StringVar(&o.echoBasic, "echo-basic", "", "path of the echo-basic program")
	flag.StringVar(&o.stateDir, "state-dir", "", "per-Pod files (secret volumes) and container logs")
	flag.StringVar(&o.prefix, "prefix", "ghpr", "prefix of every network namespace and veth (at most 5 characters)")
	flag.StringVar(&o.kubelet, "kubelet-address", "127.0.0.1:0", "host:port of the container-logs endpoint (the Node's kubelet port); empty: none")
	flag.StringVar(&o.images, "images", "gateway-api/conformance/echo-basic", "comma-separated image name fragments run as echo-basic")
	flag.Parse()
	p, err := netip.ParsePrefix(cidr)
	if err != nil || !p.Addr().Is4() || p.Bits() > 28 {
		log.Fatalf("--pod-cidr %q: expected an IPv4 prefix of at most /28", cidr)
	}
	o.podCIDR = p.Masked()
	if o.echoBasic == "" || o.stateDir == "" || len(o.prefix) > 5 {
		log.Fatal("--echo-basic and --state-dir are required; --prefix has at most 5 characters")
	}
	if err := run(o); err != nil {
		log.Fatal(err)
	}
}

func run(o options) error {
	cfg, err := clientcmd.BuildConfigFromFlags("", o.kubeconfig)
	if err != nil {
		return err
	}
	cfg.QPS, cfg.Burst = 50, 100
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	r := &runner{o: o, client: client, pods: map[types.UID]*podProc{}, used: map[netip.Addr]bool{}}
	r.gateway = o.podCIDR.Addr().Next()
	r.used[r.gateway] = true
	cleanStale(o.prefix)
	r.nodeIP = r.gateway.String()
	if o.kubelet != "" {
		host, _, err := net.SplitHostPort(o.kubelet)
		if err != nil {
			return fmt.Errorf("--kubelet-address %q: %w", o.kubelet, err)
		}
		if r.kubeletPort, err = serveKubelet(o.kubelet, o.stateDir); err != nil {
			return fmt.Errorf("kubelet endpoint: %w", err)
		}
		r.nodeIP = host
	}
	if err := r.registerNode(ctx); err != nil {
		return fmt.Errorf("registering node %s: %w", o.nodeName, err)
	}
	go r.heartbeat(ctx)

	factory := informers.NewSharedInformerFactory(client, 0)
	podInformer := factory.Core().V1().Pods().Informer()
	queue := workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[string]())
	enqueue := func(obj any) {
		if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
			queue.Add(key)
		}
	}
	_, _ = podInformer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: enqueue, UpdateFunc: func(_, n any) { enqueue(n) }, DeleteFunc: enqueue,
	})
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), podInformer.HasSynced) {
		return fmt.Errorf("pod informer did not sync")
	}
	log.Printf("node %s registered; pod CIDR %s (host side %s); running pods", o.nodeName, o.podCIDR, r.gateway)
	for i := 0; i < 4; i++ {
		go func() {
			for {
				key, shutdown := queue.Get()
				if shutdown {
					return
				}
				if err := r.sync(ctx, podInformer.GetIndexer(), key); err != nil {
					log.Printf("pod %s: %v (retrying)", key, err)
					queue.AddRateLimited(key)
				} else {
					queue.Forget(key)
				}
				queue.Done(key)
			}
		}()
	}
	<-ctx.Done()
	queue.ShutDown()
	r.stopAll()
	return nil
}

type runner struct {
	o       options
	client  kubernetes.Interface
	gateway netip.Addr
	// nodeIP and kubeletPort: where the API server fetches container logs.
	nodeIP      string
	kubeletPort int

	mu   sync.Mutex
	pods map[types.UID]*podProc
	used map[netip.Addr]bool
	seq  int
}

// podProc is one running Pod: its network namespace, address and container processes.
type podProc struct {
	uid      types.UID
	ns, name string
	key      string
	ports    []int        // TCP ports that must accept a connection for Ready
	declared []int        // declared container ports: awaited at start only (declaredWait)
	alive    atomic.Int32 // container processes running now
	restarts atomic.Int32
	netns    string
	hostVeth string
	ip       netip.Addr
	dir      string
	cancel   context.CancelFunc
	done     sync.WaitGroup
}

func (r *runner) registerNode(ctx context.Context) error {
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: r.o.nodeName, Labels: map[string]string{
			"kubernetes.io/hostname": r.o.nodeName, "kubernetes.io/os": "linux", "gatehouse.io/podrunner": "true",
		}},
		Spec: corev1.NodeSpec{PodCIDR: r.o.podCIDR.String(), PodCIDRs: []string{r.o.podCIDR.String()}},
	}
	_, err := r.client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	return r.updateNodeStatus(ctx)
}

func (r *runner) updateNodeStatus(ctx context.Context) error {
	node, err := r.client.CoreV1().Nodes().Get(ctx, r.o.nodeName, metav1.GetOptions{})
	if err != nil {
		return err
	}
	now := metav1.Now()
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("64"),
		corev1.ResourceMemory: resource.MustParse("256Gi"),
		corev1.ResourcePods:   resource.MustParse("250"),
	}
	node.Status.Capacity, node.Status.Allocatable = capacity, capacity
	node.Status.Addresses = []corev1.NodeAddress{
		{Type: corev1.NodeInternalIP, Address: r.nodeIP}, {Type: corev1.NodeHostName, Address: r.o.nodeName},
	}
	node.Status.DaemonEndpoints.KubeletEndpoint.Port = int32(r.kubeletPort)
	node.Status.Conditions = []corev1.NodeCondition{{
		Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "PodRunnerReady",
		Message: "gatehouse conformance pod runner", LastHeartbeatTime: now, LastTransitionTime: now,
	}}
	node.Status.NodeInfo = corev1.NodeSystemInfo{KubeletVersion: "v0.0.0-podrunner", OperatingSystem: "linux", Architecture: "amd64"}
	_, err = r.client.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{})
	return err
}

// heartbeat keeps the Node Ready, in case the node lifecycle controller runs.
func (r *runner) heartbeat(ctx context.Context) {
	t := time.NewTicker(20 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := r.updateNodeStatus(ctx); err != nil && ctx.Err() == nil {
				log.Printf("node heartbeat: %v", err)
			}
		}
	}
}

func (r *runner) sync(ctx context.Context, indexer cache.Indexer, key string) error {
	obj, exists, err := indexer.GetByKey(key)
	if err != nil {
		return err
	}
	if !exists {
		r.stopByKey(key)
		return nil
	}
	pod := obj.(*corev1.Pod)
	switch {
	case pod.DeletionTimestamp != nil:
		if pod.Spec.NodeName == r.o.nodeName || pod.Spec.NodeName == "" {
			r.stop(pod.UID)
			// The kubelet's last word: the containers are gone, the object may go.
			zero := int64(0)
			err := r.client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
				GracePeriodSeconds: &zero, Preconditions: &metav1.Preconditions{UID: &pod.UID},
			})
			if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
				return err
			}
		}
		return nil
	case pod.Spec.NodeName == "":
		err := r.client.CoreV1().Pods(pod.Namespace).Bind(ctx, &corev1.Binding{
			ObjectMeta: metav1.ObjectMeta{Name: pod.Name, Namespace: pod.Namespace, UID: pod.UID},
			Target:     corev1.ObjectReference{Kind: "Node", Name: r.o.nodeName},
		}, metav1.CreateOptions{})
		if err != nil && !apierrors.IsConflict(err) {
			return err
		}
		return nil
	case pod.Spec.NodeName != r.o.nodeName:
		return nil
	case pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed:
		return nil
	}
	r.mu.Lock()
	p := r.pods[pod.UID]
	r.mu.Unlock()
	if p != nil {
		return nil
	}
	for _, c := range pod.Spec.Containers {
		if !r.knownImage(c.Image) {
			// A Pod we can never run is the Pod's problem, reported on it.
			return r.reportFailed(ctx, pod, fmt.Errorf("image %q: the pod runner runs only %s", c.Image, r.o.images))
		}
	}
	// Anything else (a Secret not created yet) is retried, as the kubelet keeps ContainerCreating.
	_, err = r.start(ctx, pod)
	return err
}

func (r *runner) start(ctx context.Context, pod *corev1.Pod) (*podProc, error) {
	r.mu.Lock()
	ip, ok := r.allocate()
	r.seq++
	seq := r.seq
	r.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("pod CIDR %s exhausted", r.o.podCIDR)
	}
	p := &podProc{
		uid: pod.UID, ns: pod.Namespace, name: pod.Name, key: pod.Namespace + "/" + pod.Name, ip: ip,
		netns:    netnsName(r.o.prefix, pod),
		hostVeth: fmt.Sprintf("%sh%d", r.o.prefix, seq),
		dir:      filepath.Join(r.o.stateDir, "pods", string(pod.UID)),
	}
	if err := r.setupNetwork(p, fmt.Sprintf("%sp%d", r.o.prefix, seq)); err != nil {
		r.teardownNetwork(p)
		r.release(ip)
		return nil, err
	}
	env, err := r.containerEnvs(ctx, pod, p)
	if err != nil {
		r.teardownNetwork(p)
		r.release(ip)
		return nil, err
	}
	pctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	r.mu.Lock()
	r.pods[pod.UID] = p
	r.mu.Unlock()
	p.ports = probePorts(pod, env)
	p.declared = declaredPorts(pod)
	for i, c := range pod.Spec.Containers {
		p.done.Add(1)
		go r.supervise(pctx, p, c.Name, env[i])
	}
	go r.reportWhenReady(pctx, p)
	log.Printf("pod %s: started in netns %s with IP %s", p.key, p.netns, ip)
	return p, nil
}

// netnsName names the Pod's namespace after it, for whoever reads `ip netns`; by UID when the
// name would pass the file-name limit of /run/netns.
func netnsName(prefix string, pod *corev1.Pod) string {
	if n := fmt.Sprintf("%s-%s-%s", prefix, pod.Namespace, pod.Name); len(n) <= 200 {
		return n
	}
	return fmt.Sprintf("%s-%s", prefix, pod.UID)
}

func (r *runner) knownImage(image string) bool {
	for _, f := range strings.Split(r.o.images, ",") {
		if f != "" && strings.Contains(image, f) {
			return true
		}
	}
	return false
}

func (r *runner) allocate() (netip.Addr, bool) {
	for a := r.gateway.Next(); r.o.podCIDR.Contains(a); a = a.Next() {
		if !r.used[a] && r.o.podCIDR.Contains(a.Next()) { // not the broadcast address
			r.used[a] = true
			return a, true
		}
	}
	return netip.Addr{}, false
}

func (r *runner) release(a netip.Addr) {
	r.mu.Lock()
	delete(r.used, a)
	r.mu.Unlock()
}

// setupNetwork gives the Pod its own namespace: eth0 with the Pod IP/32, reachable from the host
// through a /32 route over the host side of the veth, which carries the gateway address.
func (r *runner) setupNetwork(p *podProc, peer string) error {
	gw, ip := r.gateway.String(), p.ip.String()
	steps := [][]string{
		{"netns", "add", p.netns},
		{"link", "add", p.hostVeth, "type", "veth", "peer", "name", peer},
		{"link", "set", peer, "netns", p.netns},
		{"-n", p.netns, "link", "set", peer, "name", "eth0"},
		{"-n", p.netns, "addr", "add", ip + "/32", "dev", "eth0"},
		{"-n", p.netns, "link", "set", "lo", "up"},
		{"-n", p.netns, "link", "set", "eth0", "up"},
		{"-n", p.netns, "route", "add", gw + "/32", "dev", "eth0"},
		{"-n", p.netns, "route", "add", "default", "via", gw, "dev", "eth0"},
		{"addr", "add", gw + "/32", "dev", p.hostVeth},
		{"link", "set", p.hostVeth, "up"},
		{"route", "add", ip + "/32", "dev", p.hostVeth, "src", gw},
	}
	for _, s := range steps {
		if out, err := exec.Command("ip", s...).CombinedOutput(); err != nil {
			return fmt.Errorf("ip %s: %v: %s", strings.Join(s, " "), err, strings.TrimSpace(string(out)))
		}
	}
	return nil
}

// teardownNetwork deletes the namespace; its veth end goes with it, and the host end with that.
func (r *runner) teardownNetwork(p *podProc) {
	_ = exec.Command("ip", "netns", "delete", p.netns).Run()
	_ = exec.Command("ip", "link", "delete", p.hostVeth).Run()
}

// containerEnvs resolves each container's env as the kubelet would (values, the downward API,
// Secret and ConfigMap keys) and writes Secret/ConfigMap volumes to files, rewriting values that
// name a mount path to the file's real place (the process shares the host's file system).
func (r *runner) containerEnvs(ctx context.Context, pod *corev1.Pod, p *podProc) ([][]string, error) {
	mounts := map[string]string{} // volume name -> directory
	for _, v := range pod.Spec.Volumes {
		dir := filepath.Join(p.dir, "volumes", v.Name)
		files := map[string][]byte{}
		var items []corev1.KeyToPath
		switch {
		case v.Secret != nil:
			s, err := r.client.CoreV1().Secrets(pod.Namespace).Get(ctx, v.Secret.SecretName, metav1.GetOptions{})
			if err != nil {
				return nil, fmt.Errorf("volume %s: secret %s: %w", v.Name, v.Secret.SecretName, err)
			}
			files, items = s.Data, v.Secret.Items
		case v.ConfigMap != nil:
			cm, err := r.client.CoreV1().ConfigMaps(pod.Namespace).Get(ctx, v.ConfigMap.Name, metav1.GetOptions{})
			if err != nil {
				return nil, fmt.Errorf("volume %s: configmap %s: %w", v.Name, v.ConfigMap.Name, err)
			}
			for k, val := range cm.Data {
				files[k] = []byte(val)
			}
			items = v.ConfigMap.Items
		default:
			continue // projected service-account tokens and emptyDirs: echo-basic reads none
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		if len(items) > 0 { // only the listed keys, each at its path, as the kubelet projects them
			picked := map[string][]byte{}
			for _, it := range items {
				data, ok := files[it.Key]
				if !ok {
					return nil, fmt.Errorf("volume %s: key %s not found", v.Name, it.Key)
				}
				picked[it.Path] = data
			}
			files = picked
		}
		for k, data := range files {
			f := filepath.Join(dir, filepath.Clean("/"+k))
			if err := os.MkdirAll(filepath.Dir(f), 0o700); err != nil {
				return nil, err
			}
			if err := os.WriteFile(f, data, 0o600); err != nil {
				return nil, err
			}
		}
		mounts[v.Name] = dir
	}
	var all [][]string
	for _, c := range pod.Spec.Containers {
		env := []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/tmp", "HOSTNAME=" + pod.Name}
		for _, e := range c.Env {
			val := e.Value
			if e.ValueFrom != nil {
				var err error
				if val, err = r.valueFrom(ctx, pod, p, e.ValueFrom); err != nil {
					return nil, fmt.Errorf("container %s env %s: %w", c.Name, e.Name, err)
				}
			}
			for _, m := range c.VolumeMounts {
				if dir, ok := mounts[m.Name]; ok && strings.HasPrefix(val, m.MountPath) {
					val = dir + strings.TrimPrefix(val, m.MountPath)
				}
			}
			env = append(env, e.Name+"="+val)
		}
		all = append(all, env)
	}
	return all, nil
}

func (r *runner) valueFrom(ctx context.Context, pod *corev1.Pod, p *podProc, src *corev1.EnvVarSource) (string, error) {
	switch {
	case src.FieldRef != nil:
		switch path := src.FieldRef.FieldPath; {
		case path == "metadata.name":
			return pod.Name, nil
		case path == "metadata.namespace":
			return pod.Namespace, nil
		case path == "metadata.uid":
			return string(pod.UID), nil
		case path == "spec.nodeName":
			return r.o.nodeName, nil
		case path == "spec.serviceAccountName":
			return pod.Spec.ServiceAccountName, nil
		case path == "status.podIP", path == "status.podIPs":
			return p.ip.String(), nil
		case path == "status.hostIP", path == "status.hostIPs":
			return r.gateway.String(), nil
		case strings.HasPrefix(path, "metadata.labels['"):
			return pod.Labels[strings.TrimSuffix(strings.TrimPrefix(path, "metadata.labels['"), "']")], nil
		case strings.HasPrefix(path, "metadata.annotations['"):
			return pod.Annotations[strings.TrimSuffix(strings.TrimPrefix(path, "metadata.annotations['"), "']")], nil
		default:
			return "", fmt.Errorf("fieldRef %s is not supported by the pod runner", path)
		}
	case src.SecretKeyRef != nil:
		s, err := r.client.CoreV1().Secrets(pod.Namespace).Get(ctx, src.SecretKeyRef.Name, metav1.GetOptions{})
		if err != nil {
			return "", err
		}
		return string(s.Data[src.SecretKeyRef.Key]), nil
	case src.ConfigMapKeyRef != nil:
		cm, err := r.client.CoreV1().ConfigMaps(pod.Namespace).Get(ctx, src.ConfigMapKeyRef.Name, metav1.GetOptions{})
		if err != nil {
			return "", err
		}
		return cm.Data[src.ConfigMapKeyRef.Key], nil
	}
	return "", fmt.Errorf("resourceFieldRef is not supported by the pod runner")
}

// supervise runs one container's process inside the Pod's namespace and restarts it when it
// exits (Deployments' restartPolicy Always), with a growing delay bounded at 10 s.
func (r *runner) supervise(ctx context.Context, p *podProc, name string, env []string) {
	defer p.done.Done()
	logPath := logFile(r.o.stateDir, p.ns, p.name, name)
	_ = os.MkdirAll(filepath.Dir(logPath), 0o755)
	delay := time.Second
	for ctx.Err() == nil {
		f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			log.Printf("pod %s container %s: %v", p.key, name, err)
			return
		}
		cmd := exec.Command("ip", "netns", "exec", p.netns, r.o.echoBasic)
		out := &timestampWriter{w: f}
		cmd.Env, cmd.Stdout, cmd.Stderr = env, out, out
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			log.Printf("pod %s container %s: %v", p.key, name, err)
		} else {
			p.alive.Add(1)
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			select {
			case <-ctx.Done():
				_ = cmd.Process.Signal(syscall.SIGTERM)
				select {
				case <-exited:
				case <-time.After(5 * time.Second):
					_ = cmd.Process.Kill()
					<-exited
				}
			case err := <-exited:
				log.Printf("pod %s container %s exited: %v (log %s)", p.key, name, err, logPath)
			}
			p.alive.Add(-1)
		}
		_ = f.Close()
		select {
		case <-ctx.Done():
		case <-time.After(delay):
		}
		delay = min(delay*2, 10*time.Second)
		if ctx.Err() == nil {
			// A restarted container is not Ready until it answers again, as with the kubelet.
			p.restarts.Add(1)
			_ = r.writeStatus(ctx, p, false)
			go r.reportWhenReady(ctx, p)
		}
	}
}

// declaredWait is how long a declared container port may keep a Pod unready: the kubelet probes
// none without a readinessProbe, so this only waits for servers a program starts a moment after its
// own port. A declared port the program never serves (the suite's "broken" backend of
// HTTPRouteRetryConnectionError declares 3000 and listens on 3333) then leaves the Pod Ready, as
// the kubelet would, with connections to that port refused.
const declaredWait = 10 * time.Second

// declaredPorts are the Pod's declared TCP container ports.
func declaredPorts(pod *corev1.Pod) []int {
	var ports []int
	for _, c := range pod.Spec.Containers {
		for _, cp := range c.Ports {
			if cp.Protocol == "" || cp.Protocol == corev1.ProtocolTCP {
				ports = append(ports, int(cp.ContainerPort))
			}
		}
	}
	return ports
}

// probePorts are the TCP ports that must answer before the Pod is Ready: echo-basic's own
// (HTTP_PORT or TCP_PORT, 3000 by default), since the suite's manifests declare none. The UDP echo
// has no TCP port: it is Ready once its process runs.
func probePorts(pod *corev1.Pod, envs [][]string) []int {
	var ports []int
	for i := range pod.Spec.Containers {
		env := map[string]string{}
		for _, kv := range envs[i] {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		key := "HTTP_PORT"
		switch {
		case env["UDP_ECHO_SERVER"] != "":
			continue
		case env["TCP_ECHO_SERVER"] != "":
			key = "TCP_PORT"
		}
		port := 3000
		if v, err := strconv.Atoi(env[key]); err == nil {
			port = v
		}
		ports = append(ports, port)
	}
	return ports
}

// reportWhenReady marks the Pod Running and Ready once every container process runs and every
// probe port accepts a connection on the Pod IP (bounded: 60 s, then not Ready, saying why).
func (r *runner) reportWhenReady(ctx context.Context, p *podProc) {
	restarts := p.restarts.Load()
	start := time.Now()
	deadline := start.Add(60 * time.Second)
	ready := false
	for !ready && time.Now().Before(deadline) && ctx.Err() == nil {
		// Give a process that dies at start a moment to do so before calling it Ready.
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
		ready = p.alive.Load() > 0
		probe := p.ports
		if time.Since(start) < declaredWait {
			probe = append(slices.Clone(p.declared), p.ports...)
		}
		for _, port := range probe {
			if !ready {
				break
			}
			c, err := net.DialTimeout("tcp", net.JoinHostPort(p.ip.String(), strconv.Itoa(port)), time.Second)
			if err != nil {
				ready = false
				break
			}
			_ = c.Close()
		}
		ready = ready && p.alive.Load() > 0 && p.restarts.Load() == restarts
	}
	if ctx.Err() != nil || p.restarts.Load() != restarts {
		return // stopped, or restarted meanwhile: the restart's own report decides
	}
	for attempt := 0; attempt < 10 && ctx.Err() == nil; attempt++ {
		err := r.writeStatus(ctx, p, ready)
		if err == nil {
			if ready {
				log.Printf("pod %s: Ready at %s", p.key, p.ip)
			} else {
				log.Printf("pod %s: not Ready after 60 s (ports %v, %d processes running)", p.key, p.ports, p.alive.Load())
			}
			return
		}
		if apierrors.IsNotFound(err) {
			return
		}
		log.Printf("pod %s: status: %v", p.key, err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Duration(attempt+1) * 200 * time.Millisecond):
		}
	}
}

func (r *runner) writeStatus(ctx context.Context, p *podProc, ready bool) error {
	ns, name, uid := p.ns, p.name, p.uid
	pod, err := r.client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	if pod.UID != uid {
		return apierrors.NewNotFound(corev1.Resource("pods"), name)
	}
	now := metav1.Now()
	readyStatus := corev1.ConditionFalse
	if ready {
		readyStatus = corev1.ConditionTrue
	}
	cond := func(t corev1.PodConditionType, s corev1.ConditionStatus) corev1.PodCondition {
		return corev1.PodCondition{Type: t, Status: s, LastTransitionTime: now}
	}
	st := &pod.Status
	st.Phase = corev1.PodRunning
	st.HostIP, st.HostIPs = r.gateway.String(), []corev1.HostIP{{IP: r.gateway.String()}}
	st.PodIP, st.PodIPs = p.ip.String(), []corev1.PodIP{{IP: p.ip.String()}}
	if st.StartTime == nil {
		st.StartTime = &now
	}
	st.Conditions = []corev1.PodCondition{
		cond(corev1.PodScheduled, corev1.ConditionTrue), cond(corev1.PodInitialized, corev1.ConditionTrue),
		cond(corev1.ContainersReady, readyStatus), cond(corev1.PodReady, readyStatus),
	}
	st.ContainerStatuses = nil
	for _, c := range pod.Spec.Containers {
		started := true
		st.ContainerStatuses = append(st.ContainerStatuses, corev1.ContainerStatus{
			Name: c.Name, Ready: ready, Started: &started, RestartCount: p.restarts.Load(), Image: c.Image, ImageID: "podrunner://" + r.o.echoBasic,
			ContainerID: "podrunner://" + string(uid) + "/" + c.Name,
			State:       corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}},
		})
	}
	st.Message = ""
	if !ready {
		st.Message = "a container is not running or its ports do not answer; see the pod runner's logs"
	}
	_, err = r.client.CoreV1().Pods(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{})
	return err
}

func (r *runner) reportFailed(ctx context.Context, pod *corev1.Pod, cause error) error {
	log.Printf("pod %s/%s: cannot run: %v", pod.Namespace, pod.Name, cause)
	pod = pod.DeepCopy()
	pod.Status.Phase = corev1.PodFailed
	pod.Status.Reason = "PodRunnerUnsupported"
	pod.Status.Message = cause.Error()
	_, err := r.client.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, pod, metav1.UpdateOptions{})
	return err
}

func (r *runner) stopByKey(key string) {
	r.mu.Lock()
	var uid types.UID
	for u, p := range r.pods {
		if p.key == key {
			uid = u
		}
	}
	r.mu.Unlock()
	if uid != "" {
		r.stop(uid)
	}
}

func (r *runner) stop(uid types.UID) {
	r.mu.Lock()
	p := r.pods[uid]
	delete(r.pods, uid)
	r.mu.Unlock()
	if p == nil {
		return
	}
	p.cancel()
	p.done.Wait()
	r.teardownNetwork(p)
	_ = os.RemoveAll(p.dir)
	r.release(p.ip)
	log.Printf("pod %s: stopped, netns %s removed", p.key, p.netns)
}

func (r *runner) stopAll() {
	r.mu.Lock()
	var uids []types.UID
	for u := range r.pods {
		uids = append(uids, u)
	}
	r.mu.Unlock()
	var wg sync.WaitGroup
	for _, u := range uids {
		wg.Add(1)
		go func() { defer wg.Done(); r.stop(u) }()
	}
	wg.Wait()
	cleanStale(r.o.prefix)
}

// cleanStale removes namespaces and veths a killed run left behind.
func cleanStale(prefix string) {
	out, _ := exec.Command("ip", "netns", "list").Output()
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], prefix+"-") {
			_ = exec.Command("ip", "netns", "delete", f[0]).Run()
		}
	}
	ifaces, _ := net.Interfaces()
	for _, i := range ifaces {
		if strings.HasPrefix(i.Name, prefix+"h") {
			_ = exec.Command("ip", "link", "delete", i.Name).Run()
		}
	}
}

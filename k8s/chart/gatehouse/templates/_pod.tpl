{{/* The pod template shared by the Deployment and the DaemonSet. */}}
{{- define "gatehouse.podTemplate" -}}
{{- $edge := include "gatehouse.edge" . -}}
metadata:
  labels:
    {{- include "gatehouse.selectorLabels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    # a changed node config rolls the pods (the node reads gatehouse.yaml at start)
    checksum/config: {{ include "gatehouse.config" . | sha256sum }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "gatehouse.serviceAccountName" . }}
  # the API token only when the node talks to the API server (the ingress controller)
  automountServiceAccountToken: {{ .Values.kubernetes.enabled }}
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if $edge }}
  hostNetwork: true
  dnsPolicy: ClusterFirstWithHostNet
  {{- with .Values.edge.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.edge.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- else }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  affinity:
    {{- if .Values.affinity }}
    {{- toYaml .Values.affinity | nindent 4 }}
    {{- else }}
    podAntiAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 100
          podAffinityTerm:
            topologyKey: kubernetes.io/hostname
            labelSelector:
              matchLabels:
                {{- include "gatehouse.selectorLabels" . | nindent 16 }}
    {{- end }}
  {{- with .Values.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- end }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
  securityContext:
    {{- toYaml .Values.podSecurityContext | nindent 4 }}
  containers:
    - name: gatehouse
      image: {{ include "gatehouse.image" . }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      {{- with .Values.extraArgs }}
      args:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      env:
        - name: GATEHOUSE_CONFIG
          value: /etc/gatehouse/gatehouse.yaml
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        - name: GATEHOUSE_CLUSTER_HOST
          valueFrom:
            fieldRef:
              fieldPath: status.podIP
        {{- with .Values.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- if $edge }}
      # Under hostNetwork every port is the node's own: each has its hostPort, so the scheduler never
      # puts two pods that bind it on one node.
      {{- end }}
      ports:
        - name: http
          containerPort: {{ .Values.ports.http }}
          {{- if $edge }}
          hostPort: {{ .Values.ports.http }}
          {{- end }}
        {{- if .Values.tls.enabled }}
        - name: https
          containerPort: {{ .Values.ports.https }}
          {{- if $edge }}
          hostPort: {{ .Values.ports.https }}
          {{- end }}
        {{- end }}
        - name: status
          containerPort: {{ .Values.ports.status }}
          {{- if $edge }}
          hostPort: {{ .Values.ports.status }}
          {{- end }}
        {{- if .Values.cluster.enabled }}
        - name: hazelcast
          containerPort: {{ .Values.ports.hazelcast }}
          {{- if $edge }}
          hostPort: {{ .Values.ports.hazelcast }}
          {{- end }}
        {{- end }}
        {{- if include "gatehouse.adminEnabled" . }}
        - name: admin
          containerPort: {{ .Values.ports.admin }}
          {{- if $edge }}
          hostPort: {{ .Values.ports.admin }}
          {{- end }}
        {{- end }}
      {{- with .Values.readinessProbe }}
      readinessProbe:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.livenessProbe }}
      livenessProbe:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.startupProbe }}
      startupProbe:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
      securityContext:
        {{- toYaml .Values.securityContext | nindent 8 }}
      volumeMounts:
        - name: config
          mountPath: /etc/gatehouse
          readOnly: true
        {{- if include "gatehouse.adminEnabled" . }}
        - name: admin-token
          mountPath: /etc/gatehouse/admin
          readOnly: true
        {{- if .Values.admin.tlsSecret }}
        - name: admin-tls
          mountPath: /etc/gatehouse/admin-tls
          readOnly: true
        {{- end }}
        {{- end }}
        - name: tmp
          mountPath: /tmp
        {{- with .Values.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ include "gatehouse.fullname" . }}
    {{- if include "gatehouse.adminEnabled" . }}
    # the admin token, from the Secret the user named (admin.tokenSecret); never in the chart
    - name: admin-token
      secret:
        secretName: {{ .Values.admin.tokenSecret.name }}
        defaultMode: 0440
        items:
          - key: {{ .Values.admin.tokenSecret.key }}
            path: {{ .Values.admin.tokenSecret.key }}
    {{- if .Values.admin.tlsSecret }}
    - name: admin-tls
      secret:
        secretName: {{ .Values.admin.tlsSecret }}
        defaultMode: 0440
        items:
          - key: tls.crt
            path: tls.crt
          - key: tls.key
            path: tls.key
    {{- end }}
    {{- end }}
    - name: tmp
      emptyDir: {}
    {{- with .Values.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end -}}

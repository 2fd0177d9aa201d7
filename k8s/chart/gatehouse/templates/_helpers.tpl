{{/* The chart's name, and the release's full name (the object names, at most 63 characters). */}}
{{- define "gatehouse.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "gatehouse.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Selector labels: never change after the first install (Deployment selectors are immutable). */}}
{{- define "gatehouse.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gatehouse.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "gatehouse.labels" -}}
{{ include "gatehouse.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "gatehouse.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "gatehouse.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "gatehouse.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{- define "gatehouse.edge" -}}
{{- if eq .Values.mode "edgeDaemonSet" -}}true{{- end -}}
{{- end -}}

{{/* The Service whose address Ingress status carries (kubernetes.publishService). */}}
{{- define "gatehouse.publishService" -}}
{{- if .Values.kubernetes.publishService -}}
{{- .Values.kubernetes.publishService -}}
{{- else if include "gatehouse.edge" . -}}
{{- printf "%s/%s-edge" .Release.Namespace (include "gatehouse.fullname" .) -}}
{{- else -}}
{{- printf "%s/%s" .Release.Namespace (include "gatehouse.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "gatehouse.leaseName" -}}
{{- default (printf "%s-leader" (include "gatehouse.fullname" .)) .Values.leaderElection.leaseName -}}
{{- end -}}

{{- define "gatehouse.adminEnabled" -}}
{{- if .Values.admin.tokenSecret.name -}}true{{- end -}}
{{- end -}}

{{/* Fails the render, naming the keys, for settings the chart cannot honour safely. */}}
{{- define "gatehouse.validate" -}}
{{- if and (include "gatehouse.adminEnabled" .) (not (has .Values.admin.host (list "127.0.0.1" "::1" "localhost"))) (not .Values.admin.tlsSecret) (not .Values.admin.insecurePlainHttp) -}}
{{- fail (printf "admin.host %s is reachable from the pod network, and without admin.tlsSecret the admin token would cross it in clear text: name a kubernetes.io/tls Secret in admin.tlsSecret (or set admin.insecurePlainHttp=true to accept that)" .Values.admin.host) -}}
{{- end -}}
{{- if and (eq .Values.mode "edgeDaemonSet") (not .Values.edge.nodeSelector) -}}
{{- fail "mode edgeDaemonSet needs edge.nodeSelector: without one, every node of the cluster would give its ports 80 and 443 to Gatehouse" -}}
{{- end -}}
{{- end -}}

{{/*
The node config (gatehouse.yaml): the keys that must agree with the rest of the chart (ports,
Service and Lease names, the admin token file), then .Values.config merged over them.
*/}}
{{- define "gatehouse.config" -}}
{{- $c := dict -}}
{{- $_ := set $c "http" (dict "port" .Values.ports.http) -}}
{{- if .Values.tls.enabled -}}
{{- $_ := set $c "tls" (dict "enabled" true "port" .Values.ports.https) -}}
{{- end -}}
{{- $_ := set $c "status" (dict "host" "0.0.0.0" "port" .Values.ports.status) -}}
{{- $_ := set $c "store" (dict "dir" "") -}}
{{- if .Values.kubernetes.enabled -}}
{{- $k := dict "enabled" true "kubeconfig" "" -}}
{{- $_ := set $k "ingressClass" (prepend .Values.kubernetes.extraIngressClasses .Values.ingressClass.name) -}}
{{- $_ := set $k "namespaces" .Values.kubernetes.namespaces -}}
{{- $_ := set $k "gatewayApi" (toString .Values.kubernetes.gatewayApi) -}}
{{- $_ := set $k "leaderElection" .Values.leaderElection.enabled -}}
{{- if .Values.leaderElection.enabled -}}
{{- $_ := set $k "leaseNamespace" .Release.Namespace -}}
{{- $_ := set $k "leaseName" (include "gatehouse.leaseName" .) -}}
{{- end -}}
{{- $_ := set $k "publishService" (include "gatehouse.publishService" .) -}}
{{- $_ := set $k "publishAddresses" .Values.kubernetes.publishAddresses -}}
{{- $_ := set $c "kubernetes" $k -}}
{{- end -}}
{{- if .Values.cluster.enabled -}}
{{- $_ := set $c "cluster" (dict "enabled" true "name" .Values.cluster.name "port" .Values.ports.hazelcast "kubernetesService" (printf "%s-cluster.%s.svc.%s" (include "gatehouse.fullname" .) .Release.Namespace .Values.clusterDomain)) -}}
{{- end -}}
{{- if include "gatehouse.adminEnabled" . -}}
{{- $a := dict "enabled" true "host" .Values.admin.host "port" .Values.ports.admin "tokenFile" (printf "/etc/gatehouse/admin/%s" .Values.admin.tokenSecret.key) -}}
{{- if .Values.admin.tlsSecret -}}
{{- $_ := set $a "certFile" "/etc/gatehouse/admin-tls/tls.crt" -}}
{{- $_ := set $a "keyFile" "/etc/gatehouse/admin-tls/tls.key" -}}
{{- end -}}
{{- $_ := set $c "admin" $a -}}
{{- else -}}
{{- $_ := set $c "admin" (dict "enabled" false) -}}
{{- end -}}
{{- toYaml (mergeOverwrite $c (deepCopy .Values.config)) -}}
{{- end -}}

# Sourced by proxy-bench.sh and profile.sh: the one Gatehouse command both run, so a profile
# measures the same node (HTTPS with the bench certificates) as the comparison.
#   gatehouse_cmd "JAVA OPTIONS"   -> prints the command; bench.sh fills in the $PORT variables
gatehouse_cmd() {
  echo "java $1 -jar $JAR --http-host 127.0.0.1 --http-port \$HTTP_PORT --status-port 0 \
 --https-port \$HTTPS_PORT --cert-dir \$CERT_DIR --set tls.defaultCertificate=default.example \
 --route a.example=127.0.0.1:\$BACKEND_A_PORT --route b.example=127.0.0.1:\$BACKEND_B_PORT \
 --default-backend 127.0.0.1:\$BACKEND_404_PORT --set log.access=false --set admin.enabled=false \
 --set store.dir=\$RUN_DIR/gatehouse-data --set eventLoops=\${GATEHOUSE_EVENT_LOOPS:-1}"
}

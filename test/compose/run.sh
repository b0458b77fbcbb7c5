#!/usr/bin/env bash
# The compose stack end to end on a real Docker engine: `npm run test:compose`.
#
# 1. Uses the Docker engine that answers, or starts a private dockerd (overlay2, else vfs; no iptables) and stops it.
# 2. Builds one local stand-in for the third-party images from a debootstrap'd Debian: Node.js 20 (this machine's node
#    and npm), Redis (Debian's redis-server) and, where MinIO's image cannot be pulled, moto as the S3 server.
# 3. Builds the scheduler and worker-cpu images from docker/Dockerfile with those bases, brings docker-compose.yml up
#    with two CPU workers, runs examples/word2vec-tuning.json from this host (fewer, shorter trials), kills a worker
#    container in the middle of a trial, and checks that the job completes with every trial trained once and its
#    model in the S3 store; then serves the best trial's model with the compose file's serve profile.
# 4. Tears everything down: the stack, its volumes, the images it built, and the dockerd it started.
# Without docker, dockerd or debootstrap (or without root to start them) it prints why it skips and exits 0;
# BLAZEFLEET_COMPOSE_REQUIRED=1 turns a skip into a failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
started=$(date +%s)
phase_start=$started
timings=()
phase() {
  local now
  now=$(date +%s)
  timings+=("$1: $((now - phase_start)) s")
  phase_start=$now
}
log() { echo "[compose-test $(date +%H:%M:%S)] $*"; }
skip() {
  log "SKIPPED: $*"
  if [ "${BLAZEFLEET_COMPOSE_REQUIRED:-0}" = 1 ]; then exit 1; fi
  exit 0
}

for tool in docker debootstrap; do command -v "$tool" >/dev/null || skip "$tool is not installed (apt-get install docker.io docker-compose debootstrap)"; done
if docker compose version >/dev/null 2>&1; then compose_cmd=(docker compose); elif command -v docker-compose >/dev/null; then compose_cmd=(docker-compose); else skip "neither 'docker compose' nor docker-compose is installed"; fi

state=$(mktemp -d /tmp/blazefleet-compose-test.XXXXXX)
own_dockerd=""
project="bfcompose$$"
tag="test$$"
images=()
cleanup() {
  local status=$?
  set +e
  log "tearing down"
  if [ -n "${compose_env_set:-}" ]; then
    if [ "$status" != 0 ]; then
      "${compose[@]}" ps
      "${compose[@]}" logs --tail 40 scheduler worker-cpu s3-setup
    fi
    "${compose[@]}" --profile serve down --volumes --remove-orphans --timeout 20 >/dev/null 2>&1
  fi
  # Images go with the engine's data when the engine is ours.
  if [ -z "$own_dockerd" ]; then
    for image in "${images[@]}"; do docker rmi -f "$image" >/dev/null 2>&1; done
    docker image prune -f >/dev/null 2>&1
  fi
  if [ -n "$own_dockerd" ]; then
    kill "$own_dockerd" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$own_dockerd" 2>/dev/null || break; sleep 1; done
  fi
  rm -rf "$state" 2>/dev/null || true
  phase "teardown"
  log "timings: ${timings[*]}; total $(($(date +%s) - started)) s"
  exit "$status"
}
trap cleanup EXIT

# 1. A Docker engine.
if ! docker info >/dev/null 2>&1; then
  command -v dockerd >/dev/null || skip "no Docker engine answers and dockerd is not installed"
  [ "$(id -u)" = 0 ] || skip "no Docker engine answers, and starting dockerd needs root"
  export DOCKER_HOST="unix://$state/docker.sock"
  # overlay2 where the file system allows it (far faster), else vfs, which runs anywhere.
  for driver in overlay2 vfs; do
    dockerd --host "$DOCKER_HOST" --data-root "$state/docker" --exec-root "$state/exec" --pidfile "$state/dockerd.pid" \
      --storage-driver="$driver" --iptables=false --ip-masq=false --bridge=none >"$state/dockerd.log" 2>&1 &
    own_dockerd=$!
    for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; kill -0 "$own_dockerd" 2>/dev/null || break; sleep 1; done
    docker info >/dev/null 2>&1 && break
    kill "$own_dockerd" 2>/dev/null; wait "$own_dockerd" 2>/dev/null; own_dockerd=""
    rm -rf "$state/docker" "$state/exec"
  done
  [ -n "$own_dockerd" ] || { tail -20 "$state/dockerd.log"; skip "dockerd did not start"; }
  log "started dockerd (pid $own_dockerd, storage driver $driver)"
fi
phase "engine"

# 2. One stand-in image for the third-party images (Node.js 20, Redis, the S3 server), built on the host network: the
#    engine may have no NAT.
debian="blazefleet-standin/debian:$tag"
standin="blazefleet-standin/base:$tag"
images+=("$debian" "$standin")
log "debootstrap of Debian bookworm"
debootstrap --variant=minbase bookworm "$state/rootfs" http://deb.debian.org/debian >"$state/debootstrap.log" 2>&1 \
  || { tail -20 "$state/debootstrap.log"; exit 1; }
tar -C "$state/rootfs" -c . | docker import - "$debian" >/dev/null
rm -rf "$state/rootfs"
phase "debootstrap"

context="$state/standin-context"
mkdir -p "$context/site"
cp "$(command -v node)" "$context/node"
cp -r "$(dirname "$(readlink -f "$(command -v npm)")")/.." "$context/npm"
# The certificate authorities this machine trusts, for npm's registry (it may be reached through a TLS proxy).
cp "${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}" "$context/trusted-ca.crt"
# MinIO where its image can be pulled; else moto, from this machine's installation, on Debian's python3.
minio="${S3_IMAGE:-minio/minio:RELEASE.2025-04-22T22-12-26Z}"
if docker pull -q "$minio" >/dev/null 2>&1; then
  s3_image="$minio"
  s3_override=()
else
  s3_image="$standin"
  s3_override=(-f test/compose/s3-moto.yml)
  moto_site=$(python3 -c 'import moto, os; print(os.path.dirname(os.path.dirname(moto.__file__)))' 2>/dev/null) \
    || skip "neither MinIO's image nor moto (pip install 'moto[server]') is available for the S3 server"
  (
    cd "$moto_site"
    for package in moto boto3 botocore s3transfer jmespath werkzeug flask flask_cors jinja2 markupsafe itsdangerous click blinker \
      requests urllib3 idna certifi charset_normalizer dateutil six.py responses yaml _yaml cryptography cffi _cffi_backend*.so \
      pycparser typing_extensions.py xmltodict.py; do
      [ -e "$package" ] && cp -r "$package" "$context/site/"
    done
    cp -r $(ls -d ./*.dist-info | grep -i -E '/(moto|boto3|botocore|s3transfer|jmespath|werkzeug|flask|flask_cors|jinja2|markupsafe|itsdangerous|click|blinker|requests|urllib3|idna|certifi|charset_normalizer|python_dateutil|six|responses|pyyaml|cryptography|cffi|pycparser|typing_extensions|xmltodict)-') "$context/site/"
  )
fi
cat >"$context/Dockerfile" <<EOF
FROM $debian
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server python3 \\
 && rm -rf /var/lib/apt/lists/* && useradd --uid 1000 --create-home node
COPY . /standin/
RUN mkdir -p /usr/local/lib/node_modules && mv /standin/node /usr/local/bin/node && mv /standin/npm /usr/local/lib/node_modules/npm \\
 && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && mv /standin/site /opt/moto && mv /standin/trusted-ca.crt /usr/local/share/trusted-ca.crt && rm -rf /standin
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/trusted-ca.crt PYTHONPATH=/opt/moto
EOF
docker build -q --network host -t "$standin" "$context" >/dev/null
rm -rf "$context"
node_image="$standin"
redis_image="$standin"
phase "stand-in image"

# 3. Our images, through the Dockerfile's build arguments.
for target in scheduler worker-cpu serve; do
  image="blazefleet-test/$target:$tag"
  images+=("$image")
  log "building $image"
  docker build -q --network host -f docker/Dockerfile --target "$target" --build-arg NODE_IMAGE="$node_image" -t "$image" . >/dev/null
done
phase "blazefleet images"

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
export REDIS_IMAGE="$redis_image" S3_IMAGE="$s3_image" NODE_IMAGE="$node_image"
export BLAZEFLEET_IMAGE_PREFIX=blazefleet-test BLAZEFLEET_TAG="$tag"
BLAZEFLEET_REDIS_PORT=$(free_port) BLAZEFLEET_S3_PORT=$(free_port) BLAZEFLEET_API_PORT=$(free_port) BLAZEFLEET_S3_CONSOLE_PORT=$(free_port)
export BLAZEFLEET_REDIS_PORT BLAZEFLEET_S3_PORT BLAZEFLEET_API_PORT BLAZEFLEET_S3_CONSOLE_PORT
compose=("${compose_cmd[@]}" -p "$project" -f docker-compose.yml ${s3_override[@]+"${s3_override[@]}"} -f test/compose/fast-recovery.yml)
compose_env_set=1
log "docker-compose.yml up with 2 CPU workers"
"${compose[@]}" up -d --no-build --scale worker-cpu=2 >"$state/up.log" 2>&1 || { cat "$state/up.log"; exit 1; }

for _ in $(seq 1 90); do
  curl -fs "http://127.0.0.1:$BLAZEFLEET_API_PORT/healthz" >/dev/null 2>&1 && break
  sleep 1
done
curl -fs "http://127.0.0.1:$BLAZEFLEET_API_PORT/healthz" >/dev/null || { log "the scheduler's /healthz does not answer"; exit 1; }
setup_id=$("${compose[@]}" ps -q s3-setup)
for _ in $(seq 1 90); do
  [ "$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$setup_id")" = "exited 0" ] && break
  sleep 1
done
[ "$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$setup_id")" = "exited 0" ] || { log "s3-setup did not put the corpus into the bucket"; exit 1; }
phase "stack up"

# The README's tuning job, from this host, with fewer and shorter trials.
export REDIS_URL="redis://127.0.0.1:$BLAZEFLEET_REDIS_PORT" AWS_ENDPOINT_URL_S3="http://127.0.0.1:$BLAZEFLEET_S3_PORT"
set -a; . docker/compose.env; set +a
spec="$state/tuning.json"
node -e '
  const spec = JSON.parse(require("fs").readFileSync("examples/word2vec-tuning.json", "utf8"));
  spec.name = "compose-test";
  spec.resourceLimits.maxNumberOfTrainingJobs = 4;
  spec.trainingJobDefinition.hyperParameters.epochs = "3";
  require("fs").writeFileSync(process.argv[1], JSON.stringify(spec));
' "$spec"
blazefleet() { node "$repo/packages/sdk/bin/blazefleet.js" "$@"; }
blazefleet tune "$spec" >/dev/null
log "tuning job created; waiting for a trial in training to kill its worker"
victim=""
for _ in $(seq 1 180); do
  running=$(blazefleet jobs list --status InProgress --json | node -e '
    const jobs = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const training = jobs.find((job) => job.secondaryStatus === "Training");
    if (training) console.log(training.name);')
  if [ -n "$running" ]; then
    # A worker is named <hostname>-<pid>-<id>, and a container's hostname is its short id.
    worker=$(blazefleet jobs describe "$running" --json | node -e 'console.log(JSON.parse(require("fs").readFileSync(0, "utf8")).worker ?? "")')
    victim=$(docker ps -q --no-trunc | grep "^${worker%%-*}" || true)
    [ -n "$victim" ] && break
  fi
  sleep 1
done
[ -n "$victim" ] || { log "no trial reached Training on a worker container"; exit 1; }
docker kill "$victim" >/dev/null
log "killed worker container ${victim:0:12} while it trained $running"
for _ in $(seq 1 600); do
  status=$(blazefleet tuning describe compose-test --json | node -e 'console.log(JSON.parse(require("fs").readFileSync(0, "utf8")).status)')
  case "$status" in Completed|Failed|Stopped) break ;; esac
  sleep 2
done
log "tuning job $status"
phase "tuning job"

node test/compose/check-tuning-job.mjs compose-test "$running"
phase "checks"

# The serve profile: the best trial's model.tar.gz, served from the S3 store.
best=$(blazefleet tuning describe compose-test --json | node -e 'console.log(JSON.parse(require("fs").readFileSync(0, "utf8")).bestTrainingJob.trainingJobName)')
export MODEL_URI=$(blazefleet jobs describe "$best" --json | node -e 'console.log(JSON.parse(require("fs").readFileSync(0, "utf8")).modelArtifacts.s3ModelArtifacts)')
BLAZEFLEET_SERVE_PORT=$(free_port)
export BLAZEFLEET_SERVE_PORT
"${compose[@]}" --profile serve up -d --no-build model-server >"$state/serve.log" 2>&1 || { cat "$state/serve.log"; exit 1; }
for _ in $(seq 1 90); do
  curl -fs "http://127.0.0.1:$BLAZEFLEET_SERVE_PORT/ping" >/dev/null 2>&1 && break
  sleep 1
done
answer=$(curl -fs -H 'content-type: application/json' -d '{"instances": ["king", "queen"]}' "http://127.0.0.1:$BLAZEFLEET_SERVE_PORT/invocations") \
  || { log "the model server did not answer /invocations"; exit 1; }
echo "$answer" | node -e '
  const answers = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const ok = answers.length === 2 && answers[0].word === "king" && answers.every((a) => a.vector.length > 0 && a.vector.some((v) => v !== 0));
  if (!ok) { console.error("unexpected /invocations answer: " + JSON.stringify(answers).slice(0, 300)); process.exit(1); }'
log "model server (profile serve) answered with $best's vectors"
phase "serve"
log "PASSED"

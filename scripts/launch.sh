#!/usr/bin/env bash
# Starts one JVM per local rank, torchrun-style:
#   scripts/launch.sh [--nproc-per-node N] [--nnodes K] [--node-rank R]
#                     [--master-addr A] [--master-port P] <command> [args...]
# Ranks get RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT, LLEP_JOB_SECRET;
# their lines are prefixed with the rank. A failing rank stops the others (non-zero exit naming it).
# SIGINT/SIGTERM stop every rank (train: after its step, with a checkpoint), then exit 130/143.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
nproc_per_node=1
nnodes=1
node_rank=0
master_addr="127.0.0.1"
master_port=""
grace_seconds="${LLEP_STOP_GRACE_SECONDS:-10}"

usage() {
  sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  echo "Commands: comm-check, verify, plan (run '<command> --help' for each)."
}

die() { echo "launch: $*" >&2; exit 2; }

need_value() { [ $# -ge 2 ] && [ -n "$2" ] || die "option $1 needs a value"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --nproc-per-node|--nproc_per_node) need_value "$@"; nproc_per_node="$2"; shift 2 ;;
    --nnodes) need_value "$@"; nnodes="$2"; shift 2 ;;
    --node-rank|--node_rank) need_value "$@"; node_rank="$2"; shift 2 ;;
    --master-addr|--master_addr) need_value "$@"; master_addr="$2"; shift 2 ;;
    --master-port|--master_port) need_value "$@"; master_port="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    --) shift; break ;;
    -*) die "unknown option '$1' (see --help)" ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || { usage >&2; exit 2; }

is_count() { [[ "$1" =~ ^[0-9]+$ ]]; }
is_count "$nproc_per_node" && [ "$nproc_per_node" -ge 1 ] || die "--nproc-per-node must be a positive integer, got '$nproc_per_node'"
is_count "$nnodes" && [ "$nnodes" -ge 1 ] || die "--nnodes must be a positive integer, got '$nnodes'"
is_count "$node_rank" && [ "$node_rank" -lt "$nnodes" ] || die "--node-rank must be in [0, $nnodes), got '$node_rank'"

# --- Java 25 -------------------------------------------------------------------------------
find_java() {
  if [ -x "$root/runtime/bin/java" ]; then echo "$root/runtime/bin/java"
  elif [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then echo "$JAVA_HOME/bin/java"
  else command -v java || true
  fi
}
java_bin="$(find_java)"
[ -n "$java_bin" ] || die "no Java found: install JDK 25 and set JAVA_HOME"
java_major="$("$java_bin" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
[ "${java_major%%.*}" -ge 25 ] 2>/dev/null || die "Java 25 or newer is needed; $java_bin is Java '$java_major' (set JAVA_HOME)"

# --- Build on first use ----------------------------------------------------------------------
if [ -d "$root/lib" ]; then
  classpath="$root/lib/*"
else
  jar="$root/trainer/target/trainer.jar"
  if [ ! -f "$jar" ] || [ ! -d "$root/trainer/target/lib" ]; then
    echo "launch: building the project (first run)" >&2
    (cd "$root" && JAVA_HOME="$(cd "$(dirname "$java_bin")/.." && pwd)" ./mvnw -B -q -DskipTests package) >&2 \
      || die "the build failed; run ./mvnw -B package to see why"
  fi
  classpath="$jar:$root/trainer/target/lib/*"
fi

# --- Rendezvous ------------------------------------------------------------------------------
port_in_use() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
if [ -z "$master_port" ]; then
  [ "$nnodes" -eq 1 ] || die "--master-port is required when --nnodes > 1"
  for _ in $(seq 1 50); do
    candidate=$(( 20000 + RANDOM % 40000 ))
    if ! port_in_use "$master_addr" "$candidate"; then master_port="$candidate"; break; fi
  done
  [ -n "$master_port" ] || die "found no free port on $master_addr"
fi
is_count "$master_port" && [ "$master_port" -ge 1 ] && [ "$master_port" -le 65535 ] || die "--master-port must be in [1, 65535], got '$master_port'"

if [ -z "${LLEP_JOB_SECRET:-}" ]; then
  [ "$nnodes" -eq 1 ] || die "with --nnodes > 1, export the same LLEP_JOB_SECRET (64 hex digits, e.g. from 'openssl rand -hex 32') on every node"
  LLEP_JOB_SECRET="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
fi
export LLEP_JOB_SECRET
# Each rank watches this process and exits once it is gone (even when killed with SIGKILL).
export LLEP_LAUNCHER_PID="$$"

# --- Ranks -----------------------------------------------------------------------------------
world_size=$(( nnodes * nproc_per_node ))
cores="$(nproc 2>/dev/null || echo 1)"
threads_per_rank=$(( cores / nproc_per_node )); [ "$threads_per_rank" -ge 1 ] || threads_per_rank=1
read -r -a extra_java_opts <<< "${LLEP_JAVA_OPTS:-}"

declare -A rank_of_pid=()
pids=()
stop_all() {
  local signal="$1"
  for pid in "${pids[@]}"; do kill "-$signal" "$pid" 2>/dev/null || true; done
}
stop_all_within_grace() {
  stop_all TERM
  local deadline=$(( SECONDS + grace_seconds ))
  while [ "$SECONDS" -lt "$deadline" ]; do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" -eq 1 ] || return 0
    sleep 0.2
  done
  stop_all KILL
}
# SIGINT or SIGTERM: the ranks get SIGTERM (a non-interactive shell starts them with SIGINT
# ignored; their output filters ignore both, so that a terminal's Ctrl-C to the whole process group
# leaves the ranks' last lines), finish what they are doing (train: the step in flight, then a
# checkpoint) and exit; the
# launcher waits as long as the ranks said a stop may take (comm.timeout plus a margin, in the file
# stop-budget-seconds of LLEP_LAUNCH_DIR; LLEP_STOP_GRACE_SECONDS before they say), then kills
# them. A second signal kills them at once.
launch_dir="$(mktemp -d -t llep-launch.XXXXXX)"
export LLEP_LAUNCH_DIR="$launch_dir"
trap 'rm -rf "$launch_dir"' EXIT
stop_signal=""
stop_started=0
on_stop_signal() {
  if [ -n "$stop_signal" ]; then
    echo "launch: SIG$1 again; killing every rank" >&2
    stop_all KILL
    return
  fi
  stop_signal="$1"
  stop_started=$SECONDS
  echo "launch: SIG$1; asking every rank to stop (again to kill them at once)" >&2
  stop_all TERM
}
trap 'on_stop_signal INT' INT
trap 'on_stop_signal TERM' TERM
stop_budget() {
  local budget
  budget="$(cat "$launch_dir/stop-budget-seconds" 2>/dev/null || true)"
  if is_count "$budget"; then echo "$budget"; else echo "$grace_seconds"; fi
}
# Waits for the ranks after a stop signal, kills those still running when the budget is spent,
# and exits with 128 + the signal's number.
finish_stop() {
  while :; do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" -eq 1 ] || break
    local budget; budget="$(stop_budget)"
    if [ $(( SECONDS - stop_started )) -ge "$budget" ]; then
      echo "launch: ranks still running ${budget}s after SIG$stop_signal; killing them" >&2
      stop_all KILL
      break
    fi
    sleep 0.2
  done
  wait 2>/dev/null || true
  local code=130; [ "$stop_signal" = INT ] || code=143
  echo "launch: stopped by SIG$stop_signal (exit $code)" >&2
  exit "$code"
}

for (( local_rank = 0; local_rank < nproc_per_node; local_rank++ )); do
  rank=$(( node_rank * nproc_per_node + local_rank ))
  RANK="$rank" LOCAL_RANK="$local_rank" WORLD_SIZE="$world_size" LOCAL_WORLD_SIZE="$nproc_per_node" \
  MASTER_ADDR="$master_addr" MASTER_PORT="$master_port" LLEP_HOME="$root" \
  OMP_NUM_THREADS="${OMP_NUM_THREADS:-$threads_per_rank}" \
    "$java_bin" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Dai.djl.offline=true \
      "${extra_java_opts[@]}" -cp "$classpath" ai.llep.trainer.cli.Main "$@" \
      > >(trap '' INT TERM; exec sed -u "s/^/[rank $rank] /") 2>&1 &
  pids+=("$!")
  rank_of_pid[$!]="$rank"
done

# Exit code 3 means "a peer failed": such a rank is a symptom, so the launcher waits a moment for
# the rank that caused it before naming one.
peer_failed_code=3
status=0
failed_rank=""
symptom_deadline=""
remaining=${#pids[@]}
describe() { if [ "$2" -gt 128 ]; then echo "was killed by signal $(( $2 - 128 ))"; else echo "exited with code $2"; fi; }
while [ "$remaining" -gt 0 ]; do
  finished_pid=""
  set +e
  if [ -n "$symptom_deadline" ]; then
    left=$(( symptom_deadline - SECONDS )); [ "$left" -gt 0 ] || break
    timeout_pid=""
    ( sleep "$left" ) & timeout_pid=$!
    wait -n -p finished_pid "${pids[@]}" "$timeout_pid"
    code=$?; finished_pid="${finished_pid:-}"  # unset when a signal interrupted the wait
    kill "$timeout_pid" 2>/dev/null
    [ "$finished_pid" = "$timeout_pid" ] && { set -e; break; }
  else
    wait -n -p finished_pid "${pids[@]}"
    code=$?; finished_pid="${finished_pid:-}"
  fi
  set -e
  [ -n "$finished_pid" ] || break
  remaining=$(( remaining - 1 ))
  live=()
  for pid in "${pids[@]}"; do [ "$pid" = "$finished_pid" ] || live+=("$pid"); done
  pids=("${live[@]}")
  [ "$code" -ne 0 ] || continue
  rank="${rank_of_pid[$finished_pid]}"
  if [ "$code" -eq "$peer_failed_code" ] && [ -z "$failed_rank" ]; then
    failed_rank="$rank"; status="$code"; symptom_deadline=$(( SECONDS + 5 ))
    continue
  fi
  if [ "$code" -ne "$peer_failed_code" ]; then
    failed_rank="$rank"; status="$code"
    break
  fi
done
[ -z "$stop_signal" ] || finish_stop
if [ -n "$failed_rank" ]; then
  if [ "$status" -eq "$peer_failed_code" ]; then
    echo "launch: rank $failed_rank exited with code $status (it lost a peer: see its error above); stopping the other ranks" >&2
  else
    echo "launch: rank $failed_rank $(describe "$failed_rank" "$status"); stopping the other ranks" >&2
  fi
  stop_all_within_grace
fi
wait 2>/dev/null || true
[ -z "$stop_signal" ] || finish_stop
exit "$status"

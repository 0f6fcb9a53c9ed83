#!/usr/bin/env bash
# Starts one JVM per local rank, torchrun-style:
#   scripts/launch.sh [options] <command> [args...]
# Options take torchrun's spellings: --name=value or --name value, with '-' or '_' in the name.
#   --nproc-per-node N|gpu   ranks on this node; gpu: one per visible GPU (default 1)
#   --nnodes K               nodes in the job (default 1)
#   --node-rank R            this node's index in [0, K) (default 0; with K > 1, SLURM_NODEID)
#   --master-addr A          the host of rank 0, which hosts the rendezvous (default 127.0.0.1)
#   --master-port P          its port (default: a free one; required with K > 1)
#   --rdzv-endpoint A[:P]    the same as --master-addr A --master-port P (P defaults to 29400)
#   --rdzv-backend c10d|static, --rdzv-id ID
#                            accepted for torchrun command lines; rank 0 always hosts the store
#   --standalone             one node, rendezvous on a free local port
#   --log-dir DIR            where this node's output is also written, as DIR/node<R>.log
#                            (default: runs/logs/<date>-<time>-<command>)
#   --rank-from-env          run this process as one rank whose RANK, WORLD_SIZE, LOCAL_RANK,
#                            MASTER_ADDR, MASTER_PORT (or Slurm's variables) another launcher set,
#                            e.g. torchrun --no-python; needs LLEP_JOB_SECRET in the environment
#   --dry-run                print what would start, then exit
# Commands: comm-check, verify, plan, train, preview, generate, report, bench
#   ('<command> --help' for each).
# Each rank gets RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT and
# LLEP_JOB_SECRET; its output lines are prefixed with its rank. If any rank fails, the others are
# stopped and the launcher exits non-zero naming the rank. SIGINT/SIGTERM stop every rank (train:
# after its step, with a checkpoint), then exit 130/143.
# Java: the bundle's runtime/, else a JDK 25+ found by scripts/find-java.sh (JAVA_HOME, the java
# on PATH, the system's JVM folders, SDKMAN).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
nproc_per_node=1
nnodes=1
node_rank=""
master_addr="127.0.0.1"
master_port=""
log_dir=""
standalone=0
rank_from_env=0
dry_run=0
grace_seconds="${LLEP_STOP_GRACE_SECONDS:-10}"

usage() {
  awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "${BASH_SOURCE[0]}"
}

die() { echo "launch: $*" >&2; exit 2; }

# --- Arguments -------------------------------------------------------------------------------
# Each option is read as a name and a value: "--nproc_per_node=2" and "--nproc-per-node 2" alike.
# option_value checks the value and tells the loop (through value_args) whether it used the next
# argument.
option_value() {
  [ -n "$value" ] && { [ "$inline" -eq 1 ] || [[ "$value" != -* ]]; } || die "option $name needs a value"
  [ "$inline" -eq 1 ] || value_args=1
}
option_flag() { [ "$inline" -eq 0 ] || die "option $name takes no value"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --) shift; break ;;
    -h|--help) usage; exit 0 ;;
    --*=*) name="${1%%=*}"; value="${1#*=}"; inline=1 ;;
    --*) name="$1"; value="${2-}"; inline=0 ;;
    -?*) die "unknown option '$1' (see --help)" ;;
    *) break ;;
  esac
  shift
  name="${name//_/-}"
  value_args=0
  case "$name" in
    --nproc-per-node) option_value; nproc_per_node="$value" ;;
    --nnodes) option_value; nnodes="$value" ;;
    --node-rank) option_value; node_rank="$value" ;;
    --master-addr) option_value; master_addr="$value" ;;
    --master-port) option_value; master_port="$value" ;;
    --rdzv-endpoint)
      option_value
      if [[ "$value" =~ ^(.*):([0-9]+)$ ]]; then
        master_addr="${BASH_REMATCH[1]}"; master_port="${BASH_REMATCH[2]}"
      else
        master_addr="$value"; master_port=29400
      fi
      master_addr="${master_addr#[}"; master_addr="${master_addr%]}"
      ;;
    --rdzv-backend)
      option_value
      [[ "$value" =~ ^(c10d|static)$ ]] || die "--rdzv-backend $value is not supported (c10d or static; rank 0 hosts the store)"
      ;;
    --rdzv-id) option_value ;;  # jobs are told apart by LLEP_JOB_SECRET
    --standalone) option_flag; standalone=1 ;;
    --log-dir) option_value; log_dir="$value" ;;
    --rank-from-env) option_flag; rank_from_env=1 ;;
    --dry-run) option_flag; dry_run=1 ;;
    *) die "unknown option '$name' (see --help)" ;;
  esac
  [ "$value_args" -eq 0 ] || shift
done
[ $# -ge 1 ] || { usage >&2; exit 2; }

is_count() { [[ "$1" =~ ^[0-9]+$ ]]; }
if [ "$standalone" -eq 1 ]; then
  [ "$nnodes" = 1 ] || die "--standalone runs on one node, but --nnodes is $nnodes"
  [ -z "$master_port" ] || die "--standalone picks a free local port; drop --master-port/--rdzv-endpoint"
  master_addr="127.0.0.1"
fi
[[ "$nnodes" != *:* ]] || die "--nnodes $nnodes: elastic ranges are not supported; give the number of nodes"
is_count "$nnodes" && [ "$nnodes" -ge 1 ] || die "--nnodes must be a positive integer, got '$nnodes'"
if [ -z "$node_rank" ]; then
  node_rank=0
  if [ "$nnodes" -gt 1 ]; then
    [ -n "${SLURM_NODEID:-}" ] || die "--node-rank is required with --nnodes > 1 (outside Slurm)"
    node_rank="$SLURM_NODEID"
  fi
fi
is_count "$node_rank" && [ "$node_rank" -lt "$nnodes" ] || die "--node-rank must be in [0, $nnodes), got '$node_rank'"
# torchrun's agent keeps its own store on MASTER_PORT unless told not to; rank 0 must host ours there.
if [ "$rank_from_env" -eq 1 ] && [ "${TORCHELASTIC_USE_AGENT_STORE:-}" = True ]; then
  die "--rank-from-env under torchrun: its agent holds MASTER_PORT; run torchrun with --standalone or --rdzv-backend c10d, and export TORCH_DISABLE_SHARE_RDZV_TCP_STORE=1"
fi

# --- GPUs ------------------------------------------------------------------------------------
# CUDA_VISIBLE_DEVICES when set (entries up to the first invalid one, as CUDA reads it), else the
# GPUs nvidia-smi lists.
visible_gpus() {
  if [ -n "${CUDA_VISIBLE_DEVICES+set}" ]; then
    local count=0 entry
    IFS=',' read -r -a entries <<< "$CUDA_VISIBLE_DEVICES"
    for entry in "${entries[@]}"; do
      entry="${entry// /}"
      [[ "$entry" =~ ^([0-9]+|GPU-.+|MIG-.+)$ ]] || break
      count=$(( count + 1 ))
    done
    echo "$count"
  elif command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi -L 2>/dev/null | grep -c '^GPU ' || true
  else
    echo 0
  fi
}
if [ "$nproc_per_node" = gpu ]; then
  nproc_per_node="$(visible_gpus)"
  if [ "$nproc_per_node" -eq 0 ]; then
    if [ -n "${CUDA_VISIBLE_DEVICES+set}" ]; then
      die "--nproc-per-node gpu: CUDA_VISIBLE_DEVICES='$CUDA_VISIBLE_DEVICES' names no GPU"
    fi
    die "--nproc-per-node gpu: no GPU found (nvidia-smi -L lists none, or nvidia-smi is missing); give a number of ranks instead"
  fi
fi
is_count "$nproc_per_node" && [ "$nproc_per_node" -ge 1 ] || die "--nproc-per-node must be a positive integer or 'gpu', got '$nproc_per_node'"

# --- Java 25 ---------------------------------------------------------------------------------
if [ -x "$root/runtime/bin/java" ]; then
  java_bin="$root/runtime/bin/java"
  echo "launch: using the bundled Java runtime at $root/runtime" >&2
else
  # shellcheck source=find-java.sh
  source "$root/scripts/find-java.sh"
  llep_find_java launch 25 || exit 2
  java_bin="$LLEP_JAVA_HOME/bin/java"
fi

# libtorch's CUDA caching allocator with expandable segments, unless set otherwise: freed blocks
# are mapped into one growing segment instead of kept as fixed-size blocks, so memory freed by
# loading and by one pass is reused by the next instead of fragmenting the device.
export PYTORCH_CUDA_ALLOC_CONF="${PYTORCH_CUDA_ALLOC_CONF:-expandable_segments:True}"

if [ "$dry_run" -eq 1 ]; then
  echo "nproc_per_node=$nproc_per_node"
  echo "nnodes=$nnodes"
  echo "node_rank=$node_rank"
  echo "master_addr=$master_addr"
  echo "master_port=${master_port:-auto}"
  echo "log_dir=${log_dir:-auto}"
  echo "rank_from_env=$rank_from_env"
  echo "java=$java_bin"
  echo "cuda_alloc_conf=$PYTORCH_CUDA_ALLOC_CONF"
  echo "command=$*"
  exit 0
fi

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
read -r -a extra_java_opts <<< "${LLEP_JAVA_OPTS:-}"
java_command=("$java_bin" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow
  -Dai.djl.offline=true ${extra_java_opts[@]+"${extra_java_opts[@]}"} -cp "$classpath" ai.llep.trainer.cli.Main)

if [ "$rank_from_env" -eq 1 ]; then
  [ -n "${LLEP_JOB_SECRET:-}" ] || [ "${WORLD_SIZE:-${SLURM_NTASKS:-1}}" = 1 ] \
    || die "--rank-from-env: export the same LLEP_JOB_SECRET (64 hex digits, e.g. from 'openssl rand -hex 32') for every rank"
  LLEP_HOME="$root" exec "${java_command[@]}" "$@"
fi

# --- Rendezvous ------------------------------------------------------------------------------
port_in_use() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
if [ -z "$master_port" ]; then
  [ "$nnodes" -eq 1 ] || die "--master-port is required when --nnodes > 1"
  # Below the kernel's ephemeral range: a port that outgoing connections pick as their own local
  # port cannot be bound even though nothing listens on it, which the check below cannot see.
  ephemeral_low=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
  is_count "${ephemeral_low:-}" && [ "$ephemeral_low" -gt 21000 ] || ephemeral_low=60000
  for _ in $(seq 1 50); do
    candidate=$(( 20000 + RANDOM % (ephemeral_low - 20000) ))
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

# --- Log file --------------------------------------------------------------------------------
# The ranks' prefixed lines go to the console and, unchanged, to the log; so do the launcher's.
if [ -z "$log_dir" ]; then
  log_dir="runs/logs/$(date +%Y%m%d-%H%M%S)-$1"
fi
mkdir -p "$log_dir" || die "cannot create the log folder $log_dir"
log_file="$log_dir/node$node_rank.log"
: >> "$log_file" || die "cannot write the log file $log_file"
note() { echo "launch: $*" >&2; echo "launch: $*" >> "$log_file"; }
rank_output() { sed -u "s/^/[rank $1] /" | tee -a "$log_file"; }
note "logging to $log_file"

# --- Ranks -----------------------------------------------------------------------------------
world_size=$(( nnodes * nproc_per_node ))
cores="$(nproc 2>/dev/null || echo 1)"
threads_per_rank=$(( cores / nproc_per_node )); [ "$threads_per_rank" -ge 1 ] || threads_per_rank=1

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
      note "ranks still running ${budget}s after SIG$stop_signal; killing them"
      stop_all KILL
      break
    fi
    sleep 0.2
  done
  wait 2>/dev/null || true
  local code=130; [ "$stop_signal" = INT ] || code=143
  note "stopped by SIG$stop_signal (exit $code)"
  exit "$code"
}

for (( local_rank = 0; local_rank < nproc_per_node; local_rank++ )); do
  rank=$(( node_rank * nproc_per_node + local_rank ))
  RANK="$rank" LOCAL_RANK="$local_rank" WORLD_SIZE="$world_size" LOCAL_WORLD_SIZE="$nproc_per_node" \
  MASTER_ADDR="$master_addr" MASTER_PORT="$master_port" LLEP_HOME="$root" \
  OMP_NUM_THREADS="${OMP_NUM_THREADS:-$threads_per_rank}" \
    "${java_command[@]}" "$@" > >(trap '' INT TERM; rank_output "$rank") 2>&1 &
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
    note "rank $failed_rank exited with code $status (it lost a peer: see its error above); stopping the other ranks"
  else
    note "rank $failed_rank $(describe "$failed_rank" "$status"); stopping the other ranks"
  fi
  stop_all_within_grace
fi
wait 2>/dev/null || true
note "the output of this run is in $log_file"
[ -z "$stop_signal" ] || finish_stop
exit "$status"

#!/usr/bin/env bash
# A real single-node Slurm cluster on 127.0.0.1 for tests: munged, slurmctld and slurmd.
#   slurm/ci/cluster.sh start   -> prints `export SLURM_CONF=...` ; state under $SLURM_CI_RUN (default /tmp/dpo-agent-slurm)
#   slurm/ci/cluster.sh stop    -> stops the daemons by their pid files
#   slurm/ci/cluster.sh status
# Needs Debian's slurm-wlm and munge (`apt-get install -y slurm-wlm munge`) and root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
RUN=${SLURM_CI_RUN:-/tmp/dpo-agent-slurm}
CONF=$RUN/slurm.conf
NODE=$(hostname -s)
export SLURM_CONF=$CONF

need() { command -v "$1" >/dev/null || { echo "cluster.sh: $1 not found: apt-get install -y slurm-wlm munge" >&2; exit 1; }; }

stop_pid() {  # stop_pid NAME PIDFILE
  local f=$2
  if [ -f "$f" ]; then
    local pid; pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"; for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" || true
      echo "stopped $1 (pid $pid)"
    fi
    rm -f "$f"
  fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

case "${1:-}" in
start)
  need munged; need slurmctld; need slurmd; need sinfo
  mkdir -p "$RUN"/{munge,state,spool,log}
  chmod 700 "$RUN/munge"
  [ -f "$RUN/munge/munge.key" ] || { dd if=/dev/urandom bs=1 count=1024 of="$RUN/munge/munge.key" status=none; chmod 400 "$RUN/munge/munge.key"; }
  munged --force --key-file="$RUN/munge/munge.key" --socket="$RUN/munge/munge.socket.2" \
         --pid-file="$RUN/munge/munged.pid" --log-file="$RUN/log/munged.log" --seed-file="$RUN/munge/munge.seed"
  cpus=$(nproc); mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
  sed -e "s#@RUN@#$RUN#g" -e "s#@NODE@#$NODE#g" -e "s#@CPUS@#$cpus#g" -e "s#@MEM@#$mem#g" \
      -e "s#@CTLD_PORT@#$(free_port)#g" -e "s#@SLURMD_PORT@#$(free_port)#g" "$here/slurm.conf.in" > "$CONF"
  slurmctld -f "$CONF" -c
  slurmd -f "$CONF" -N "$NODE"
  for _ in $(seq 60); do
    state=$(sinfo -h -N -o %t 2>/dev/null | head -1 || true)
    case "$state" in idle*|mix*|alloc*) break;; esac
    sleep 1
  done
  state=$(sinfo -h -N -o %t 2>/dev/null | head -1 || true)
  case "$state" in idle*|mix*|alloc*) ;; *) echo "cluster.sh: node not ready (state '$state'); logs in $RUN/log" >&2; tail -20 "$RUN/log/slurmctld.log" "$RUN/log/slurmd.log" >&2; exit 1;; esac
  echo "export SLURM_CONF=$CONF"
  ;;
stop)
  stop_pid slurmd "$RUN/slurmd.pid"
  stop_pid slurmctld "$RUN/slurmctld.pid"
  stop_pid munged "$RUN/munge/munged.pid"
  ;;
status)
  sinfo; squeue
  ;;
*) echo "usage: $0 start|stop|status" >&2; exit 2;;
esac

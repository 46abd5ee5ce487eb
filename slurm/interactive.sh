#!/usr/bin/env bash
# An interactive `dpo-agent chat` on a GPU node:  slurm/interactive.sh [--adapter runs/X] [--model NAME]
# Partition / account / GPUs / time from the environment: PARTITION, ACCOUNT, GPUS (default 1), TIME (default 1:00:00).
set -euo pipefail
root=${DPO_AGENT_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
venv=${DPO_AGENT_VENV:-$root/.venv}
opts=(--gres="gpu:${GPUS:-1}" --time="${TIME:-1:00:00}" --cpus-per-task=4 --mem=32G)
[ -n "${PARTITION:-}" ] && opts+=(--partition="$PARTITION")
[ -n "${ACCOUNT:-}" ] && opts+=(--account="$ACCOUNT")
[ "${GPUS:-1}" = 0 ] && opts[0]=--gres=none
exec srun "${opts[@]}" --pty --chdir="$root" "$venv/bin/dpo-agent" chat "$@"

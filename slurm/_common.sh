# Sourced by the sbatch scripts: project root, venv, run folder and the papermill kernel.
# Every default can be overridden from the environment (sbatch passes the submitter's environment).
: "${DPO_AGENT_ROOT:=${SLURM_SUBMIT_DIR:-$PWD}}"       # the checkout holding nbs/ and .venv
: "${DPO_AGENT_VENV:=$DPO_AGENT_ROOT/.venv}"           # the virtualenv made by `make install`
: "${DPO_AGENT_KERNEL:=dpo-agent}"                     # Jupyter kernel papermill runs (make install registers it)
: "${DPO_AGENT_RUNS:=$DPO_AGENT_ROOT/runs}"            # where run folders go
cd "$DPO_AGENT_ROOT" || { echo "DPO_AGENT_ROOT=$DPO_AGENT_ROOT does not exist" >&2; exit 2; }
[ -x "$DPO_AGENT_VENV/bin/papermill" ] || { echo "no papermill in $DPO_AGENT_VENV: run 'make install' or set DPO_AGENT_VENV" >&2; exit 2; }
export PATH="$DPO_AGENT_VENV/bin:$PATH"
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
# a requeued job keeps its id: the same run folder, so it can resume
RUN_DIR=${RUN_DIR:-$DPO_AGENT_RUNS/slurm-${SLURM_JOB_NAME:-job}-${SLURM_JOB_ID:-local}}
mkdir -p "$RUN_DIR"
n_gpus() { if [ -n "${SLURM_GPUS_ON_NODE:-}" ]; then echo "$SLURM_GPUS_ON_NODE"; elif [ -n "${CUDA_VISIBLE_DEVICES:-}" ]; then echo "$CUDA_VISIBLE_DEVICES" | tr ',' '\n' | grep -c .; else echo 0; fi; }
echo "[$(date +%T)] job ${SLURM_JOB_ID:-local} on $(hostname) restart=${SLURM_RESTART_COUNT:-0} gpus=$(n_gpus) run=$RUN_DIR"

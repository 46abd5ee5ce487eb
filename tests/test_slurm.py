"""SLURM jobs on a real single-node cluster (started by `.ci/run` via slurm/ci/cluster.sh; needs SLURM_CONF).

The training notebook job runs with the tiny model on CPU (`--gres=none`): the same scripts and the same
papermill path as an A100 job, minus the GPU.
"""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slurm
ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CPU_JOB = ["--gres=none", "--cpus-per-task=1", "--mem=4G", "--time=20"]


@pytest.fixture(scope="module", autouse=True)
def cluster():
    if not os.environ.get("SLURM_CONF"):
        pytest.fail("SLURM_CONF is not set: start the CI cluster with `eval $(slurm/ci/cluster.sh start)` (done by .ci/run)")
    r = subprocess.run(["sinfo", "-h", "-o", "%t"], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip().startswith(("idle", "mix", "alloc")), r.stderr


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("slurm-data")
    subprocess.run([str(BIN / "dpo-agent"), "data", "--n", "120", "--seed", "3", "--out", str(d)], check=True, capture_output=True)
    return d


def submit(run_dir: Path, recipe: str, overrides: str) -> str:
    env = {**os.environ, "DPO_AGENT_ROOT": str(ROOT), "DPO_AGENT_VENV": str(BIN.parent)}
    argv = [
        str(BIN / "dpo-agent"),
        "submit",
        "train",
        "--recipe",
        recipe,
        "--gpus",
        "0",
        "--run-dir",
        str(run_dir),
        f"--sbatch={' '.join(CPU_JOB[1:])} --output={run_dir}.out",
    ]
    argv += [x for kv in overrides.split() for x in ("--set", kv)]
    r = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT)
    assert r.returncode == 0 and r.stdout.strip().isdigit(), r.stderr
    return r.stdout.strip()


def state(job: str) -> dict:
    from dpo_agent.slurm import job_state

    return job_state(job)


def wait(job: str, timeout: float = 900) -> dict:
    from dpo_agent.slurm import wait_job

    return wait_job(job, timeout=timeout, poll=2)


def steps_logged(run_dir: Path) -> list[int]:
    log = run_dir / "logs" / "train.jsonl"
    if not log.exists():
        return []
    rows = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    return [r["step"] for r in rows if r.get("stage", "dpo") == "dpo" and "loss" in r]


def test_train_notebook_job(tmp_path, data):
    run = tmp_path / "run"
    job = submit(run, "tiny", f"data={data} max_steps=4 save_steps=2")
    st = wait(job)
    out = Path(f"{run}.out").read_text()
    assert st["JobState"] == "COMPLETED" and st["ExitCode"] == "0:0", out[-3000:]
    # the executed notebook: every code cell ran, none raised, the plot was drawn
    nb = json.loads((run / "train.ipynb").read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c.get("execution_count") for c in code)
    assert not any(o.get("output_type") == "error" for c in code for o in c.get("outputs", []))
    assert nb["metadata"]["papermill"]["parameters"]["recipe"] == "tiny"
    # the adapter, loadable on the tiny base
    assert (run / "adapter_model.safetensors").stat().st_size > 0 and (run / "training.png").exists()
    from peft import PeftModel

    from dpo_agent.models import tiny_model

    base, _ = tiny_model()
    model = PeftModel.from_pretrained(base, str(run))
    assert any("lora_A" in n for n, _ in model.named_parameters())
    assert steps_logged(run) == [1, 2, 3, 4]


def test_preempted_job_requeues_and_resumes(tmp_path, data):
    run = tmp_path / "run"
    job = submit(run, "tiny", f"data={data} max_steps=14 save_steps=2")
    t0 = time.monotonic()
    while len(steps_logged(run)) < 3:  # training is under way, past its first checkpoint
        assert state(job)["JobState"] in ("PENDING", "RUNNING", "CONFIGURING"), Path(f"{run}.out").read_text()[-3000:]
        assert time.monotonic() - t0 < 600, "training did not start"
        time.sleep(1)
    # what SLURM does before a time limit or preemption (--signal=B:USR1@120): USR1 to the batch shell
    subprocess.run(["scancel", "--signal=USR1", "--batch", job], check=True)
    st = wait(job)
    out = Path(f"{run}.out").read_text()
    assert st["JobState"] == "COMPLETED" and int(st["Restarts"]) == 1, out[-3000:]
    assert "requeueing job" in out and "got SIGUSR1" in out
    m = re.search(r"resuming \S+ from \S*checkpoint-(\d+)", out)
    assert m and int(m.group(1)) >= 2, out[-3000:]  # resumed from its checkpoint, not from step 0
    resumed_at = int(m.group(1))
    assert steps_logged(run) == list(range(1, 15))  # the log continues after the checkpoint, no step twice
    assert (run / "adapter_config.json").exists() and (run / "train.attempt-0.ipynb").exists()
    assert resumed_at < 14

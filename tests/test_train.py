"""Training: the recipe parser, the real `dpo-agent train` under SIGTERM, and the loss options, on the tiny model."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dpo_agent.train import EXIT_PREEMPTED, ConfigError, TrainConfig, list_recipes, load_recipe, pairs_limit, read_log, recipe_path, train

EXE = shutil.which("dpo-agent", path=str(Path(sys.executable).parent)) or "dpo-agent"


def toy_data(d: Path, n: int = 8) -> Path:
    "Short prompts (a one-line system prompt): the mechanics, not the protocol, are under test here."
    d.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(n):
        call = json.dumps({"tool": "calculator", "args": {"expression": f"{i} + 1"}})
        rows.append(
            {
                "prompt": [{"role": "system", "content": "Use the calculator."}, {"role": "user", "content": f"What is {i} plus one?"}],
                "chosen": [{"role": "assistant", "content": f"Thought: I will add.\nAction: ```json\n{call}\n```"}],
                "rejected": [{"role": "assistant", "content": f"It is {i + 2}."}],
                "tools_offered": [{"name": "calculator"}],
                "rejected_kind": "no_action",
                "step": 0,
            }
        )
    for split in ("train", "test"):
        (d / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return d


def test_every_recipe_loads_and_states_its_command():
    names = list_recipes()
    assert {"llama3-8b", "tinyllama-1.1b", "smollm2-135m-cpu", "tiny"} <= set(names)
    for n in names:
        cfg = load_recipe(n)
        assert isinstance(cfg, TrainConfig) and cfg.name == n
        assert recipe_path(n).read_text().startswith(f"# dpo-agent train --recipe {n}")


def test_misspelled_key_names_key_and_file(tmp_path):
    p = tmp_path / "mine.yaml"
    p.write_text("model: tiny\nbeta: 0.1\nlora_rank: 8\n")
    with pytest.raises(ConfigError) as e:
        load_recipe(p)
    assert "'lora_rank'" in str(e.value) and str(p) in str(e.value) and "lora_r" in str(e.value)
    with pytest.raises(ConfigError, match="beta: expected float"):
        p.write_text("beta: high\n")
        load_recipe(p)


@pytest.mark.parametrize("loss", [["ipo"], ["sigmoid", "sft"]])
def test_loss_options_train(tmp_path, loss):
    res = train(
        load_recipe(
            "tiny",
            {
                "data": str(toy_data(tmp_path / "d")),
                "output_dir": str(tmp_path / "o"),
                "max_steps": 2,
                "loss_type": loss,
                "tensorboard": False,
            },
        )
    )
    rows = [r for r in read_log(res.log_path, "dpo") if "loss" in r]
    assert [r["step"] for r in rows] == [1, 2]
    assert all(r["loss"] == r["loss"] and "rewards/margins" in r for r in rows)
    if loss == ["ipo"]:  # IPO at the reference: (0 - 1/(2 beta))^2 = 25 for beta 0.1
        assert abs(rows[0]["loss"] - 25.0) < 1e-3


def test_cli_sigterm_leaves_a_loadable_checkpoint(tmp_path):
    from peft import PeftModel

    from dpo_agent.models import tiny_model

    out = tmp_path / "run"
    cmd = [
        EXE,
        "train",
        "--recipe",
        "tiny",
        "--set",
        f"data={toy_data(tmp_path / 'd')}",
        "--output-dir",
        str(out),
        "--set",
        "max_steps=500",
        "--set",
        "save_steps=1000",
        "--set",
        "tensorboard=false",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    log = out / "logs" / "train.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None and not log.exists():
        time.sleep(0.2)
    assert proc.poll() is None, proc.communicate()
    os.kill(proc.pid, signal.SIGTERM)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == EXIT_PREEMPTED, stderr[-2000:]
    assert "--resume" in stderr
    ckpts = sorted(out.glob("checkpoint-*"))
    assert len(ckpts) == 1 and int(ckpts[0].name.split("-")[1]) < 500
    model = PeftModel.from_pretrained(tiny_model()[0], str(ckpts[0]))
    assert any("lora_A" in n for n, _ in model.named_parameters())
    assert not (out / "adapter_config.json").exists()  # no final adapter: the run is not finished


@pytest.mark.parametrize("mode", ["system", "prompt"])
def test_detach_prompt_trains_both_stages(tmp_path, mode):
    over = {
        "data": str(toy_data(tmp_path / "d")),
        "output_dir": str(tmp_path / "o"),
        "max_steps": 2,
        "sft_steps": 2,
        "detach_prompt": mode,
        "tensorboard": False,
    }
    res = train(load_recipe("tiny", over))
    for stage in ("sft", "dpo"):
        assert [r["step"] for r in read_log(res.log_path, stage) if "loss" in r] == [1, 2]
    calls = res.model.get_base_model()._shared_prompt_calls  # every DPO training forward took the detached path
    assert calls["detached"] > 0 and calls["fallback"] == 0, calls


def test_detach_prompt_bad_values():
    with pytest.raises(ConfigError, match="detach_prompt: 'all' is not one of none, system, prompt"):
        load_recipe("tiny", {"detach_prompt": "all"})
    with pytest.raises(ConfigError, match="detach_prompt: needs shared_prompt"):
        load_recipe("tiny", {"detach_prompt": "system", "shared_prompt": False})


def test_pairs_limit_per_stage():
    cfg = load_recipe("tiny", {"max_steps": 4, "sft_steps": 6})  # batch 2 x grad-accum 1
    assert (pairs_limit(cfg), pairs_limit(cfg, "dpo")) == (12, 8)  # the warm-up reaches further
    cfg = load_recipe("tiny", {"max_steps": 4, "sft_steps": 2})
    assert (pairs_limit(cfg), pairs_limit(cfg, "dpo")) == (8, 8)  # a shorter warm-up reuses the DPO pairs
    cfg = load_recipe("tiny", {"max_steps": 4, "sft_steps": 6, "max_pairs": 10})
    assert (pairs_limit(cfg), pairs_limit(cfg, "dpo")) == (10, 8)
    with pytest.raises(ValueError, match="stage must be 'all' or 'dpo'"):
        pairs_limit(cfg, "sft")


def two_stage_recipe(tmp_path, **over):
    "The tiny recipe on 12 toy pairs, 2 DPO steps (batch 2), with `over` (the SFT warm-up's length, dpo)."
    base = {"data": str(toy_data(tmp_path / "d", n=12)), "output_dir": str(tmp_path / "o"), "max_steps": 2, "tensorboard": False}
    return load_recipe("tiny", {**base, **over})


def test_longer_sft_warmup_trains_on_more_pairs(tmp_path):
    res = train(two_stage_recipe(tmp_path, sft_steps=6))
    card = (res.output_dir / "README.md").read_text()
    assert "used_pairs: 12" in card and "dpo_pairs: 4" in card, card
    for stage, steps in (("sft", 6), ("dpo", 2)):  # each stage makes exactly one pass over its own pairs (batch 2)
        logged = [r for r in read_log(res.log_path, stage) if "loss" in r]
        assert [r["step"] for r in logged] == list(range(1, steps + 1))
        assert logged[-1]["epoch"] == pytest.approx(1.0), (stage, logged[-1])


def test_sft_only_run_saves_the_warmup_adapter(tmp_path):
    cfg = two_stage_recipe(tmp_path, sft_steps=3, dpo=False)
    assert (pairs_limit(cfg), pairs_limit(cfg, "dpo")) == (6, 0)  # no DPO stage: its pairs are none
    res = train(cfg)
    assert [r["step"] for r in read_log(res.log_path, "sft") if "loss" in r] == [1, 2, 3]
    assert read_log(res.log_path, "dpo") == []  # the DPO stage never ran
    assert (res.output_dir / "adapter_model.safetensors").is_file() and res.adapter_dir == res.output_dir
    assert res.metrics["steps"] == 3 and "rewards/accuracies" not in res.metrics, res.metrics
    assert "used_pairs: 6" in (res.output_dir / "README.md").read_text()


def test_sft_only_bad_values():
    with pytest.raises(ConfigError, match="dpo: false .* needs sft_steps > 0"):
        load_recipe("tiny", {"dpo": False, "sft_steps": 0})
    with pytest.raises(ConfigError, match="eval_pairs: scores the DPO stage"):
        load_recipe("tiny", {"dpo": False, "sft_steps": 2, "eval_pairs": 4})

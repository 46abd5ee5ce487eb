"""`dpo-agent chat` driven through a pseudo-terminal, as a person would use it."""

import os
import re
import shutil
import sys
from pathlib import Path

import pexpect
import pytest

EXE = shutil.which("dpo-agent", path=str(Path(sys.executable).parent)) or "dpo-agent"
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
PROMPT = "you>"


def spawn(tmp_path, *args, timeout=180):
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "DPO_AGENT_HOME": str(tmp_path),
        "TERM": "xterm-256color",
        "COLUMNS": "160",
        "LINES": "50",
    }
    env.pop("NO_COLOR", None)
    child = pexpect.spawn(EXE, ["chat", *args], env=env, encoding="utf-8", timeout=timeout, dimensions=(50, 160))
    child.expect(PROMPT)
    return child


def read_until_prompt(child) -> str:
    "Everything the program printed up to its next prompt, without colour codes."
    child.expect(PROMPT)
    return ANSI.sub("", child.before)


def test_chat_tiny_model(tmp_path):
    child = spawn(tmp_path, "--model", "tiny", "--constrained", "--max-new-tokens", "12", "--max-steps", "2")
    banner = ANSI.sub("", child.before)
    assert "model tiny" in banner and "constrained decoding" in banner and "/tools" in banner
    child.sendline("What is 17 * 23?")
    turn = read_until_prompt(child)
    # the request is echoed by the terminal, then the rendered turns: constrained, so each starts with a Thought
    assert "What is 17 * 23?" in turn
    assert len(re.findall(r"^Thought: ", turn, re.MULTILINE)) == 2, turn
    # 12 tokens of a random model never finish the thought: a malformed turn, reported, and the step limit
    assert "Malformed turn: " in turn and "neither an Action nor a Final Answer" in turn, turn
    assert "step limit" in turn, turn
    child.sendline("/tools")
    tools = read_until_prompt(child)
    for name in ("calculator", "search", "calendar", "expression*"):
        assert name in tools, tools
    child.sendline("/reset")
    assert "(conversation cleared)" in read_until_prompt(child)
    child.sendline("/bogus")
    assert "unknown command /bogus" in read_until_prompt(child)
    child.sendline("/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_chat_ctrl_d_and_bad_args(tmp_path):
    child = spawn(tmp_path, "--model", "tiny")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    child = pexpect.spawn(
        EXE,
        ["chat", "--model", "tiny", "--today", "31/12/2026"],
        encoding="utf-8",
        timeout=60,
        env={**os.environ, "DPO_AGENT_HOME": str(tmp_path)},
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2 and "31/12/2026" in ANSI.sub("", child.before)


@pytest.mark.slow
def test_chat_embedded_model(tmp_path):
    child = spawn(tmp_path, "--model", "smollm2-135m", "--max-new-tokens", "96", "--max-steps", "2", "--today", "2026-11-24", timeout=600)
    child.sendline("What is 12 * 7?")
    turn = read_until_prompt(child)
    # whatever the base model writes, the program shows it as labelled parts of a turn
    assert re.search(r"^(Thought|Action|Observation|Final Answer|Malformed turn): ", turn, re.MULTILINE), turn
    child.sendline("/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

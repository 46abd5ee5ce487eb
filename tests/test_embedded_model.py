"""The real embedded model: dequantized weights must be sane, not just loadable."""

import pytest
import torch

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smol():
    from dpo_agent.models import load_model

    return load_model("smollm2-135m", device="cpu")


def test_knows_a_fact(smol):
    # random or wrongly dequantized weights would not put " Paris" on top
    model, tok = smol
    ids = tok("The capital of France is", return_tensors="pt").input_ids
    with torch.no_grad():
        logits = model(ids).logits[0, -1]
    assert tok.decode(logits.argmax()).strip() == "Paris"


def test_trainable_after_clearing_quantization(smol):
    from peft import LoraConfig, get_peft_model

    model, tok = smol
    assert getattr(model.config, "quantization_config", None) is None
    pm = get_peft_model(model, LoraConfig(r=4, target_modules=["q_proj", "v_proj"]))
    ids = tok("Thought: I will use the calculator.", return_tensors="pt").input_ids
    loss = pm(ids, labels=ids).loss
    loss.backward()
    grads = [p.grad for n, p in pm.named_parameters() if "lora_A" in n]
    assert grads and all(g is not None for g in grads) and torch.isfinite(loss)
    pm.unload()

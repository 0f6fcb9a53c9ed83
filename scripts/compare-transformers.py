#!/usr/bin/env python3
"""Trains a Hugging Face MoE model with transformers + torch.optim.AdamW, for side-by-side timing.

Runs where torch and transformers are installed (a GPU node, usually). It builds the model from a
config.json (or the preset below) with random weights, trains it on a fixed synthetic batch of
packed token rows, and prints seconds per step and peak device memory in the same units as the
`train` command's end-of-run summary, so that both can be read side by side:

  python3 scripts/compare-transformers.py --preset qwen3-moe-1b --precision bf16
  python3 scripts/compare-transformers.py --preset qwen3-moe-1b --precision bf16 \
      --save-model runs/qwen3-moe-1b --save-data runs/qwen3-moe-1b/batch.jsonl

With `--lora-rank`, the model is fine-tuned with PEFT's LoRA instead (a frozen base in the training
precision, adapters in float32 as peft keeps them, AdamW over the adapters alone), for the LoRA
comparison on a large model whose weights `train` draws itself (model.weights=random):

  python3 scripts/compare-transformers.py --preset qwen3-moe-30b-a3b --precision bf16 \
      --batch 4 --seq 2048 --lora-rank 16 --save-config runs/qwen3-moe-30b-a3b

`--save-config` writes only config.json and the byte-level tokenizer.json (the weights of both
sides are then random draws of their own, the same shapes and initialisation, not the same values).

`--save-model` writes the same randomly initialised model in Hugging Face layout (config.json,
model.safetensors, a byte-level tokenizer.json) and `--save-data` the same token rows as JSONL
(`{"input_ids": [...]}` per row), so that `train` can run the identical model and batch.

Precision: `bf16` casts the model to bfloat16 and trains it there (AdamW's moments follow the
parameters' dtype, as a plain `model.to(torch.bfloat16)` fine-tune does); `tf32` trains in float32
with TF32 matmuls; `float32` without TF32.

Peak memory is reported two ways: `max allocated` (torch's caching allocator statistic) and
`device used` (the device's used memory from cudaMemGetInfo after the timed steps, minus what was
in use before the model was built: the caching allocator keeps its high-water mark reserved, so
this is the process's peak footprint, allocator slack and CUDA workspaces included). `train` can
only measure the second, so compare `device used` with `device used`.
"""

import argparse
import json
import math
import os
import statistics
import sys
import time

PRESETS = {
    # The model of the compute-core comparison: Qwen3-MoE-shaped, 1.14B parameters.
    "qwen3-moe-1b": {
        "architectures": ["Qwen3MoeForCausalLM"],
        "model_type": "qwen3_moe",
        "vocab_size": 151936,
        "hidden_size": 1024,
        "intermediate_size": 3072,
        "moe_intermediate_size": 512,
        "num_hidden_layers": 8,
        "num_attention_heads": 16,
        "num_key_value_heads": 4,
        "head_dim": 64,
        "num_experts": 64,
        "num_experts_per_tok": 8,
        "norm_topk_prob": True,
        "decoder_sparse_step": 1,
        "mlp_only_layers": [],
        "tie_word_embeddings": False,
        "max_position_embeddings": 4096,
        "rms_norm_eps": 1e-6,
        "rope_theta": 1000000.0,
        "output_router_logits": False,
        "router_aux_loss_coef": 0.0,
    },
    # Qwen3-30B-A3B's shape (30.5B parameters, 3.3B active per token), random weights.
    "qwen3-moe-30b-a3b": {
        "architectures": ["Qwen3MoeForCausalLM"],
        "model_type": "qwen3_moe",
        "vocab_size": 151936,
        "hidden_size": 2048,
        "intermediate_size": 6144,
        "moe_intermediate_size": 768,
        "num_hidden_layers": 48,
        "num_attention_heads": 32,
        "num_key_value_heads": 4,
        "head_dim": 128,
        "num_experts": 128,
        "num_experts_per_tok": 8,
        "norm_topk_prob": True,
        "decoder_sparse_step": 1,
        "mlp_only_layers": [],
        "tie_word_embeddings": False,
        "max_position_embeddings": 40960,
        "rms_norm_eps": 1e-6,
        "rope_theta": 1000000.0,
        "output_router_logits": False,
        "router_aux_loss_coef": 0.0,
    },
}

# What --lora-targets names, as peft 0.21 takes it on transformers 5: attention projections as
# modules, the experts' fused 3-d parameters as target_parameters.
EXPERT_PARAMETERS = {
    "experts.gate_up_proj": "mlp.experts.gate_up_proj",
    "experts.down_proj": "mlp.experts.down_proj",
}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--preset", choices=sorted(PRESETS), help="a built-in model config")
    source.add_argument("--config", help="a config.json (any transformers causal-LM MoE config)")
    p.add_argument("--precision", choices=["bf16", "tf32", "float32"], default="bf16")
    p.add_argument("--batch", type=int, default=8, help="rows per step")
    p.add_argument("--seq", type=int, default=1024, help="tokens per row")
    p.add_argument("--steps", type=int, default=20, help="timed steps")
    p.add_argument("--warmup", type=int, default=5, help="untimed steps before the timed ones")
    p.add_argument("--lr", type=float, default=1e-5)
    p.add_argument("--grad-clip", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--attn", default="sdpa", help="transformers attn_implementation")
    p.add_argument("--experts", default=None, help="transformers experts_implementation (default: its own)")
    p.add_argument("--device", default="cuda")
    p.add_argument("--lora-rank", type=int, default=0, help="LoRA rank (0 = full fine-tuning)")
    p.add_argument("--lora-alpha", type=float, default=32)
    p.add_argument(
        "--lora-targets",
        default="q_proj,k_proj,v_proj,o_proj,experts.gate_up_proj,experts.down_proj",
        help="comma-separated, as train's lora.targets",
    )
    p.add_argument(
        "--grad-ckpt",
        action="store_true",
        help="gradient checkpointing (recompute each layer in backward), as train.activation-checkpointing=full",
    )
    p.add_argument("--save-model", help="write the random model (HF layout) to this folder")
    p.add_argument("--save-config", help="write only config.json and tokenizer.json to this folder")
    p.add_argument("--save-data", help="write the token rows as JSONL to this file")
    p.add_argument("--save-only", action="store_true", help="write --save-config/--save-data, train nothing")
    p.add_argument("--json", help="also write the results as JSON to this file")
    return p.parse_args()


def build_config(args):
    from transformers import AutoConfig

    if args.preset:
        raw = dict(PRESETS[args.preset])
    else:
        with open(args.config) as f:
            raw = json.load(f)
    model_type = raw.pop("model_type")
    config = AutoConfig.for_model(model_type, **raw)
    config._attn_implementation = args.attn
    if args.experts:
        config._experts_implementation = args.experts
    return config


def token_rows(args, vocab):
    import torch

    g = torch.Generator().manual_seed(args.seed)
    return torch.randint(0, vocab, (args.batch, args.seq), generator=g)


def device_used(torch, device):
    free, total = torch.cuda.mem_get_info(device)
    return total - free


def save_model(model, config, folder):
    import torch

    os.makedirs(folder, exist_ok=True)
    model.save_pretrained(folder, safe_serialization=True)
    write_byte_tokenizer(folder, config.vocab_size)


def save_config(config, folder, dtype_name):
    os.makedirs(folder, exist_ok=True)
    config.dtype = dtype_name
    config.save_pretrained(folder)
    write_byte_tokenizer(folder, config.vocab_size)


def with_lora(model, args):
    from peft import LoraConfig, get_peft_model

    targets = [t for t in args.lora_targets.split(",") if t]
    lora = LoraConfig(
        r=args.lora_rank,
        lora_alpha=args.lora_alpha,
        lora_dropout=0.0,
        target_modules=[t for t in targets if t not in EXPERT_PARAMETERS],
        target_parameters=[EXPERT_PARAMETERS[t] for t in targets if t in EXPERT_PARAMETERS] or None,
    )
    return get_peft_model(model, lora)


def write_byte_tokenizer(folder, vocab):
    """A tokenizer.json whose first 256 ids are bytes; the model's other ids are reachable only
    through pre-tokenized data (the benchmark's data is pre-tokenized)."""
    from tokenizers import Tokenizer, models, pre_tokenizers, decoders

    alphabet = pre_tokenizers.ByteLevel.alphabet()
    vocab_map = {ch: i for i, ch in enumerate(sorted(alphabet))}
    tok = Tokenizer(models.BPE(vocab=vocab_map, merges=[]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens(["<|endoftext|>"])
    tok.save(os.path.join(folder, "tokenizer.json"))
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump({"eos_token": "<|endoftext|>", "model_max_length": 1 << 20}, f)


def main():
    args = parse_args()
    # As scripts/launch.sh sets it for `train`, so that both sides run the same allocator.
    os.environ.setdefault("PYTORCH_CUDA_ALLOC_CONF", "expandable_segments:True")
    import torch
    import transformers
    try:
        import peft
    except ImportError:
        peft = None
    from transformers import AutoModelForCausalLM

    torch.manual_seed(args.seed)
    cuda = args.device.startswith("cuda")
    torch.backends.cuda.matmul.allow_tf32 = args.precision == "tf32"
    torch.backends.cudnn.allow_tf32 = args.precision == "tf32"
    dtype = torch.bfloat16 if args.precision == "bf16" else torch.float32

    config = build_config(args)
    rows = token_rows(args, config.vocab_size)
    if args.save_data:
        os.makedirs(os.path.dirname(os.path.abspath(args.save_data)), exist_ok=True)
        with open(args.save_data, "w") as f:
            for row in rows.tolist():
                f.write(json.dumps({"input_ids": row}) + "\n")

    if args.save_config:
        save_config(config, args.save_config, "bfloat16" if args.precision == "bf16" else "float32")
    if args.save_only:
        if args.save_model:
            sys.exit("--save-only writes --save-config and --save-data; --save-model needs the model trained here")
        return 0
    if cuda:
        torch.cuda.init()
        torch.cuda.synchronize()
        before = device_used(torch, args.device)
    if args.save_model:
        # Drawn in float32 on the host, so that the saved weights are the ones trained here.
        model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
        save_model(model, config, args.save_model)
        model = model.to(device=args.device, dtype=dtype)
    else:
        # Drawn on the device in the training dtype: a 30B model never fits the host in float32.
        with torch.device(args.device):
            model = AutoModelForCausalLM.from_config(config, dtype=dtype)
    params = sum(p.numel() for p in model.parameters())
    if args.grad_ckpt:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    if args.lora_rank > 0:
        model = with_lora(model, args)
    model.train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=args.lr, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.0)
    ids = rows.to(args.device)

    times = []
    losses = []
    for step in range(args.warmup + args.steps):
        if cuda:
            torch.cuda.synchronize()
        start = time.perf_counter()
        out = model(input_ids=ids, labels=ids)
        out.loss.backward()
        if args.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(trainable, args.grad_clip)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        loss = out.loss.item()  # a host sync, as `train` reads its loss every step
        if cuda:
            torch.cuda.synchronize()
        elapsed = time.perf_counter() - start
        losses.append(loss)
        if step >= args.warmup:
            times.append(elapsed)

    tokens = args.batch * args.seq
    median = statistics.median(times)
    result = {
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "peft": peft.__version__ if peft else None,
        "allocator": os.environ["PYTORCH_CUDA_ALLOC_CONF"],
        "device": torch.cuda.get_device_name(args.device) if cuda else "cpu",
        "precision": args.precision,
        "attn_implementation": args.attn,
        "experts_implementation": getattr(config, "_experts_implementation", None),
        "parameters": params,
        "trainable_parameters": sum(p.numel() for p in trainable),
        "gradient_checkpointing": args.grad_ckpt,
        "method": f"lora r={args.lora_rank}" if args.lora_rank > 0 else "full",
        "batch": [args.batch, args.seq],
        "median_step_seconds": median,
        "tokens_per_second": tokens / median,
        "first_loss": losses[0],
        "last_loss": losses[-1],
    }
    if cuda:
        result["peak_max_allocated_gib"] = torch.cuda.max_memory_allocated(args.device) / 2**30
        result["peak_max_reserved_gib"] = torch.cuda.max_memory_reserved(args.device) / 2**30
        result["peak_device_used_gib"] = (device_used(torch, args.device) - before) / 2**30

    print(f"transformers {result['transformers']}, torch {result['torch']}, {result['device']}")
    print(
        f"model {params / 1e9:.3f}B parameters ({result['method']}, "
        f"{result['trainable_parameters'] / 1e6:,.1f}M trainable), {args.precision}, attention {args.attn}, "
        f"experts {result['experts_implementation'] or 'default'}, batch {args.batch} x {args.seq}"
    )
    print(f"loss {losses[0]:.4f} -> {losses[-1]:.4f} over {len(losses)} steps")
    summary = (
        f"summary: median step {median:.3f} s after {args.warmup} warm-up steps, "
        f"{tokens / median:,.0f} tokens/s"
    )
    if cuda:
        summary += (
            f", peak device used {result['peak_device_used_gib']:.1f} GiB"
            f" (max allocated {result['peak_max_allocated_gib']:.1f} GiB,"
            f" max reserved {result['peak_max_reserved_gib']:.1f} GiB)"
        )
    print(summary)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())

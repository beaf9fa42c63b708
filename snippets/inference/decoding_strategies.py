from transformers import AutoModelForCausalLM, AutoTokenizer, set_seed

tokenizer = AutoTokenizer.from_pretrained("checkpoints/tiny-gpt2-austen")
model = AutoModelForCausalLM.from_pretrained("checkpoints/tiny-gpt2-austen")
prompt = tokenizer("It is a truth universally", return_tensors="pt")


def repeated_share(ids: list[int]) -> float:
    """The share of 3-token runs in the new text that already appeared earlier in it."""
    runs = [tuple(ids[i : i + 3]) for i in range(len(ids) - 2)]
    return sum(run in runs[:i] for i, run in enumerate(runs)) / len(runs)


STRATEGIES = {
    "貪欲法(greedy)": {"do_sample": False},
    "ビームサーチ(4 本)": {"do_sample": False, "num_beams": 4},
    "貪欲法 + repetition_penalty=1.3": {"do_sample": False, "repetition_penalty": 1.3},
    "サンプリング temperature=0.7": {"do_sample": True, "temperature": 0.7, "top_k": 0},
    "サンプリング temperature=1.3": {"do_sample": True, "temperature": 1.3, "top_k": 0},
    "サンプリング top_k=10": {"do_sample": True, "top_k": 10},
    "サンプリング top_p=0.9": {"do_sample": True, "top_p": 0.9, "top_k": 0},
}
for name, settings in STRATEGIES.items():
    set_seed(0)  # the same draws on every build
    out = model.generate(**prompt, max_new_tokens=40, pad_token_id=tokenizer.pad_token_id, **settings)
    new = out[0, prompt["input_ids"].shape[1] :].tolist()
    print(f"{name}: 繰り返し {repeated_share(new):.0%}")
    print("   ", repr(tokenizer.decode(new)))

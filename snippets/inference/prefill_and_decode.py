import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained("checkpoints/tiny-gpt2-austen")
model = AutoModelForCausalLM.from_pretrained("checkpoints/tiny-gpt2-austen")
prompt = tokenizer("It is a truth universally", return_tensors="pt")["input_ids"]
print("プロンプトのトークン:", tokenizer.convert_ids_to_tokens(prompt[0]))

# Prefill: one forward pass over the whole prompt. The model scores the next token at *every* position,
# but only the last position's scores say what comes after the prompt.
with torch.no_grad():
    out = model(prompt, use_cache=True)
print("logits の形(文の数, トークン数, 語彙):", tuple(out.logits.shape))
# the cache: per layer, the keys and values of every prompt token (sentences, heads, tokens, numbers per head)
print("キャッシュ(層の数, 第 1 層の keys の形):", len(out.cache.layers), tuple(out.cache.layers[0].keys.shape))
probabilities = out.logits[0, -1].softmax(dim=-1)
top = probabilities.topk(5)
print("次のトークンの候補 top-5:")
for p, i in zip(top.values, top.indices):
    print(f"  {tokenizer.convert_ids_to_tokens(int(i))!r:>14} {p:.3f}")

# Decode: one token at a time. Each step feeds only the newest token; what the model computed for the
# earlier tokens (their keys and values) comes back from the cache the previous step returned.
ids, cache = prompt, out.cache
next_id = out.logits[0, -1].argmax().view(1, 1)
for step in range(12):
    ids = torch.cat([ids, next_id], dim=1)
    with torch.no_grad():
        out = model(next_id, cache=cache, use_cache=True)
    cache, next_id = out.cache, out.logits[0, -1].argmax().view(1, 1)
print("手で 12 トークン:", repr(tokenizer.decode(ids[0])))
print("キャッシュの第 1 層の keys の形:", tuple(cache.layers[0].keys.shape))

# generate() with greedy decoding does the same loop.
generated = model.generate(prompt, max_new_tokens=12, do_sample=False)
print("generate() と同じ:", generated[0].tolist() == ids[0].tolist())

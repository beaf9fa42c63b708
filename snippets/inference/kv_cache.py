import time

import matplotlib.pyplot as plt
import matplotlib_fontja  # 図の中の日本語のためのフォント。import するだけで使われる
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, GPT2Config, GPT2LMHeadModel

tokenizer = AutoTokenizer.from_pretrained("checkpoints/tiny-gpt2-austen")
tiny = AutoModelForCausalLM.from_pretrained("checkpoints/tiny-gpt2-austen")
prompt = tokenizer("It is a truth universally", return_tensors="pt")["input_ids"]

# The cache changes how much is computed, not the answer.
answers = [
    tiny.generate(prompt, max_new_tokens=50, do_sample=False, use_cache=flag, pad_token_id=tokenizer.pad_token_id)
    for flag in (True, False)
]
print("小さな GPT-2 の 50 トークン、キャッシュあり・なしで同じ:", answers[0].tolist() == answers[1].tolist())

# How many token positions a forward pass computes to write n tokens after a prompt of p tokens: with the
# cache, p once (prefill) and then 1 per step; without it, the whole sequence again at every step.
p, n = prompt.shape[1], 150
print(f"プロンプト {p} トークンの後に {n} トークン: 計算する位置はキャッシュあり {p + n - 1}、なし {sum(p + k for k in range(n))}")

# Timing needs more work per step than our tiny model has: a wider, deeper GPT-2 with random weights
# (the words are noise; only the time matters). Each decoding step is timed, with and without the cache.
torch.manual_seed(0)
larger = GPT2LMHeadModel(GPT2Config(vocab_size=1000, n_positions=256, n_embd=256, n_layer=4, n_head=4, bos_token_id=0, eos_token_id=0)).eval()


def step_times(use_cache: bool, steps: int = n) -> list[float]:
    ids, cache, times = prompt, None, []
    with torch.no_grad():
        for _ in range(steps):
            started = time.perf_counter()
            if use_cache:
                out = larger(ids[:, -1:] if cache is not None else ids, cache=cache, use_cache=True)
                cache = out.cache
            else:
                out = larger(ids, use_cache=False)
            ids = torch.cat([ids, out.logits[:, -1].argmax(-1, keepdim=True)], dim=1)
            times.append(time.perf_counter() - started)
    return times


step_times(True, 10)  # warm-up: the first passes allocate
cached, uncached = step_times(True), step_times(False)
# Times change from run to run (the approved output has "..." there); the shape of the curves is what to read.
print(f"4 層・256 次元で {n} トークン: キャッシュあり {sum(cached):.2f} 秒、なし {sum(uncached):.2f} 秒"
      f"({sum(uncached) / sum(cached):.1f} 倍)")
# steps 2 to 11: the first step (the prefill of the whole prompt) is not a decoding step
print(f"  2〜11 ステップ目の平均: あり {1000 * sum(cached[1:11]) / 10:.1f} ms、なし {1000 * sum(uncached[1:11]) / 10:.1f} ms")
print(f"  最後の 10 ステップの平均: あり {1000 * sum(cached[-10:]) / 10:.1f} ms、なし {1000 * sum(uncached[-10:]) / 10:.1f} ms")
# The course's two latency measures, with the cache: the first step is the prefill of the whole prompt.
print(f"  キャッシュあり: 最初のトークンまで(TTFT){1000 * cached[0]:.1f} ms、"
      f"そのあと 1 トークンあたり(TPOT){1000 * sum(cached[1:]) / (n - 1):.1f} ms")

lengths = range(p + 1, p + n + 1)
plt.figure(figsize=(7, 3.5))
plt.plot(lengths, [1000 * t for t in uncached], label="キャッシュなし(毎回ぜんぶ計算)")
plt.plot(lengths, [1000 * t for t in cached], label="キャッシュあり(新しい 1 トークンだけ)")
plt.xlabel("このステップで書き足したあとの文の長さ(トークン数)")
plt.ylabel("1 ステップの時間(ミリ秒)")
plt.title("KV キャッシュの有無と 1 トークンを生成する時間")
plt.legend()
plt.tight_layout()
plt.show()

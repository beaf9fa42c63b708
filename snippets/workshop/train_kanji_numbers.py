# livenotes: timeout=600; produces=checkpoints/kanji-numbers
# A tiny Encoder-Decoder (the original Transformer's shape) that reads kanji numerals and writes the digits:
# 三千五百二十一 → 3521. The data is made here, from a seeded random generator: nothing to download.
import random
import sys
import time

import matplotlib.pyplot as plt
import matplotlib_fontja  # 図の中の日本語のためのフォント(IPAex ゴシック)。import するだけで使われる
import torch
from tokenizers import Regex, Tokenizer, models, pre_tokenizers, processors
from transformers import BartConfig, BartForConditionalGeneration, PreTrainedTokenizerFast

OUT = "checkpoints/kanji-numbers"
KANJI = "〇一二三四五六七八九"
SPECIAL = ["<pad>", "<s>", "</s>", "<unk>"]
VOCAB = SPECIAL + list("0123456789") + list("一二三四五六七八九十百千万億")  # 入力と出力で 1 つの語彙
STEPS, BATCH, HELD_OUT, GOAL = 2000, 128, 1000, 0.99
# a model this small trains faster on one thread than on two (measured here: 126 s against 202 s), and the build
# trains another recipe on the other core meanwhile
torch.set_num_threads(1)


def below_10000(m):
    """1〜9999 の漢数字。十・百・千の前の一は書かない(千五百、十二)。"""
    out = ""
    for value, unit in ((1000, "千"), (100, "百"), (10, "十")):
        digit, m = divmod(m, value)
        if digit:
            out += ("" if digit == 1 else KANJI[digit]) + unit
    return out + (KANJI[m] if m else "")


def kanji(n):
    """1〜999,999,999 を、文章で書くときの漢数字に: 20007 → 二万七、100000000 → 一億。"""
    oku, rest = divmod(n, 10**8)
    man, one = divmod(rest, 10**4)
    return "".join(below_10000(part) + unit for part, unit in ((oku, "億"), (man, "万"), (one, "")) if part)


def number(rng):
    """1〜9 桁の数。途中の 0 を多めに(二万七 のように、0 の桁は漢数字に出てこないので難しい)。"""
    digits = [rng.randint(1, 9)] + [0 if rng.random() < 0.35 else rng.randint(1, 9) for _ in range(rng.randint(0, 8))]
    return int("".join(map(str, digits)))


# 1 文字 1 トークンのトークナイザー(tokenizers ライブラリで組み立てる)。入力の最後に </s> を付ける
core = Tokenizer(models.WordLevel({c: i for i, c in enumerate(VOCAB)}, unk_token="<unk>"))
core.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
core.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", 2)])
tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, pad_token="<pad>", bos_token="<s>", eos_token="</s>",
                                    unk_token="<unk>")

for n in (3521, 20007, 581003665):
    print(f"{n:>11,} → {kanji(n)} → トークン {tokenizer.convert_ids_to_tokens(tokenizer(kanji(n))['input_ids'])}")


def batch(rng, size):
    """入力(漢数字)と、Decoder に入れる列(<s> + 数字)と、正解(数字 + </s>)。正解は入力から作る: 自分で採点できる。"""
    numbers = [number(rng) for _ in range(size)]
    source = tokenizer([kanji(n) for n in numbers], padding=True, return_tensors="pt")
    target = tokenizer([str(n) for n in numbers], padding=True, return_tensors="pt")["input_ids"]
    decoder_input = torch.cat([torch.full((size, 1), 1), target[:, :-1]], dim=1)  # <s> を先頭に、1 つずらす
    labels = target.masked_fill(target == 0, -100)  # 詰め物は採点しない
    return source, decoder_input, labels


config = BartConfig(vocab_size=len(VOCAB), d_model=64, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
                    decoder_attention_heads=4, encoder_ffn_dim=256, decoder_ffn_dim=256, max_position_embeddings=32,
                    pad_token_id=0, bos_token_id=1, eos_token_id=2, decoder_start_token_id=1, forced_eos_token_id=None,
                    dropout=0.0, attention_dropout=0.0, activation_dropout=0.0)
model = BartForConditionalGeneration(config)
print(f"パラメータ数: {sum(p.numel() for p in model.parameters()):,}(Encoder 2 層、Decoder 2 層、4 ヘッド、64 次元)")

rng = random.Random(0)
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, total_steps=STEPS, pct_start=0.1)
curve = []
started = time.perf_counter()  # 学習にかかった時間は標準エラーに(マシンの混み具合で変わるので、出力には書かない)
for step in range(1, STEPS + 1):
    source, decoder_input, labels = batch(rng, BATCH)
    loss = model(**source, decoder_input_ids=decoder_input, labels=labels).loss
    loss.backward()
    optimizer.step()
    schedule.step()
    optimizer.zero_grad()
    curve.append(loss.item())
    if step % 250 == 0:
        print(f"step {step}/{STEPS} loss {loss.item():.4f} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
print(f"学習: {STEPS} ステップ × {BATCH} 個 = {STEPS * BATCH:,} 個の数(その場で作った)")

# 評価: 学習に使っていない種で作った 1,000 個。出力の数字の列が正解と 1 文字も違わなければ正解
model.eval()
test = random.Random(2026)
held_out = [number(test) for _ in range(HELD_OUT)]
mistakes = []
with torch.no_grad():
    for i in range(0, HELD_OUT, 250):
        chunk = held_out[i : i + 250]
        source = tokenizer([kanji(n) for n in chunk], padding=True, return_tensors="pt")
        written = model.generate(**source, max_new_tokens=12, do_sample=False, num_beams=1)
        for n, ids in zip(chunk, written):
            answer = "".join(tokenizer.convert_ids_to_tokens(ids, skip_special_tokens=True))
            if answer != str(n):
                mistakes.append((kanji(n), str(n), answer))
accuracy = 1 - len(mistakes) / HELD_OUT
print(f"評価用の {HELD_OUT:,} 個で完全一致: {accuracy:.1%}(目標 {GOAL:.0%}: {'達成' if accuracy >= GOAL else '未達'})")
for text, right, answer in mistakes[:5]:
    print(f"  まちがい: {text} → {answer}(正解 {right})")

# 学習した範囲の端と外: 1 文字だけ、いちばん大きい数、10 桁(十億。学習では一度も見ていない)
with torch.no_grad():
    for text in ("四", "十", "一億", "九億九千九百九十九万九千九百九十九", "十億", "三十億五千万"):
        ids = model.generate(**tokenizer(text, return_tensors="pt"), max_new_tokens=12, do_sample=False, num_beams=1)
        print(f"  {text} → {''.join(tokenizer.convert_ids_to_tokens(ids[0], skip_special_tokens=True))}")

model.save_pretrained(OUT)
tokenizer.save_pretrained(OUT)
print(f"保存先: {OUT}")

fig, ax = plt.subplots(figsize=(6.4, 3.2))
ax.plot(range(1, STEPS + 1), curve, linewidth=0.8)
ax.set_yscale("log")
ax.set_title("漢数字 → 数字の Encoder-Decoder の学習の損失", fontsize=10)
ax.set_xlabel("ステップ")
ax.set_ylabel("交差エントロピー損失(対数目盛)")
fig.tight_layout()

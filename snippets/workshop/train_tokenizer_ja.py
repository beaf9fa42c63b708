# livenotes: produces=checkpoints/ja-tokenizer
from collections import Counter

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
from transformers import AutoTokenizer, PreTrainedTokenizerFast

# Debian の manpages-ja(JM Project の訳)から、評価用の 1 割を除いた段落。1 行が 1 段落
with open("data/manpages_ja/train.txt", encoding="utf-8") as corpus:
    paragraphs = corpus.read().splitlines()

# 日本語の文には単語の間の空白がないので、空白で単語に切ってから BPE をかける(GPT-2 のやり方)ことはできない。
# 文全体を 1 つの文字列のまま、よく隣り合う文字のペアを順にまとめていく。空白は ▁ という文字に置き換えて残す
# (SentencePiece と同じ書き方)。NFKC 正規化で、全角の英数字(ＡＢＣ、１２３)は半角と同じ文字になる
tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
tokenizer.normalizer = normalizers.NFKC()
tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(prepend_scheme="never", split=False)
tokenizer.decoder = decoders.Metaspace(prepend_scheme="never", split=False)
trainer = trainers.BpeTrainer(
    vocab_size=3000,
    special_tokens=["<|endoftext|>", "<pad>", "<unk>"],
    limit_alphabet=2500,  # 文字(かな・漢字・記号)は多い方から 2,500 種類まで。それ以外の文字は <unk> になる
    show_progress=False,
)
tokenizer.train_from_iterator(paragraphs, trainer)

wrapped = PreTrainedTokenizerFast(
    tokenizer_object=tokenizer, bos_token="<|endoftext|>", eos_token="<|endoftext|>", pad_token="<pad>",
    unk_token="<unk>",
)
wrapped.save_pretrained("checkpoints/ja-tokenizer")

vocabulary = wrapped.get_vocab()
letters = sum(1 for token in vocabulary if len(token) == 1)
print(f"語彙の大きさ: {len(wrapped):,}(1 文字のトークン {letters:,}、結合してできたトークン {len(wrapped) - letters - 3:,}、特別なトークン 3)")
merged = [token for token, _ in sorted(vocabulary.items(), key=lambda item: item[1]) if len(token) > 1 and token[0] != "<"]
print("最初に覚えた結合:", merged[:12])
print("最後に覚えた結合:", merged[-8:])

# 同じ文を、英語だけで学習した MiniLM のトークナイザー(WordPiece、語彙 30,522)でも切ってみる
minilm = AutoTokenizer.from_pretrained("checkpoints/all-MiniLM-L6-v2")
for text in ["このコマンドはファイルを削除する。", "転移学習", "アテンション", "吾輩は猫である。"]:
    ours, theirs = wrapped.tokenize(text), minilm.tokenize(text)
    print(f"\n{text}")
    print(f"  このトークナイザー({len(ours):>2} 個): {ours}")
    print(f"  MiniLM            ({len(theirs):>2} 個): {theirs}")

counts = Counter(len(wrapped.tokenize(p)) for p in paragraphs)
characters = sum(len(p) for p in paragraphs)
tokens = sum(n * c for n, c in counts.items())
print(f"\n学習データ: {len(paragraphs):,} 段落、{characters:,} 文字 → {tokens:,} トークン(1 トークンあたり {characters / tokens:.2f} 文字)")

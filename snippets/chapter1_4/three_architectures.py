import torch
from transformers import AutoModel, AutoModelForCausalLM, AutoTokenizer, T5Config, T5ForConditionalGeneration

torch.manual_seed(0)
text = "Transformers are big models."

print("■ Encoder だけ(all-MiniLM-L6-v2): 文全体を一度に読み、トークンごとに特徴量を 1 本ずつ返す")
tokenizer = AutoTokenizer.from_pretrained("checkpoints/all-MiniLM-L6-v2")
encoder = AutoModel.from_pretrained("checkpoints/all-MiniLM-L6-v2").eval()
inputs = tokenizer(text, return_tensors="pt")
with torch.no_grad():
    hidden = encoder(**inputs).last_hidden_state
print("  トークン:", tokenizer.convert_ids_to_tokens(inputs["input_ids"][0]))
print("  出力の形 (文の数, トークン数, 特徴量の次元):", tuple(hidden.shape))

print("■ Decoder だけ(tiny-gpt2-austen): 左の文脈から次のトークンを 1 つずつ足していく")
tokenizer = AutoTokenizer.from_pretrained("checkpoints/tiny-gpt2-austen")
decoder = AutoModelForCausalLM.from_pretrained("checkpoints/tiny-gpt2-austen").eval()
ids = tokenizer("She was", return_tensors="pt")["input_ids"]
with torch.no_grad():
    for step in range(1, 5):
        logits = decoder(ids).logits  # (1, tokens so far, vocabulary): a guess after every position
        chosen = logits[0, -1].argmax()  # only the guess after the last token is used
        print(f"  {step} 回目: 入力 {ids.shape[1]} トークン → logits {tuple(logits.shape)} → {tokenizer.decode(chosen)!r}")
        ids = torch.cat([ids, chosen.view(1, 1)], dim=1)
print("  できた文:", repr(tokenizer.decode(ids[0])))

print("■ Encoder-Decoder(T5 の形、重みはランダム): Encoder が読んだ結果を、Decoder が毎回参照しながら書く")
config = T5Config(vocab_size=len(tokenizer), d_model=64, d_kv=16, d_ff=128, num_layers=2, num_heads=4,
                  decoder_start_token_id=tokenizer.pad_token_id, pad_token_id=tokenizer.pad_token_id)
seq2seq = T5ForConditionalGeneration(config).eval()
source = tokenizer(text, return_tensors="pt")["input_ids"]
with torch.no_grad():
    memory = seq2seq.get_encoder()(input_ids=source).last_hidden_state
    print(f"  Encoder: 入力 {source.shape[1]} トークン → 特徴量 {tuple(memory.shape)}(一度だけ計算)")
    written = torch.tensor([[config.decoder_start_token_id]])
    for step in range(1, 4):
        out = seq2seq(encoder_outputs=(memory,), decoder_input_ids=written)
        chosen = out.logits[0, -1].argmax()
        print(f"  Decoder {step} 回目: 書いた {written.shape[1]} トークン + Encoder の特徴量 → logits {tuple(out.logits.shape)}")
        written = torch.cat([written, chosen.view(1, 1)], dim=1)
print("  (学習していないので、書いた中身に意味はない。見てほしいのは形の流れ)")

import torch
from transformers import AutoModelForCausalLM, AutoModelForMaskedLM, AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained("checkpoints/tiny-gpt2-austen")  # both models share it
causal = AutoModelForCausalLM.from_pretrained("checkpoints/tiny-gpt2-austen").eval()
masked = AutoModelForMaskedLM.from_pretrained("checkpoints/tiny-bert-austen").eval()

ids = tokenizer("She was glad to see him.")["input_ids"]  # 8 tokens: the most the tiny BERT reads
tokens = tokenizer.convert_ids_to_tokens(ids)
print(f"{'位置':<4}{'正解':<10}{'GPT-2: 左だけ見て':<18}{'BERT: 両側を見て'}")
with torch.no_grad():
    for i in range(1, len(ids)):
        # causal LM: the question is the text to the left; the answer is the next token
        left = causal(torch.tensor([ids[:i]])).logits[0, -1].argmax().item()
        # masked LM: the question is the whole text with one hole; the answer is what was there
        holed = ids[:i] + [tokenizer.mask_token_id] + ids[i + 1 :]
        both = masked(torch.tensor([holed])).logits[0, i].argmax().item()
        answer = tokens[i]
        guesses = [tokenizer.convert_ids_to_tokens(g) for g in (left, both)]
        marks = ["○" if g == answer else "×" for g in guesses]
        print(f"{i:<6}{answer:<12}{guesses[0] + ' ' + marks[0]:<20}{guesses[1] + ' ' + marks[1]}")

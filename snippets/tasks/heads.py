from transformers import pipeline

# pipeline() picks the model class with the head its task needs; under the head is the body (model.base_model),
# called 本体 on the pages
tasks = {
    "text-generation": "checkpoints/tiny-gpt2-austen",
    "fill-mask": "checkpoints/tiny-bert-austen",
    "sentiment-analysis": "checkpoints/minilm-sentiment",
    "ner": "checkpoints/minilm-ner",
    "feature-extraction": "checkpoints/all-MiniLM-L6-v2",
}
text = "Emma saw him."  # short: the tiny BERT reads at most 8 tokens
for task, path in tasks.items():
    pipe = pipeline(task, model=path)
    model, body = pipe.model, pipe.model.base_model
    print(f"{task}: {type(model).__name__}({path})")
    print(f"  本体: {type(body).__name__}、{sum(p.numel() for p in body.parameters()):,} パラメータ")
    if model is body:
        print("  頭: なし")
    else:
        heads = [name for name, _ in model.named_children() if name != model.base_model_prefix]
        extra = sum(p.numel() for p in model.parameters()) - sum(p.numel() for p in body.parameters())
        output_layer = model.get_output_embeddings()
        tied = output_layer is not None and output_layer.weight is model.get_input_embeddings().weight
        shared = "(出力の層は入力の埋め込みと重みを共有)" if tied else ""
        print(f"  頭: {heads}、本体のほかに {extra:,} パラメータ{shared}")
    output = model(**pipe.tokenizer(text, return_tensors="pt"))
    logits = getattr(output, "logits", None)
    shown = "logits" if logits is not None else "last_hidden_state"
    print(f"  出力: {shown} {tuple((logits if logits is not None else output.last_hidden_state).shape)}")

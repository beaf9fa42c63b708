# livenotes: timeout=600; produces=checkpoints/browser
# Writes each checkpoint the pages' 「自分で試す」 boxes use as ONNX, in the smallest form whose answers still match
# PyTorch's on the pages' own inputs, plus the Python pipeline's answer for every box (what the browser must repeat).
import json
import logging
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from transformers import (AutoModel, AutoModelForCausalLM, AutoModelForMaskedLM, AutoModelForSeq2SeqLM,
                          AutoModelForSequenceClassification, AutoModelForTokenClassification, AutoTokenizer, pipeline)

OUT = Path("checkpoints/browser")
TOLERANCE = 0.002  # largest change of a probability (or cosine) that still counts as the same answer
ATTENTION_TOLERANCE = 0.001  # largest change of an attention weight the attention view may show
MODELS = {  # checkpoint folder: (class, the outputs the browser reads, the inputs the agreement is measured on)
    "checkpoints/minilm-sentiment": (AutoModelForSequenceClassification, ["logits"], [
        "I've been waiting for a HuggingFace course my whole life.", "I hate this so much!",
        "The plot is thin, but the actors are wonderful.", "A dull, lifeless film that never finds its footing.",
        "I did not like it at all.", "Not bad at all.",
        "The plot was thin, but the actors made every scene worth watching."]),
    "checkpoints/tiny-bert-austen": (AutoModelForMaskedLM, ["logits"], [
        "She was [MASK] to see him.", "It was a [MASK] day.", "Mr. [MASK] was gone."]),
    # the next-token view shows its probabilities to 4 decimals: 0.0001 is the tolerance there
    "checkpoints/tiny-gpt2-austen": (AutoModelForCausalLM, ["logits", "attentions"], [
        "In this course, we will teach you how to", "It is a truth universally", "Mr. Darcy"]),
    "checkpoints/minilm-ner": (AutoModelForTokenClassification, ["logits"], [
        "My name is Sylvain and I work at Hugging Face in Brooklyn."]),
    "checkpoints/all-MiniLM-L6-v2": (AutoModel, ["last_hidden_state", "attentions"], [
        "I loved this movie.", "The film was wonderful.", "The pizza was cold and bland.", "Attention is all you need."]),
    "checkpoints/tiny-gpt2-ja": (AutoModelForCausalLM, ["logits", "attentions"], []),
    # the Encoder-Decoder reads its input again at every step (30 tokens at most): no cache to export
    "checkpoints/kanji-numbers": (AutoModelForSeq2SeqLM, ["logits", "encoder_attentions", "decoder_attentions",
                                                          "cross_attentions"], []),
}
STRICTER = {"checkpoints/tiny-gpt2-austen": 0.0001, "checkpoints/tiny-gpt2-ja": 0.0001}
BOXES = {  # box on a page: (task, checkpoint, prefilled text, settings)
    "sentiment": ("sentiment-analysis", "checkpoints/minilm-sentiment", "\n".join(MODELS["checkpoints/minilm-sentiment"][2][:6]), {}),
    "reviews": ("sentiment-analysis", "checkpoints/minilm-sentiment", "\n".join(
        MODELS["checkpoints/minilm-sentiment"][2][:2] + MODELS["checkpoints/minilm-sentiment"][2][6:]), {}),
    "fill-mask": ("fill-mask", "checkpoints/tiny-bert-austen", "She was [MASK] to see him.", {"top_k": 5}),
    "generate-course": ("text-generation", "checkpoints/tiny-gpt2-austen", "In this course, we will teach you how to",
                        {"max_new_tokens": 20}),
    "generate-austen": ("text-generation", "checkpoints/tiny-gpt2-austen", "It is a truth universally",
                        {"max_new_tokens": 30}),
    "ner": ("token-classification", "checkpoints/minilm-ner",
            "My name is Sylvain and I work at Hugging Face in Brooklyn.", {"aggregation_strategy": "simple"}),
    "similarity": ("feature-extraction", "checkpoints/all-MiniLM-L6-v2", "\n".join(MODELS["checkpoints/all-MiniLM-L6-v2"][2]), {}),
}
ENGLISH = ["The animal didn't cross the street because it was too tired.",
           "The animal didn't cross the street because it was too wide.",
           "She was very happy to see him.", "I loved this movie."]
VIEWS = {  # a view on a page: the models it offers, and each model's one-click examples (in the language it reads)
    "attention": {"models": ["all-MiniLM-L6-v2", "tiny-gpt2-austen", "tiny-gpt2-ja"], "examples": {
        "all-MiniLM-L6-v2": ENGLISH, "tiny-gpt2-austen": ENGLISH,
        "tiny-gpt2-ja": ["このコマンドはファイルを削除する。", "オプションを指定しない場合は、エラーになる。", "ファイルを"]}},
    "next-token": {"models": ["tiny-gpt2-austen", "tiny-gpt2-ja"], "examples": {
        "tiny-gpt2-austen": ["It is a truth universally", "She was", "In this course, we will teach you how to"],
        "tiny-gpt2-ja": ["ファイルを", "このオプションは", "エラーが"]}},
    "numbers": {"models": ["kanji-numbers"], "examples": {
        "kanji-numbers": ["三千五百二十一", "二万七", "五億八千百万三千六百六十五", "百", "十億"]}},
}


class Output(torch.nn.Module):
    """The model with plain tensors in and plain tensors out, which is what ONNX export traces. An "...attentions"
    output is every layer's attention weights as one tensor: (batch, layer, head, the token that looks, the token it
    looks at)."""

    def __init__(self, model, names, outputs):
        super().__init__()
        self.model, self.names, self.outputs = model, names, outputs

    def forward(self, *tensors):
        found = self.model(**dict(zip(self.names, tensors)), output_attentions=any("attentions" in o for o in self.outputs))
        return tuple(torch.stack(found[o], 1) if "attentions" in o else found[o] for o in self.outputs)


def export(model, tokenizer, outputs, path):
    """Write the model as ONNX; the names of its inputs (the tokenizer's, in the order the model takes them, and the
    written sequence for an Encoder-Decoder)."""
    sample = tokenizer(["a short example", "and a longer one"], padding=True, truncation=True, max_length=8, return_tensors="pt")
    names = [name for name in ("input_ids", "attention_mask", "token_type_ids") if name in sample]
    tensors = [sample[n] for n in names]
    if model.config.is_encoder_decoder:
        names.append("decoder_input_ids")
        tensors.append(torch.tensor([[1, 5, 6], [1, 7, 8]]))
    axes = {name: {0: "batch", 1: "decoder" if name == "decoder_input_ids" else "tokens"} for name in names}
    seen = {"encoder_attentions": ("tokens", "tokens"), "decoder_attentions": ("decoder", "decoder"),
            "cross_attentions": ("decoder", "tokens"), "attentions": ("tokens", "seen")}
    for o in outputs:
        axes[o] = ({0: "batch", 3: seen[o][0], 4: seen[o][1]} if o in seen else
                   {0: "batch", 1: "decoder" if model.config.is_encoder_decoder else "tokens"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes about Python control flow in transformers' code
        torch.onnx.export(Output(model, names, outputs).eval(), tuple(tensors), path,
                          input_names=names, output_names=outputs, dynamic_axes=axes, dynamo=False, opset_version=17)
    return names


def weights_in_fp16(source, target):
    """Store every large weight in half precision and turn it back to fp32 when the model loads: half the download,
    the same arithmetic (onnxruntime folds the Cast nodes once, at load)."""
    model = onnx.load(source)
    casts = []
    for i, weight in enumerate(model.graph.initializer):
        if weight.data_type == onnx.TensorProto.FLOAT and np.prod(weight.dims) >= 1024:
            name = weight.name
            half = onnx.numpy_helper.from_array(onnx.numpy_helper.to_array(weight).astype(np.float16), name + ".fp16")
            model.graph.initializer[i].CopyFrom(half)
            casts.append(onnx.helper.make_node("Cast", [half.name], [name], to=onnx.TensorProto.FLOAT))
    nodes = casts + list(model.graph.node)  # the casts first, before anything reads their output
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    onnx.save(model, target)


def outputs(run, tokenizer, texts):
    """Per text: its token ids and what the model outputs for them."""
    answers = []
    for text in texts:
        encoded = {name: array.astype(np.int64) for name, array in tokenizer(text, return_tensors="np").items()}
        answers.append((encoded["input_ids"][0], run(encoded)[0][0]))
    return answers


def same_choices(p, q, k, tolerance):
    """Does the candidate (probabilities q) choose the reference's (p) top k, in order? A choice the reference
    scores within the tolerance of its own counts as the same: such a near tie falls either way with the last bits of
    the CPU's arithmetic, and a reader could not tell the two answers apart."""
    ours, theirs = np.argsort(-p, axis=-1)[..., :k], np.argsort(-q, axis=-1)[..., :k]
    return bool((np.take_along_axis(p, theirs, -1) >= np.take_along_axis(p, ours, -1) - tolerance).all())


def agreement(task_class, tokenizer, texts, run_reference, run_candidate, tolerance):
    """(largest change of a shown number, same answers?) of candidate against reference, on what the boxes show."""
    if task_class is AutoModelForSeq2SeqLM:  # greedy writing from the same input: the same next token, step by step
        worst, same = 0.0, True
        for text in texts:
            for feed in written_steps(tokenizer, text, run_reference):
                p, q = (softmax(run(feed)[0][0, -1]) for run in (run_reference, run_candidate))
                worst, same = max(worst, float(np.abs(p - q).max())), same and same_choices(p, q, 1, tolerance)
        return worst, same
    if task_class is AutoModelForCausalLM:  # greedy generation: the same next token, step by step
        worst, same = 0.0, True
        for text in texts:
            ids = tokenizer(text, return_tensors="np")["input_ids"].astype(np.int64)
            for _ in range(20):
                feed = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
                p, q = (softmax(run(feed)[0][0, -1]) for run in (run_reference, run_candidate))
                worst, same = max(worst, float(np.abs(p - q).max())), same and same_choices(p, q, 1, tolerance)
                ids = np.concatenate([ids, [[p.argmax()]]], axis=1)
        return worst, same
    ref, cand = outputs(run_reference, tokenizer, texts), outputs(run_candidate, tokenizer, texts)
    if task_class is AutoModel:  # mean of the token vectors, length 1, cosine of every pair
        def cosines(answers):
            means = np.stack([vectors.mean(axis=0) for _, vectors in answers])
            means /= np.linalg.norm(means, axis=1, keepdims=True)
            return means @ means.T
        difference = np.abs(cosines(ref) - cosines(cand)).max()
        return float(difference), bool(difference <= tolerance)
    if task_class is AutoModelForMaskedLM:  # the top 5 tokens at each [MASK]
        pairs = [(softmax(a[ids == tokenizer.mask_token_id]), softmax(b[ids == tokenizer.mask_token_id]), 5)
                 for (ids, a), (_, b) in zip(ref, cand)]
    else:  # the label of the text (or of every token)
        pairs = [(softmax(a), softmax(b), 1) for (_, a), (_, b) in zip(ref, cand)]
    worst = max(float(np.abs(p - q).max()) for p, q, _ in pairs)
    return worst, all(same_choices(p, q, k, tolerance) for p, q, k in pairs)


def written_steps(tokenizer, text, run, limit=12):
    """The feeds of an Encoder-Decoder writing greedily from ``text`` (what ``run`` chooses), one per step."""
    source = {name: array.astype(np.int64) for name, array in tokenizer(text, return_tensors="np").items()}
    written = np.array([[tokenizer.bos_token_id]], dtype=np.int64)
    feeds = []
    for _ in range(limit):
        feeds.append({**source, "decoder_input_ids": written})
        choice = int(run(feeds[-1])[0][0, -1].argmax())
        if choice == tokenizer.eos_token_id:
            break
        written = np.concatenate([written, [[choice]]], axis=1)
    return feeds


def attention_agreement(tokenizer, texts, run_reference, run_candidate, seq2seq):
    """The largest change of an attention weight, over every kind of attention, layer, head and token of the texts
    (an Encoder-Decoder's as it has written its whole answer)."""
    worst = 0.0
    for text in texts:
        if seq2seq:
            feed = written_steps(tokenizer, text, run_reference)[-1]
        else:
            feed = {name: array.astype(np.int64) for name, array in tokenizer(text, return_tensors="np").items()}
        ours, theirs = run_reference(feed), run_candidate(feed)
        worst = max([worst] + [float(np.abs(a - b).max()) for a, b in zip(ours[1:], theirs[1:])])
    return worst


def softmax(logits):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def pytorch(model, outputs):
    """The same kind of function for the PyTorch model itself: the reference every file is measured against."""
    def run(feed):
        with torch.no_grad():
            found = Output(model, list(feed), outputs)(*(torch.from_numpy(array) for array in feed.values()))
        return [tensor.numpy() for tensor in found]
    return run


def session(path):
    """A function from input arrays to output arrays, for one ONNX file (as many threads as torch uses)."""
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = torch.get_num_threads()
    loaded = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return lambda feed: loaded.run(None, feed)


def python_answer(task, checkpoint, text, settings):
    """What transformers' pipeline() answers for the box's text: the browser must say the same."""
    pipe = pipeline(task, model=checkpoint)
    if task == "feature-extraction":
        vectors = np.stack([np.mean(pipe(line)[0], axis=0) for line in text.split("\n")])
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return (vectors @ vectors.T).round(4).tolist()
    if task == "text-generation":
        return pipe(text, do_sample=False, **settings)[0]["generated_text"]
    if task == "sentiment-analysis":
        return [{"label": a["label"], "score": round(a["score"], 4)} for a in pipe(text.split("\n"))]
    answer = pipe(text, **settings)
    keep = ("token_str", "score") if task == "fill-mask" else ("entity_group", "word", "score")
    return [{key: round(float(a[key]), 4) if key == "score" else a[key] for key in keep} for a in answer]


logging.getLogger().setLevel(logging.ERROR)  # quantize_dynamic's advice to pre-process is about image models
if OUT.exists():
    shutil.rmtree(OUT)
OUT.mkdir(parents=True)
rows, chosen = [], {}
with tempfile.TemporaryDirectory() as scratch:
    for checkpoint, (task_class, wanted, texts) in MODELS.items():
        name = checkpoint.removeprefix("checkpoints/")
        tokenizer = AutoTokenizer.from_pretrained(checkpoint)
        # attention weights come out of the eager implementation only (SDPA computes them without returning them)
        model = task_class.from_pretrained(checkpoint, attn_implementation="eager").eval()
        fp32 = Path(scratch) / f"{name}.onnx"
        inputs = export(model, tokenizer, wanted, fp32)
        variants = {"fp32": fp32, "fp16": fp32.with_suffix(".fp16.onnx"), "int8": fp32.with_suffix(".int8.onnx")}
        weights_in_fp16(fp32, variants["fp16"])
        # 8-bit weights as unsigned integers (U8U8): with signed weights (U8S8, the default) an x86 CPU without
        # VNNI computes with an instruction whose 16-bit sums saturate, so the answers would depend on the CPU
        # (onnxruntime's quantization guide, "When and why do I need to try U8U8?")
        quantize_dynamic(fp32, variants["int8"], weight_type=QuantType.QUInt8)
        tolerance = STRICTER.get(checkpoint, TOLERANCE)
        # measured on the boxes' texts and on every example of a view that offers the model
        texts = texts + [e for view in VIEWS.values() for e in view["examples"].get(name, []) if e not in texts]
        results = {}
        for variant, path in variants.items():
            reference, candidate = pytorch(model, wanted), session(path)
            worst, same = agreement(task_class, tokenizer, texts, reference, candidate, tolerance)
            seq2seq = task_class is AutoModelForSeq2SeqLM
            shows = any("attentions" in o for o in wanted)
            attention = attention_agreement(tokenizer, texts, reference, candidate, seq2seq) if shows else 0.0
            ok = same and worst <= tolerance and attention <= ATTENTION_TOLERANCE
            results[variant] = (path.stat().st_size, worst, same, attention, ok)
        # the smallest file whose answers are the same and whose numbers move by at most the tolerance
        best = min((v for v, result in results.items() if result[-1]), key=lambda v: results[v][0])
        target = OUT / name
        target.mkdir()
        shutil.copy(variants[best], target / "model.onnx")
        for file in ("config.json", "tokenizer.json", "tokenizer_config.json"):
            shutil.copy(Path(checkpoint) / file, target / file)
        chosen[name] = {"precision": best, "bytes": results[best][0], "inputs": inputs, "output": wanted[0],
                        "outputs": wanted}
        for variant, (size, worst, same, attention, _) in results.items():
            shown = ("≤" if attention <= ATTENTION_TOLERANCE else ">") + f" {ATTENTION_TOLERANCE}" if shows else ""
            rows.append((name, variant, size, f"{tolerance}", worst, shown, same, variant == best))

boxes = {box: {"task": task, "model": checkpoint.removeprefix("checkpoints/"), "text": text, "settings": settings,
               "python": python_answer(task, checkpoint, text, settings)}
         for box, (task, checkpoint, text, settings) in BOXES.items()}
(OUT / "boxes.json").write_text(json.dumps({"boxes": boxes, "models": chosen, "views": VIEWS}, ensure_ascii=False, indent=1))

# 超: over the tolerance (the column rounds to 4 places, so 0.0001 may be over a tolerance of 0.0001)
print("チェックポイント        形式   サイズ     許容    確率の最大のずれ  アテンション  答え  採用")
for name, variant, size, tolerance, worst, attention, same, used in rows:
    over = "超" if worst > float(tolerance) else "  "
    print(f"{name:<22} {variant:<5} {size / 1e6:6.1f} MB  {tolerance:<6} {worst:14.4f} {over} {attention:<10}  "
          f"{'同じ' if same else '違う'}  {'◀' if used else ''}")

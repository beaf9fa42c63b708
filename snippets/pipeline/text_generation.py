from transformers import pipeline, set_seed

generator = pipeline("text-generation", model="checkpoints/tiny-gpt2-austen")
prompt = "In this course, we will teach you how to"

# Greedy: always the most probable next token, so the same text every time.
greedy = generator(prompt, max_new_tokens=20, do_sample=False)
print("貪欲法:", repr(greedy[0]["generated_text"]))

# Sampling: draw the next token at random, in proportion to its probability.
# temperature < 1 sharpens the distribution, > 1 flattens it; top_k keeps only the k most likely tokens.
for temperature in [0.5, 1.5]:
    set_seed(0)  # fixed, so that the build shows the same draws every time
    drawn = generator(prompt, max_new_tokens=20, do_sample=True, temperature=temperature, top_k=50,
                      num_return_sequences=2)
    for i, answer in enumerate(drawn, 1):
        print(f"temperature={temperature} ({i}):", repr(answer["generated_text"]))

from transformers import pipeline

generator = pipeline("text-generation", model="checkpoints/tiny-gpt2-austen")

for prompt in ["It is a truth universally", "Mr. Darcy"]:
    result = generator(prompt, max_new_tokens=30, do_sample=False)
    print(repr(result[0]["generated_text"]))

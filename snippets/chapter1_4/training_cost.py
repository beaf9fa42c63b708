import json
from pathlib import Path

metrics = json.loads(Path("checkpoints/tiny-gpt2-austen/metrics.json").read_text())
tokens, seconds, cpu_seconds = metrics["training_tokens"], metrics["training_seconds"], metrics["training_cpu_seconds"]

# This machine has no power meter, so energy is an estimate from the CPU time the training used
# (all cores together), at an assumed 10 W for one busy core.
WATTS_PER_CORE = 10
# The time, and so every figure below it, changes from run to run: the approved output has "..." there.
ours_kwh = WATTS_PER_CORE * cpu_seconds / 3600 / 1000
print(f"小さな GPT-2 の事前学習: {tokens:,} トークン")
print(f"  かかった時間 {seconds:.0f} 秒(CPU 時間 {cpu_seconds:.0f} 秒)→ 約 {ours_kwh * 1000:.2f} Wh")
# CO2 depends on how the electricity was made. Assumed: 0.429 kg CO2e per kWh, the factor behind Patterson et al.'s
# GPT-3 figure below (552 t for 1,287 MWh). This machine's real grid is unknown.
KG_CO2E_PER_KWH = 0.429
print(f"  CO2 にすると約 {ours_kwh * KG_CO2E_PER_KWH * 1000:.2f} g(1 kWh あたり {KG_CO2E_PER_KWH} kg と仮定)")

# Published estimates (sources on the page) for one full training run: energy in kWh and the papers' own
# CO2e in kg (Strubell et al. give 1,438 lbs for BERT-base).
PUBLISHED = {
    "BERT-base (Strubell et al. 2019)": (1_507, 652),
    "T5-11B (Patterson et al. 2021)": (85_700, 46_700),
    "GPT-3 (Patterson et al. 2021)": (1_287_000, 552_000),
}


def in_japanese_units(ratio: float) -> str:
    """2e9 → 「20億」, 1.3e8 → 「1.3億」: the ratio in 万 (10^4) and 億 (10^8), as a Japanese reader counts large
    numbers, with two significant figures at least."""
    unit, name = (1e8, "億") if ratio >= 1e8 else (1e4, "万")
    return f"{ratio / unit:,.1f}{name}" if ratio / unit < 10 else f"{ratio / unit:,.0f}{name}"


for name, (kwh, _) in PUBLISHED.items():
    print(f"{name}: {kwh:,} kWh = 私たちの約 {in_japanese_units(kwh / ours_kwh)}倍")
for name, (_, kg) in PUBLISHED.items():
    print(f"{name}: CO2 約 {kg:,} kg")

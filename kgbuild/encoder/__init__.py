"""The extract stage's default tagger (issue 21): a fine-tuned pretrained encoder (docs/architecture.md).

Training: gold JSONL -> a token classifier (the [train] extra); inference: text -> character spans with
scores, run inside the spaCy pipeline by kgbuild/extract/encoder_ner.py from the shipped int8 ONNX model.

data.py   - gold -> word pieces, word shapes, BIO labels, windows (numpy + tokenizers only)
decode.py - windows -> word scores -> constrained BIO -> character spans (numpy only)
train.py  - fine-tuning (torch + transformers; the [train] extra only)
onnx.py   - export to ONNX, int8 dynamic quantisation, onnxruntime inference (kgbuild/extract/encoder_ner.py runs it in spaCy)
"""

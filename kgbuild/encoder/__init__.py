"""Extractor v2 (issue 21): a fine-tuned pretrained encoder for mention extraction.

data.py   - gold -> word pieces, word shapes, BIO labels, windows (numpy + tokenizers only)
decode.py - windows -> word scores -> constrained BIO -> character spans (numpy only)
train.py  - fine-tuning (torch + transformers; the [train] extra only)
onnx.py   - export to ONNX, int8 dynamic quantisation, onnxruntime inference (kgbuild/extract/encoder_ner.py runs it in spaCy)
"""

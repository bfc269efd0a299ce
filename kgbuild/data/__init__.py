"""The shipped artifacts the stages load (docs/architecture.md); ATTRIBUTION.md says what each was made from.

encoder/ (the extract stage's int8 ONNX encoder, tokenizer and card), extractor_* (the CNN NER, word
vectors, lexicon, calibration and the name-kind classifiers, named in kgbuild/extract/artifacts.py),
relate_pairs.json.gz and relate_encoder_pairs.npz (the relate stage's pair classifiers), aliases.yaml
(the link stage's curated alias table).
"""

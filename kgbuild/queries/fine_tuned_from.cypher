// Models fine-tuned from a base model (FINE_TUNED_FROM), the base found by its name or any alias
// (case-insensitive). Direct derivations only.
// Parameters: $model (string) -- base model name or alias.
// Columns: model_id, model, base_id, support (papers stating it), papers (their ids).
MATCH (m:Model)-[r:FINE_TUNED_FROM]->(base:Model)
WITH m, r, base, toLower($model) AS wanted
WHERE toLower(base.name) = wanted OR any(alias IN base.aliases WHERE toLower(alias) = wanted)
RETURN m.id AS model_id, m.name AS model, base.id AS base_id, r.support AS support, r.papers AS papers
ORDER BY model_id, base_id
